# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chatwoot_host_info module run in-process through AnsibleModule (arguments, result shape, secrets only to a
no_log task, check mode, Compose's version, the Postgres proof), against a fake engine on a real unix socket; and once
through ansible-playbook, where the kept secrets must reach the registered variable and never the output."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import tempfile

import pytest

import health_servers as hs
from health_fixtures import ANSIBLE, PYTHON, REDIS_PASSWORD, collections_root, run_module
from ansible_collections.sinapum.chatwoot.plugins.module_utils._host_engine import PREPARED_QUERY

PG_PASSWORD = 'Kept-Pg-S3cret-q7'
SECRET_KEY_BASE = 'Kept-Skb-S3cret-' + 'z' * 20
SECRETS = (PG_PASSWORD, SECRET_KEY_BASE)
IMAGE_ID = 'sha256:' + '5' * 64


def shape(value):
    if isinstance(value, dict):
        return dict((key, shape(item)) for key, item in value.items())
    return 'value'


def frame(stream, text):
    data = text.encode()
    return struct.pack('>BxxxI', stream, len(data)) + data


@pytest.fixture()
def host(tmp_path):
    """A deployed-looking host's files: state dir with record and secrets, project dir with .env."""
    state = tmp_path / 'state'
    state.mkdir(mode=0o700)
    (state / 'deployed.json').write_text(json.dumps({'version': 'v4.15.1', 'image_id': IMAGE_ID}, indent=2) + '\n')
    (state / 'secrets.json').write_text(json.dumps({'postgres_password': PG_PASSWORD,
                                                    'secret_key_base': SECRET_KEY_BASE}, indent=2) + '\n')
    project = tmp_path / 'project'
    project.mkdir()
    env = project / '.env'
    env.write_text("POSTGRES_USERNAME='chatwoot'\nPOSTGRES_PASSWORD='%s'\nPOSTGRES_DATABASE='chatwoot_db'\n"
                   % PG_PASSWORD)
    env.chmod(0o600)
    return tmp_path


def args_for(host, socket_path, **overrides):
    args = {
        'docker_socket': socket_path,
        'docker_cli': str(host / 'no-docker'),
        'containers': ['chatwoot_postgres', 'chatwoot_rails'],
        'volume': 'chatwoot_postgres_data',
        'network': 'sinapum_network',
        'images': ['pgvector/pgvector:pg16', 'chatwoot/chatwoot:v4.15.1'],
        'record_file': str(host / 'state' / 'deployed.json'),
        'secrets_file': str(host / 'state' / 'secrets.json'),
        'files': {'state_dir': str(host / 'state'), 'env': str(host / 'project' / '.env'),
                  'compose': str(host / 'project' / 'docker-compose.yml')},
        'lock_file': str(host / 'chatwoot.lock'),
        'env_file': str(host / 'project' / '.env'),
        'postgres_container': 'chatwoot_postgres',
        'postgres_host': 'chatwoot_postgres',
    }
    args.update(overrides)
    return args


def full_engine(fake_docker, pg_status='running', psql_answer='t\n'):
    pg = hs.container_json('chatwoot_postgres', status=pg_status)
    pg['Image'] = IMAGE_ID
    return fake_docker({'chatwoot_postgres': pg}, routes={
        ('GET', '/version'): (200, {'Version': '27.5.1', 'ApiVersion': '1.47'}),
        ('GET', '/volumes/chatwoot_postgres_data'): (200, {'CreatedAt': '2026-11-30T10:00:00Z'}),
        ('GET', '/networks/sinapum_network'): (200, {'Name': 'sinapum_network', 'Id': 'c' * 64}),
        ('GET', '/images/json'): (200, [{'Id': IMAGE_ID, 'RepoTags': ['pgvector/pgvector:pg16']}]),
        ('POST', '/containers/chatwoot_postgres/exec'): (201, {'Id': 'x1'}),
        ('POST', '/exec/x1/start'): (200, frame(1, psql_answer)),
        ('GET', '/exec/x1/json'): (200, {'Running': False, 'ExitCode': 0}),
    })


