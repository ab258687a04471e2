# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What chatwoot_host_info asks the engine, against a fake engine on a real unix socket: an engine that does not
answer is data, one that fails half-way is an error, and psql's answers become accepted / prepared / state."""

from __future__ import annotations

import struct

import pytest

import health_servers as hs
from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import DockerError
from ansible_collections.sinapum.chatwoot.plugins.module_utils._host_engine import (
    PREPARED_QUERY,
    PROOF_AND_STATE_SCRIPT,
    empty_engine_facts,
    postgres_proof,
    read_engine,
)

PASSWORD = 'Proof-S3cret-pw'
IMAGE_ID = 'sha256:' + '7' * 64


def frame(stream, text):
    data = text.encode()
    return struct.pack('>BxxxI', stream, len(data)) + data


def shape(value):
    """The keys of a nested dict, without the values."""
    if isinstance(value, dict):
        return dict((key, shape(item)) for key, item in value.items())
    return type(value).__name__ if isinstance(value, (bool, int, str, list)) else 'null'


def engine_routes():
    paused = hs.container_json('chatwoot_redis', status='paused')
    running = hs.container_json('chatwoot_postgres')
    running.update(Image=IMAGE_ID)
    running['State']['Health'] = {'Status': 'healthy'}
    running['Config']['Labels'] = {'com.docker.compose.project': 'chatwoot'}
    return {'chatwoot_postgres': running, 'chatwoot_redis': paused}, {
        ('GET', '/version'): (200, {'Version': '27.5.1', 'ApiVersion': '1.47'}),
        ('GET', '/volumes/chatwoot_postgres_data'): (200, {'CreatedAt': '2026-11-30T10:00:00Z'}),
        ('GET', '/networks/sinapum_network'): (200, {'Name': 'sinapum_network', 'Id': 'c' * 64}),
        ('GET', '/images/json'): (200, [{'Id': IMAGE_ID, 'RepoTags': ['pgvector/pgvector:pg16']}]),
    }


def test_everything_read(fake_docker):
    containers, routes = engine_routes()
    engine = fake_docker(containers, routes=routes)
    facts = read_engine(engine.socket_path, ['chatwoot_postgres', 'chatwoot_redis', 'chatwoot_rails'],
                        'chatwoot_postgres_data', 'sinapum_network', ['pgvector/pgvector:pg16', 'redis:7-alpine'])
    assert (facts['engine'], facts['engine_api_version'], facts['engine_error']) == ('27.5.1', '1.47', '')
    pg = facts['containers']['chatwoot_postgres']
    assert (pg['exists'], pg['status'], pg['running'], pg['health'], pg['image_id'], pg['compose_project']) == (
        True, 'running', True, 'healthy', IMAGE_ID, 'chatwoot')
    assert pg['started_at'] == '2026-11-25T10:00:00.000000000Z'
    redis = facts['containers']['chatwoot_redis']
    assert (redis['status'], redis['paused'], redis['running'], redis['health']) == ('paused', True, False, '')
    assert facts['containers']['chatwoot_rails']['status'] == 'missing'
    assert facts['volume'] == {'name': 'chatwoot_postgres_data', 'exists': True, 'created_at': '2026-11-30T10:00:00Z'}
    assert facts['network'] == {'name': 'sinapum_network', 'exists': True}
    assert facts['images'] == {'pgvector/pgvector:pg16': IMAGE_ID, 'redis:7-alpine': ''}
    # the same shape as when nothing could be asked
    assert shape(facts)['containers'] == shape(empty_engine_facts(
        ['chatwoot_postgres', 'chatwoot_redis', 'chatwoot_rails'], '', '', []))['containers']


def test_an_engine_that_does_not_answer_is_data(tmp_path, fake_docker):
    names = (['chatwoot_postgres'], 'chatwoot_postgres_data', 'sinapum_network', ['redis:8'])
    facts = read_engine(str(tmp_path / 'docker.sock'), *names)
    assert facts['engine'] == '' and 'does not answer' in facts['engine_error']
    assert facts == dict(empty_engine_facts(*names), engine_error=facts['engine_error'])
    denied = fake_docker(status_override=403)
    assert 'HTTP 403' in read_engine(denied.socket_path, *names)['engine_error']


def test_an_engine_failing_half_way_is_an_error(fake_docker):
    containers, routes = engine_routes()
    routes[('GET', '/images/json')] = (500, {'message': 'layer store broken'})
    engine = fake_docker(containers, routes=routes)
    with pytest.raises(DockerError, match='layer store broken'):
        read_engine(engine.socket_path, ['chatwoot_postgres'], '', '', ['redis:8'])


def proof_engine(fake_docker, code, stdout='', stderr=''):
    return fake_docker(routes={
        ('POST', '/containers/chatwoot_postgres/exec'): (201, {'Id': 'p1'}),
        ('POST', '/exec/p1/start'): (200, frame(1, stdout) + frame(2, stderr)),
        ('GET', '/exec/p1/json'): (200, {'Running': False, 'ExitCode': code}),
    })


def prove(engine):
    return postgres_proof(engine.socket_path, 'chatwoot_postgres', 'chatwoot_postgres', 'chatwoot', 'chatwoot',
                          PASSWORD, timeout=3)