def test_a_deployed_host_read_in_one_call(host, fake_docker):
    engine = full_engine(fake_docker)
    result, failed = run_module(dict(args_for(host, engine.socket_path), _ansible_no_log=True),
                                module='chatwoot_host_info', secrets=())
    assert not failed, result['msg']
    assert result['changed'] is False
    assert result['engine'] == '27.5.1' and result['compose'] == ''
    assert result['containers']['chatwoot_postgres']['image_id'] == IMAGE_ID
    assert result['containers']['chatwoot_rails']['exists'] is False
    assert result['volume']['created_at'] == '2026-11-30T10:00:00Z' and result['network']['exists'] is True
    assert result['images'] == {'pgvector/pgvector:pg16': IMAGE_ID, 'chatwoot/chatwoot:v4.15.1': ''}
    assert result['record'] == {'version': 'v4.15.1', 'image_id': IMAGE_ID}
    assert result['secrets'] == {'postgres_password': PG_PASSWORD, 'secret_key_base': SECRET_KEY_BASE}
    assert result['secrets_withheld'] is False
    assert set(result['files']) == {'state_dir', 'env', 'compose', 'record', 'secrets'}
    assert (result['files']['state_dir']['mode'], result['files']['env']['mode']) == ('0700', '0600')
    assert result['files']['compose']['exists'] is False
    assert result['lock']['state'] == 'free'
    assert (result['postgres']['accepted'], result['postgres']['prepared']) == (True, True)
    # user and database from the env file; the password only in the exec's environment
    create = [body for method, path, body in engine.requests if path.endswith('/exec') and method == 'POST'][0]
    assert create['Cmd'][:8] == ['psql', '-X', '-h', 'chatwoot_postgres', '-U', 'chatwoot', '-d', 'chatwoot_db']
    assert 'PGPASSWORD=%s' % PG_PASSWORD in create['Env']


def test_the_shape_never_changes(host, fake_docker, tmp_path):
    reached, dummy = run_module(dict(args_for(host, full_engine(fake_docker).socket_path), _ansible_no_log=True),
                                module='chatwoot_host_info', secrets=())
    unreached, failed = run_module(args_for(host, str(tmp_path / 'none.sock')), module='chatwoot_host_info')
    assert not failed and unreached['engine'] == '' and 'does not answer' in unreached['engine_error']
    assert unreached['msg'].startswith('no Docker engine')
    bad, failed = run_module(args_for(host, str(tmp_path / 'none.sock'), timeout=-1),
                             module='chatwoot_host_info')
    assert failed
    ignored = {'invocation', 'warnings', 'failed'}
    assert set(reached) - ignored == set(unreached) - ignored == set(bad) - ignored
    for key in ('containers', 'volume', 'network', 'images', 'files', 'lock', 'postgres', 'redis', 'health', 'survey'):
        assert shape(reached[key]) == shape(unreached[key]) == shape(bad[key]), key


@pytest.mark.parametrize('overrides, words', [
    ({'containers': ['../etc']}, "'../etc' is not a valid container name"),
    ({'postgres_container': 'a b'}, "'a b' is not a valid container name"),
    ({'volume': 'no/slash'}, "volume 'no/slash' is not a valid volume name"),
    ({'images': ['redis:8', ' ']}, 'images must not hold an empty reference'),
    ({'files': {'record': '/x'}}, "files: the name 'record' is taken by record_file"),
    ({'files': {'env': 'relative/.env'}}, "files: env must be an absolute path, got 'relative/.env'"),
    ({'postgres_host': None}, 'postgres_host is required with postgres_container'),
    ({'timeout': 0}, 'timeout must be greater than 0'),
    ({'survey': {'project': 'chatwoot', 'compose_file': '/opt/chatwoot/docker-compose.yml', 'marker': 'm',
                 'components': {'rails': 'a;b'}}}, "survey.components: rails: 'a;b' is not a valid container name"),
])
def test_bad_input_fails_before_anything_is_read(host, fake_docker, overrides, words):
    engine = full_engine(fake_docker)
    result, failed = run_module(args_for(host, engine.socket_path, **overrides), module='chatwoot_host_info')
    assert failed and result['msg'] == words
    assert engine.requests == []


def test_secrets_go_only_to_a_no_log_task(host, fake_docker, capsys):
    engine = full_engine(fake_docker)
    result, failed = run_module(args_for(host, engine.socket_path), module='chatwoot_host_info')
    assert not failed
    assert result['secrets'] == {} and result['secrets_withheld'] is True
    # In-process, ansible-core 2.19 puts a module's warning in its result, or shows it at once on stderr when the
    # controller's display was set up by an earlier test; through Ansible it is shown (the playbook test below).
    said = json.dumps(result.get('warnings', [])) + capsys.readouterr().err
    assert 'secrets are not returned: the task has no no_log' in said
    # the rest is there, and nothing else withheld
    assert result['record']['version'] == 'v4.15.1' and result['postgres']['prepared'] is True


@pytest.mark.parametrize('which, content, words', [
    ('secrets', '{"postgres_password": "' + PG_PASSWORD, 'the secrets file %s is not valid JSON'),
    ('record', '[1, 2]', 'the record %s holds a JSON list, not an object'),
])
def test_a_kept_file_that_is_not_a_json_object_fails(host, fake_docker, which, content, words):
    path = host / 'state' / ('secrets.json' if which == 'secrets' else 'deployed.json')
    path.write_text(content)
    result, failed = run_module(dict(args_for(host, full_engine(fake_docker).socket_path), _ansible_no_log=True),
                                module='chatwoot_host_info')
    assert failed and result['msg'].startswith(words % path)
    assert result['secrets'] == {} and result['record'] == {}


def test_check_mode_reads_the_same(host, fake_docker):
    engine = full_engine(fake_docker)
    normal, dummy = run_module(dict(args_for(host, engine.socket_path), _ansible_no_log=True),
                               module='chatwoot_host_info', secrets=())
    checked, failed = run_module(dict(args_for(host, engine.socket_path), _ansible_no_log=True,
                                      _ansible_check_mode=True), module='chatwoot_host_info', secrets=())
    assert not failed
    normal.pop('invocation', None)
    checked.pop('invocation', None)
    assert checked == normal


def test_compose_version_from_the_docker_command(host, fake_docker):
    cli = host / 'docker'
    cli.write_text('#!/bin/sh\n[ "$*" = "compose version --short" ] && echo 2.99.1 && exit 0\nexit 1\n')
    cli.chmod(0o755)
    engine = full_engine(fake_docker)
    result, dummy = run_module(args_for(host, engine.socket_path, docker_cli=str(cli)), module='chatwoot_host_info')
    assert result['compose'] == '2.99.1' and 'Compose 2.99.1' in result['msg']
    cli.write_text('#!/bin/sh\necho "docker: compose is not a docker command" >&2\nexit 1\n')
    result, dummy = run_module(args_for(host, engine.socket_path, docker_cli=str(cli)), module='chatwoot_host_info')
    assert result['compose'] == '' and 'Compose missing' in result['msg']


@pytest.mark.parametrize('status, overrides, reason', [
    ('paused', {}, 'container chatwoot_postgres is paused'),
    ('running', {'postgres_container': ''}, 'no postgres_container given'),
    ('running', {'env_file': '/nonexistent/.env'}, 'no POSTGRES_PASSWORD in /nonexistent/.env'),
])
def test_no_proof_without_a_running_container_and_a_password(host, fake_docker, status, overrides, reason):
    engine = full_engine(fake_docker, pg_status=status)
    result, failed = run_module(args_for(host, engine.socket_path, **overrides), module='chatwoot_host_info')
    assert not failed
    assert result['postgres'] == {'checked': False, 'reason': reason, 'answered': False, 'accepted': None,
                                  'prepared': None, 'state': '', 'next_accepted': None, 'next_reason': 'not asked'}
    assert not [path for method, path, body in engine.requests if method == 'POST']


NEXT_PASSWORD = 'Next-Pg-S3cret-k4'
ANSWERS = {  # what psql says: (stream, text, exit code)
    'prepared': (1, 't\n', 0),
    'refused': (2, 'psql: error: connection to server failed: FATAL:  password authentication failed for user '
                   '"chatwoot"\n', 2),
    'silent': (2, 'psql: error: connection to server failed: timeout expired\n', 2),
}


def two_password_engine(fake_docker, env_answer, next_answer):
    """A running Postgres whose psql answers by the password in the exec's environment: the env file's (PG_PASSWORD)
    with ANSWERS[env_answer], any other with ANSWERS[next_answer]."""
    def create(body):
        return 201, {'Id': 'x1' if 'PGPASSWORD=%s' % PG_PASSWORD in (body or {}).get('Env', []) else 'x2'}

    pg = hs.container_json('chatwoot_postgres', status='running')
    pg['Image'] = IMAGE_ID
    routes = {
        ('GET', '/version'): (200, {'Version': '27.5.1', 'ApiVersion': '1.47'}),
        ('GET', '/volumes/chatwoot_postgres_data'): (200, {'CreatedAt': '2026-11-30T10:00:00Z'}),
        ('POST', '/containers/chatwoot_postgres/exec'): (201, create),
    }
    for exec_id, kind in (('x1', env_answer), ('x2', next_answer)):
        stream, text, code = ANSWERS[kind]
        routes[('POST', '/exec/%s/start' % exec_id)] = (200, frame(stream, text))
        routes[('GET', '/exec/%s/json' % exec_id)] = (200, {'Running': False, 'ExitCode': code})
    return fake_docker({'chatwoot_postgres': pg}, routes=routes)