@pytest.mark.parametrize('stdout, prepared', [('t\n', True), ('f\n', False)])
def test_the_password_opens_the_database(fake_docker, stdout, prepared):
    engine = proof_engine(fake_docker, 0, stdout)
    result = prove(engine)
    assert (result['checked'], result['answered'], result['accepted'], result['prepared']) == (
        True, True, True, prepared)
    body = engine.requests[0][2]
    # over TCP to the service's name, the password in the exec's environment only
    assert body['Cmd'] == ['psql', '-X', '-h', 'chatwoot_postgres', '-U', 'chatwoot', '-d', 'chatwoot', '-tAc',
                           PREPARED_QUERY]
    assert 'PGPASSWORD=%s' % PASSWORD in body['Env'] and PASSWORD not in ' '.join(body['Cmd'])


@pytest.mark.parametrize('stderr, accepted', [
    ('psql: error: connection to server at "chatwoot_postgres" (172.18.0.2), port 5432 failed: FATAL:  password '
     'authentication failed for user "chatwoot"', False),
    ('psql: error: connection to server at "chatwoot_postgres" (172.18.0.2), port 5432 failed: FATAL:  role '
     '"chatwoot" does not exist', False),
    ('psql: error: connection to server at "chatwoot_postgres" (172.18.0.2), port 5432 failed: FATAL:  the database '
     'system is starting up', None),
    ('psql: error: connection to server at "chatwoot_postgres" (172.18.0.2), port 5432 failed: Connection refused',
     None),
])
def test_a_refused_login_is_told_from_a_server_not_ready(fake_docker, stderr, accepted):
    result = prove(proof_engine(fake_docker, 2, stderr=stderr + ' (password %s)' % PASSWORD))
    assert (result['answered'], result['accepted'], result['prepared']) == (False, accepted, None)
    assert 'exited 2' in result['reason'] and PASSWORD not in result['reason']


def test_psql_that_cannot_be_run_is_data(fake_docker):
    engine = fake_docker(routes={('POST', '/containers/chatwoot_postgres/exec'): (
        409, {'message': 'Container chatwoot_postgres is not running'})})
    result = prove(engine)
    assert (result['checked'], result['answered'], result['accepted']) == (True, False, None)
    assert 'is not running' in result['reason']


STATE_QUERY = 'SELECT md5(1::text);\n'


@pytest.mark.parametrize('stdout, code, prepared, state', [
    ('t\nc4ca4238a0b923820dcc509a6f75849b\n', 0, True, 'c4ca4238a0b923820dcc509a6f75849b'),
    ('f\n', 0, False, ''),
])
def test_the_state_is_asked_by_the_proofs_psql_on_a_prepared_database(fake_docker, stdout, code, prepared, state):
    engine = proof_engine(fake_docker, code, stdout)
    result = postgres_proof(engine.socket_path, 'chatwoot_postgres', 'chatwoot_postgres', 'chatwoot', 'chatwoot',
                            PASSWORD, timeout=3, state_query=STATE_QUERY)
    assert (result['answered'], result['accepted'], result['prepared'], result['state']) == (True, True, prepared, state)
    assert len(engine.requests) == 3  # one exec: create, start, inspect
    cmd = engine.requests[0][2]['Cmd']
    # psql reads the script sh hands it; the state query guarded by the proof's answer, its own ';' not doubled.
    assert cmd[:4] == ['sh', '-c', 'printf "%s\\n" "$0" | psql "$@"', PROOF_AND_STATE_SCRIPT % 'SELECT md5(1::text)']
    assert cmd[4:] == ['-X', '-h', 'chatwoot_postgres', '-U', 'chatwoot', '-d', 'chatwoot', '-v', 'ON_ERROR_STOP=1',
                       '-tA', '-f', '-']
    assert cmd[3].splitlines() == [PREPARED_QUERY + ' AS prepared \\gset', '\\echo :prepared', '\\if :prepared',
                                   'SELECT md5(1::text);', '\\endif']
    assert 'PGPASSWORD=%s' % PASSWORD in engine.requests[0][2]['Env'] and PASSWORD not in ' '.join(cmd)


def test_a_state_query_that_fails_after_the_proof_is_no_refused_login(fake_docker):
    # "does not exist" is also words of a refused login (no such role): the proof's line tells them apart.
    engine = proof_engine(fake_docker, 3, 't\n', stderr='psql:<stdin>:4: ERROR:  relation "users" does not exist')
    result = postgres_proof(engine.socket_path, 'chatwoot_postgres', 'chatwoot_postgres', 'chatwoot', 'chatwoot',
                            PASSWORD, timeout=3, state_query=STATE_QUERY)
    assert (result['answered'], result['accepted'], result['prepared'], result['state']) == (True, True, True, '')
    assert result['reason'].endswith('it was prepared; the state query exited 3: psql:<stdin>:4: ERROR:  relation '
                                     '"users" does not exist')


def test_a_refused_login_with_a_state_query_is_still_a_refused_login(fake_docker):
    engine = proof_engine(fake_docker, 2, stderr='psql: error: connection to server at "chatwoot_postgres" '
                          '(172.18.0.2), port 5432 failed: FATAL:  role "chatwoot" does not exist')
    result = postgres_proof(engine.socket_path, 'chatwoot_postgres', 'chatwoot_postgres', 'chatwoot', 'chatwoot',
                            PASSWORD, timeout=3, state_query=STATE_QUERY)
    assert (result['answered'], result['accepted'], result['prepared'], result['state']) == (False, False, None, '')