def proofs(engine):
    return [[item for item in body['Env'] if item.startswith('PGPASSWORD=')]
            for body in execs(engine, 'chatwoot_postgres')]


def read_proving(host, engine, no_log=False):
    """The module with prove_kept_postgres_password; with no_log the kept secrets are in the result, unmasked."""
    args = args_for(host, engine.socket_path, prove_kept_postgres_password=True)
    if no_log:
        return run_module(dict(args, _ansible_no_log=True), module='chatwoot_host_info', secrets=())
    return run_module(args, module='chatwoot_host_info', secrets=SECRETS + (NEXT_PASSWORD,))


def keep(host, password):
    """secrets.json as edited by hand: the password a deploy would write next is PASSWORD."""
    (host / 'state' / 'secrets.json').write_text(json.dumps({'postgres_password': password,
                                                             'secret_key_base': SECRET_KEY_BASE}))


def test_the_kept_password_is_not_proven_when_it_is_the_env_files(host, fake_docker):
    engine = two_password_engine(fake_docker, 'prepared', 'refused')
    result, failed = read_proving(host, engine, no_log=True)
    assert not failed, result['msg']
    assert (result['postgres']['accepted'], result['postgres']['next_accepted']) == (True, None)
    assert result['postgres']['next_reason'] == "the same password as the env file's"
    assert proofs(engine) == [['PGPASSWORD=%s' % PG_PASSWORD]]


def test_a_kept_password_that_differs_is_proven_only_when_asked(host, fake_docker):
    keep(host, NEXT_PASSWORD)
    engine = two_password_engine(fake_docker, 'prepared', 'refused')
    result, failed = run_module(args_for(host, engine.socket_path), module='chatwoot_host_info',
                                secrets=SECRETS + (NEXT_PASSWORD,))
    assert not failed, result['msg']
    assert (result['postgres']['next_accepted'], result['postgres']['next_reason']) == (None, 'not asked')
    assert proofs(engine) == [['PGPASSWORD=%s' % PG_PASSWORD]]


def test_a_kept_password_that_differs_from_the_env_files_is_proven_and_refused(host, fake_docker):
    keep(host, NEXT_PASSWORD)
    engine = two_password_engine(fake_docker, 'prepared', 'refused')
    result, failed = read_proving(host, engine, no_log=True)
    assert not failed, result['msg']
    assert (result['postgres']['accepted'], result['postgres']['prepared']) == (True, True)
    assert result['postgres']['next_accepted'] is False
    assert 'password authentication failed' in result['postgres']['next_reason']
    assert NEXT_PASSWORD not in result['postgres']['next_reason']
    assert proofs(engine) == [['PGPASSWORD=%s' % PG_PASSWORD], ['PGPASSWORD=%s' % NEXT_PASSWORD]]
    # No secret option: nothing in the result is masked, the kept secrets come back as kept.
    assert result['secrets']['postgres_password'] == NEXT_PASSWORD


def test_a_kept_password_is_proven_with_the_same_login_and_may_open_it(host, fake_docker):
    # The database's password changed by hand, and kept: the one in .env is refused, the kept one opens it.
    keep(host, NEXT_PASSWORD)
    engine = two_password_engine(fake_docker, 'refused', 'prepared')
    result, failed = read_proving(host, engine)
    assert not failed, result['msg']
    assert (result['postgres']['accepted'], result['postgres']['next_accepted']) == (False, True)
    assert result['postgres']['next_reason'].startswith('the kept password opens database chatwoot_db as chatwoot')
    assert [body['Cmd'][:8] for body in execs(engine, 'chatwoot_postgres')] == [
        ['psql', '-X', '-h', 'chatwoot_postgres', '-U', 'chatwoot', '-d', 'chatwoot_db']] * 2


def test_no_proof_of_the_kept_password_when_the_server_did_not_answer(host, fake_docker):
    keep(host, NEXT_PASSWORD)
    engine = two_password_engine(fake_docker, 'silent', 'prepared')
    result, failed = read_proving(host, engine)
    assert not failed, result['msg']
    assert (result['postgres']['accepted'], result['postgres']['next_accepted']) == (None, None)
    assert result['postgres']['next_reason'] == "not proven: the server did not answer the env file's"
    assert proofs(engine) == [['PGPASSWORD=%s' % PG_PASSWORD]]


def run_playbook(playbook, verbosity):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_NOCOLOR='1',
               ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_INJECT_INVOCATION='1')
    env.pop('ANSIBLE_CONFIG', None)
    with tempfile.TemporaryDirectory(prefix='cw-hostinfo-play-') as workdir:
        path = os.path.join(workdir, 'play.yml')
        with open(path, 'w') as handle:
            handle.write(playbook)
        proc = subprocess.run([ANSIBLE + '-playbook', '-i', 'localhost,', '-c', 'local', '-e',
                               'ansible_python_interpreter=%s' % PYTHON, path, '-' + 'v' * verbosity, '--diff'],
                              cwd=workdir, env=env, capture_output=True, text=True, timeout=180, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.promise('host_info_gives_the_kept_secrets_only_to_a_no_log_task')
def test_through_ansible_the_secrets_reach_the_variable_and_never_the_output(host, fake_docker):
    engine = full_engine(fake_docker)
    args = json.dumps(args_for(host, engine.socket_path))
    playbook = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the host, no_log
      sinapum.chatwoot.chatwoot_host_info: %s
      register: read
      no_log: true
    - name: Read the host without no_log
      sinapum.chatwoot.chatwoot_host_info: %s
      register: shown
    - name: The secrets reached the variable of the no_log task only
      ansible.builtin.assert:
        that:
          - read.secrets.postgres_password | hash('sha1') == %s
          - read.secrets.secret_key_base | length == %d
          - shown.secrets == {} and shown.secrets_withheld
          - read.engine == '27.5.1' and read.postgres.prepared
        quiet: true
''' % (args, args, json.dumps(hs_sha1(PG_PASSWORD)), len(SECRET_KEY_BASE))
    rc, output = run_playbook(playbook, 3)
    assert rc == 0, output[-3000:]
    assert 'ok=3' in output
    for secret in SECRETS:
        assert secret not in output, 'a kept secret was printed'
    assert 'secrets are not returned: the task has no no_log' in output


def hs_sha1(text):
    import hashlib
    return hashlib.sha1(text.encode()).hexdigest()


class Turns(list):
    """Answers given one after the other, for a route asked more than once in a read."""


class Routes(dict):
    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        return value.pop(0) if isinstance(value, Turns) else value


REDIS_PASSWORD = 'Kept-Redis-S3cret-w4'
KEYS = ['alfred:CHATWOOT_INSTALLATION_ONBOARDING', 'alfred:SINAPUM_CHATWOOT_ADMIN_STATE']


def engine_with_state(fake_docker, psql_answers, psql_codes, redis_answer='', redis_code=0):
    pg = hs.container_json('chatwoot_postgres')
    redis = hs.container_json('chatwoot_redis')
    return fake_docker({'chatwoot_postgres': pg, 'chatwoot_redis': redis}, routes=Routes({
        ('GET', '/version'): (200, {'Version': '27.5.1', 'ApiVersion': '1.47'}),
        ('GET', '/images/json'): (200, []),
        ('POST', '/containers/chatwoot_postgres/exec'): (201, {'Id': 'x1'}),
        # An answer is one (stream, text) frame, or a list of them (stdout, then stderr).
        ('POST', '/exec/x1/start'): Turns((200, b''.join(frame(*part) for part in (
            answer if isinstance(answer, list) else [answer]))) for answer in psql_answers),
        ('GET', '/exec/x1/json'): Turns((200, {'Running': False, 'ExitCode': code}) for code in psql_codes),
        ('POST', '/containers/chatwoot_redis/exec'): (201, {'Id': 'x2'}),
        ('POST', '/exec/x2/start'): (200, frame(1, redis_answer)),
        ('GET', '/exec/x2/json'): (200, {'Running': False, 'ExitCode': redis_code}),
    }))


def state_args(host, engine, **overrides):
    (host / 'project' / '.env').write_text("POSTGRES_USERNAME='chatwoot'\nPOSTGRES_PASSWORD='%s'\n"
                                           "POSTGRES_DATABASE='chatwoot_db'\nREDIS_PASSWORD='%s'\n"
                                           % (PG_PASSWORD, REDIS_PASSWORD))
    args = dict(containers=['chatwoot_postgres', 'chatwoot_redis'], volume='', network='', images=[],
                postgres_state_query='SELECT md5(1::text)', redis_container='chatwoot_redis', redis_keys=KEYS)
    args.update(overrides)
    return args_for(host, engine.socket_path, **args)


def execs(engine, container):
    return [body for method, path, body in engine.requests if method == 'POST' and path.endswith('%s/exec' % container)]


def test_the_state_query_and_the_redis_keys_are_read_with_the_host(host, fake_docker):
    engine = engine_with_state(fake_docker, [(1, 't\nc4ca4238a0b923820dcc509a6f75849b\n')], [0],
                               redis_answer='\n{"inputs": "d"}\n')
    result, failed = run_module(state_args(host, engine), module='chatwoot_host_info')
    assert not failed, result['msg']
    assert result['postgres']['state'] == 'c4ca4238a0b923820dcc509a6f75849b'
    assert result['postgres']['prepared'] is True
    # One psql asks both: the proof, then the state query only where the proof found the database prepared.
    asked = execs(engine, 'chatwoot_postgres')
    assert len(asked) == 1 and asked[0]['Cmd'][:2] == ['sh', '-c']
    script = asked[0]['Cmd'][3]
    assert script.index(PREPARED_QUERY) < script.index('\\if :prepared') < script.index('SELECT md5(1::text);')
    assert 'ON_ERROR_STOP=1' in asked[0]['Cmd'] and 'PGPASSWORD=%s' % PG_PASSWORD in asked[0]['Env']
    assert PG_PASSWORD not in ' '.join(asked[0]['Cmd'])
    assert result['redis'] == {'checked': True, 'answered': True, 'reason': 'read 2 keys',
                               'values': {KEYS[0]: None, KEYS[1]: '{"inputs": "d"}'}}
    redis = execs(engine, 'chatwoot_redis')[0]
    # The password only in the exec's environment, never in its arguments.
    assert redis['Cmd'] == ['redis-cli', '--no-auth-warning', '--raw', 'MGET'] + KEYS
    assert redis['Env'] == ['REDISCLI_AUTH=%s' % REDIS_PASSWORD]
    assert REDIS_PASSWORD not in json.dumps(result) and PG_PASSWORD not in json.dumps(result)


def test_a_database_never_prepared_has_no_state(host, fake_docker):
    engine = engine_with_state(fake_docker, [(1, 'f\n')], [0], redis_answer='true\n\n')
    result, failed = run_module(state_args(host, engine), module='chatwoot_host_info')
    assert not failed
    assert result['postgres']['prepared'] is False and result['postgres']['state'] == ''
    assert result['postgres']['reason'].endswith('it was never prepared')
    assert len(execs(engine, 'chatwoot_postgres')) == 1
    assert result['redis']['values'] == {KEYS[0]: 'true', KEYS[1]: None}


def test_a_state_query_that_fails_leaves_the_state_empty_and_says_why(host, fake_docker):
    engine = engine_with_state(fake_docker, [[(1, 't\n'), (2, 'psql:<stdin>:4: ERROR:  relation "users" does not exist\n')]],
                               [3], redis_answer='\n\n')
    result, failed = run_module(state_args(host, engine), module='chatwoot_host_info')
    assert not failed
    # The proof's line came first: the login was accepted, the failure is the state query's, not a refused login.
    assert (result['postgres']['accepted'], result['postgres']['prepared'], result['postgres']['state']) == (True, True, '')
    assert 'the state query exited 3: psql:<stdin>:4: ERROR:  relation "users" does not exist' in result['postgres']['reason']


@pytest.mark.parametrize('stderr, accepted', [
    ('psql: error: connection to server at "chatwoot_postgres" (172.18.0.2), port 5432 failed: FATAL:  password '
     'authentication failed for user "chatwoot"', False),
    ('psql: error: connection to server at "chatwoot_postgres" (172.18.0.2), port 5432 failed: Connection refused', None),
])
def test_a_login_that_fails_before_the_proof_is_no_answer(host, fake_docker, stderr, accepted):
    engine = engine_with_state(fake_docker, [(2, stderr)], [2], redis_answer='\n\n')
    result, failed = run_module(state_args(host, engine), module='chatwoot_host_info')
    assert not failed
    assert (result['postgres']['answered'], result['postgres']['accepted'], result['postgres']['state']) == (
        False, accepted, '')
    assert 'exited 2' in result['postgres']['reason']


@pytest.mark.parametrize('answer, code', [
    ('WRONGPASS invalid username-password pair or user is disabled.\n', 1),  # an error reply
    ('only one line\n', 0),                                                  # a value with a newline in it
    ('a\nb\nc\n', 0),
])
def test_a_redis_answer_that_is_not_one_line_per_key_is_no_answer(host, fake_docker, answer, code):
    engine = engine_with_state(fake_docker, [(1, 't\nx\n')], [0], redis_answer=answer, redis_code=code)
    result, failed = run_module(state_args(host, engine), module='chatwoot_host_info')
    assert not failed
    assert result['redis']['checked'] is True and result['redis']['answered'] is False
    assert result['redis']['values'] == {KEYS[0]: None, KEYS[1]: None}
    assert 'redis-cli in chatwoot_redis exited %d' % code in result['redis']['reason']


def test_no_redis_read_without_a_container(host, fake_docker):
    engine = engine_with_state(fake_docker, [(1, 't\nx\n')], [0])
    result, dummy = run_module(state_args(host, engine, redis_container=''), module='chatwoot_host_info')
    assert result['redis'] == {'checked': False, 'answered': False, 'reason': 'no redis_container given',
                               'values': {KEYS[0]: None, KEYS[1]: None}}
    assert execs(engine, 'chatwoot_redis') == []


def test_a_key_with_a_newline_is_refused_before_anything_is_read(host, fake_docker):
    engine = engine_with_state(fake_docker, [], [])
    result, failed = run_module(state_args(host, engine, redis_keys=['a\nb']), module='chatwoot_host_info')
    assert failed and result['msg'] == 'redis_keys must not hold an empty key, nor one with a newline'
    assert engine.requests == []


# ------------------------------------------------------------------------------ the health probes within the read
def test_the_health_probes_are_asked_with_the_read_when_every_container_runs(host, fake_docker, healthy_args):
    engine = full_engine(fake_docker)
    args = args_for(host, engine.socket_path, containers=['chatwoot_postgres'], health=healthy_args)
    result, failed = run_module(dict(args, _ansible_no_log=True), module='chatwoot_host_info',
                                secrets=(REDIS_PASSWORD,))
    assert not failed, result['msg']
    health = result['health']
    assert health['healthy'] is True, health['msg']
    assert (health['attempts'], health['failed_components']) == (1, [])
    assert health['msg'] == 'healthy: web, postgres, redis, sidekiq ok'
    assert result['postgres']['accepted'] is True  # the rest of the read was made too
    assert result['msg'].endswith('; health: healthy: web, postgres, redis, sidekiq ok')


def test_an_unhealthy_stack_is_data_not_a_failed_read(host, fake_docker, healthy_args, tmp_path):
    engine = full_engine(fake_docker)
    closed = 'http://127.0.0.1:%d' % hs.free_port()
    args = args_for(host, engine.socket_path, containers=['chatwoot_postgres'],
                    health=dict(healthy_args, web_url=closed))
    result, failed = run_module(dict(args, _ansible_no_log=True), module='chatwoot_host_info',
                                secrets=(REDIS_PASSWORD,))
    assert not failed, result['msg']
    assert result['health']['healthy'] is False
    assert result['health']['failed_components'] == ['web']
    assert result['health']['attempts'] == 1


@pytest.mark.parametrize('containers, health, why', [
    (['chatwoot_postgres', 'chatwoot_rails'], {}, 'not asked: chatwoot_rails is not running'),
    (['chatwoot_postgres'], None, 'not asked: no health options'),
    (['chatwoot_postgres'], {'components': ['postgres'], 'postgres_user': None, 'env_file': '/nonexistent/chatwoot.env'},
     'not asked: postgres_user is not given and env_file /nonexistent/chatwoot.env does not exist'),
    (['chatwoot_postgres'], {'components': ['web'], 'web_url': 'ftp://x'},
     'not asked: web_url must be an http:// or https:// URL'),
])
def test_the_health_probes_not_asked_say_why(host, fake_docker, healthy_args, containers, health, why):
    engine = full_engine(fake_docker)
    options = None if health is None else dict(healthy_args, **health)
    args = args_for(host, engine.socket_path, containers=containers, health=options)
    result, failed = run_module(dict(args, _ansible_no_log=True), module='chatwoot_host_info', secrets=())
    assert not failed, result['msg']
    assert result['health']['msg'].startswith(why), result['health']['msg']
    assert (result['health']['attempts'], result['health']['healthy'], result['health']['components']) == (0, False, {})


def test_no_health_probe_without_an_engine(host, healthy_args, tmp_path):
    result, failed = run_module(args_for(host, str(tmp_path / 'none.sock'), containers=['chatwoot_postgres'],
                                         health=healthy_args), module='chatwoot_host_info', secrets=())
    assert not failed
    assert result['health']['msg'] == 'not asked: no Docker engine answers'


@pytest.mark.parametrize('health, why', [
    ({'wait': True}, 'not asked: health: '),
    ({'no_such_option': 1}, 'not asked: health: '),
    ({'redis_port': 'six'}, 'not asked: health: '),
])
def test_health_options_are_checked_as_chatwoot_health_checks_them(host, fake_docker, healthy_args, health, why):
    engine = full_engine(fake_docker)
    args = args_for(host, engine.socket_path, containers=['chatwoot_postgres'], health=dict(healthy_args, **health))
    result, failed = run_module(dict(args, _ansible_no_log=True), module='chatwoot_host_info', secrets=())
    assert not failed, result['msg']
    assert result['health']['msg'].startswith(why) and list(health)[0] in result['health']['msg'], result['health']['msg']
    assert result['health']['attempts'] == 0


def test_the_health_passwords_given_never_show(host, fake_docker, healthy_args, pg):
    engine = full_engine(fake_docker)
    args = args_for(host, engine.socket_path, containers=['chatwoot_postgres'], secrets_file=None,
                    health=dict(healthy_args, postgres_password=pg.PASSWORD))
    # run_module fails the test when a password is anywhere in the output, the echoed arguments included
    result, failed = run_module(args, module='chatwoot_host_info', secrets=(REDIS_PASSWORD, pg.PASSWORD))
    assert not failed, result['msg']
    assert result['health']['healthy'] is True, result['health']['msg']


def test_the_questions_that_wait_are_asked_side_by_side(host, fake_docker, monkeypatch):
    import threading
    from ansible_collections.sinapum.chatwoot.plugins.modules import chatwoot_host_info as module
    # Each answers only once all three are being asked: asked one after the other, the first would wait in vain.
    barrier = threading.Barrier(3, timeout=10)

    def meet(answer):
        def job(*args):
            barrier.wait()
            return answer
        return job
    postgres, redis = dict(module.empty_postgres(), reason='asked'), dict(module.empty_redis([]), reason='asked')
    monkeypatch.setattr(module, '_postgres', meet(postgres))
    monkeypatch.setattr(module, '_redis', meet(redis))
    monkeypatch.setattr(module, 'compose_version', meet('2.26.1'))
    engine = full_engine(fake_docker)
    params = dict((name, spec.get('default')) for name, spec in module.argument_spec().items())
    params.update(args_for(host, engine.socket_path, containers=['chatwoot_postgres']))
    result = module.read_host(params, True, lambda name: None, None)
    assert (result['postgres'], result['redis'], result['compose']) == (postgres, redis, '2.26.1')
    assert not barrier.broken


def survey_args(host, engine, adopt=False):
    return args_for(host, engine.socket_path, survey={
        'project': 'chatwoot', 'compose_file': str(host / 'project' / 'docker-compose.yml'), 'adopt': adopt,
        'marker': 'Written by the sinapum.chatwoot role', 'files': [str(host / 'project' / '.env')],
        'components': {'postgres': 'chatwoot_postgres', 'rails': 'chatwoot_rails', 'redis': 'chatwoot_redis'}})


def test_the_survey_finds_what_a_deploy_would_take_with_the_read(host, fake_docker):
    engine = full_engine(fake_docker)
    # chatwoot_postgres was made by another Compose project; the role's .env has no marker and no record checksum.
    engine.containers['chatwoot_postgres']['Config']['Labels'] = {'com.docker.compose.project': 'core_sinapum'}
    result, failed = run_module(dict(survey_args(host, engine), _ansible_no_log=True), module='chatwoot_host_info',
                                secrets=())
    assert not failed, result['msg']
    survey = result['survey']
    assert survey['asked'] and survey['engine'] and survey['mine'] == [] and survey['moved'] == {}
    assert list(survey['foreign']) == ['chatwoot_postgres'] and survey['foreign']['chatwoot_postgres']['project'] == 'core_sinapum'
    assert survey['files'] == {str(host / 'project' / '.env'): {'managed': False}}
    # Not adopting: the env file is not read, nothing runs in the foreign container but the read's own psql proof.
    assert survey['env_file'] == {} and 'stack' not in survey
    asked = [path for method, path, body in engine.requests if method == 'GET' and path.startswith('/containers/')]
    assert '/containers/chatwoot_rails-before-adoption/json' in asked


def test_adopting_reads_secrets_so_only_a_no_log_task_may_ask(host, fake_docker):
    engine = full_engine(fake_docker)
    result, failed = run_module(survey_args(host, engine, adopt=True), module='chatwoot_host_info')
    assert failed and result['msg'] == ("survey.adopt reads the running stack's secrets: only a task with no_log may "
                                        "ask for it")
    assert engine.requests == []
