# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_host_info against the real Docker engine: a Postgres container (the rig's pgvector image) on a volume and
a network of the test's own, and a paused Redis. What the module returns is held against what the docker command,
stat and sha1sum show of the same host, key by key, and the password proof runs psql through the engine's exec.
Needs the engine and the rig's images (tests/rig/up.sh); skipped otherwise (a failure under CI).
Starts containers: run it under /work/docker.lock on the shared machine."""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid

import pytest

import health_servers as hs
from health_fixtures import run_module

IMAGES = ('sinapum-rig/pgvector:pg17', 'sinapum-rig/redis:8')
PG_PASSWORD = 'Real-Pg-S3cret-w4'
KEPT = {'postgres_password': PG_PASSWORD, 'secret_key_base': 'Real-Skb-S3cret-' + 'k' * 24}
SECRETS = tuple(KEPT.values())
MISSING_IMAGE = 'sinapum-rig/cw-hostinfo-never-pulled:none'


def env_text(password):
    return "POSTGRES_USERNAME='chatwoot'\nPOSTGRES_PASSWORD='%s'\nPOSTGRES_DATABASE='chatwoot'\n" % password


@pytest.fixture(scope='module')
def real_host(tmp_path_factory):
    hs.require_engine_and_images(IMAGES)
    suffix = uuid.uuid4().hex[:8]
    names = {'network': 'cw-hostinfo-net-%s' % suffix, 'volume': 'cw-hostinfo-pgdata-%s' % suffix,
             'postgres': 'cw-hostinfo-pg-%s' % suffix, 'redis': 'cw-hostinfo-redis-%s' % suffix,
             'absent': 'cw-hostinfo-absent-%s' % suffix, 'compose_project': 'cw-hostinfo-%s' % suffix}
    root = tmp_path_factory.mktemp('host')
    state, project = root / 'state', root / 'project'
    state.mkdir(mode=0o700)
    project.mkdir(mode=0o750)
    (state / 'deployed.json').write_text(json.dumps({'version': 'v4.15.1'}, indent=2) + '\n')
    (state / 'secrets.json').write_text(json.dumps(KEPT, indent=2) + '\n')
    (project / '.env').write_text(env_text(PG_PASSWORD))
    (project / 'docker-compose.yml').write_text('services: {}\n')
    for path, mode in ((state / 'deployed.json', 0o600), (state / 'secrets.json', 0o600),
                       (project / '.env', 0o600), (project / 'docker-compose.yml', 0o640)):
        path.chmod(mode)
    try:
        hs.docker('network', 'create', names['network'])
        hs.docker('volume', 'create', names['volume'])
        hs.docker('run', '-d', '--name', names['postgres'], '--network', names['network'],
                  '--label', 'com.docker.compose.project=%s' % names['compose_project'],
                  '--label', 'com.docker.compose.service=postgres',
                  '-v', '%s:/var/lib/postgresql/data' % names['volume'],
                  '-e', 'POSTGRES_USER=chatwoot', '-e', 'POSTGRES_PASSWORD=%s' % PG_PASSWORD,
                  '-e', 'POSTGRES_DB=chatwoot',
                  # ready once it answers over TCP as itself: the init's own server listens on the socket only
                  '--health-cmd', 'pg_isready -h "$(hostname)" -U chatwoot -d chatwoot', '--health-interval', '1s',
                  '--health-retries', '60', IMAGES[0])
        hs.docker('run', '-d', '--name', names['redis'], '--network', names['network'], IMAGES[1])
        hs.docker('pause', names['redis'])

        def healthy():
            return hs.docker('inspect', '--format', '{{.State.Health.Status}}', names['postgres'],
                             check=False).stdout.strip() == 'healthy'

        hs.wait_for(healthy, timeout=90, interval=0.5, what='the test Postgres healthy')
        yield dict(names, root=root, state=state, project=project)
    finally:
        for name in (names['redis'], names['postgres']):
            hs.docker('rm', '-f', '-v', name, check=False)
        hs.docker('volume', 'rm', names['volume'], check=False)
        hs.docker('network', 'rm', names['network'], check=False)


def module_args(host):
    return {
        'containers': [host['postgres'], host['redis'], host['absent']],
        'volume': host['volume'],
        'network': host['network'],
        'images': list(IMAGES) + [MISSING_IMAGE],
        'record_file': str(host['state'] / 'deployed.json'),
        'secrets_file': str(host['state'] / 'secrets.json'),
        'files': {'state_dir': str(host['state']), 'project_dir': str(host['project']),
                  'env': str(host['project'] / '.env'), 'compose': str(host['project'] / 'docker-compose.yml')},
        'env_file': str(host['project'] / '.env'),
        'postgres_container': host['postgres'],
        'postgres_host': host['postgres'],
        'postgres_user': 'chatwoot',
        'postgres_database': 'chatwoot',
        '_ansible_no_log': True,
    }


def cli_view(host):
    """The same host as the docker command, stat and sha1sum show it, in the module's terms: what the role decides on
    was read this way (a shell script's key=value lines) before the module replaced it."""
    args = module_args(host)

    def docker_out(*argv):
        return hs.docker(*argv, check=False).stdout.strip()

    view = {'engine': docker_out('version', '--format', '{{.Server.Version}}'),
            'volume': docker_out('volume', 'inspect', '--format', '{{.CreatedAt}}', args['volume']),
            'network': hs.docker('network', 'inspect', args['network'], check=False).returncode == 0}
    containers = {}
    for name in args['containers']:
        line = docker_out('inspect', '--type', 'container', '--format',
                          '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.Image}}',
                          name)
        containers[name] = tuple(line.split()) if line else None
    image_lines = docker_out('image', 'ls', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}').splitlines()
    listed = dict(line.split(' ', 1) for line in image_lines)
    images = dict((ref, listed.get(ref, '')) for ref in args['images'])
    files = {}
    for name, path in dict(args['files'], record=args['record_file'], secrets=args['secrets_file']).items():
        stat = subprocess.run(['stat', '-c', '%a %U %G', path], capture_output=True, text=True, check=True).stdout
        sha1 = subprocess.run(['sh', '-c', 'test ! -f "$1" || sha1sum <"$1" | cut -d" " -f1', 'sha1', path],
                              capture_output=True, text=True, check=True).stdout.strip()
        files[name] = (stat.strip(), sha1)
    return view, containers, images, files


def as_cli_view(result):
    """The module's return in cli_view's terms."""
    view = {'engine': result['engine'], 'volume': result['volume']['created_at'],
            'network': result['network']['exists']}
    containers = dict((name, (c['status'], c['health'] or '-', c['image_id']) if c['exists'] else None)
                      for name, c in result['containers'].items())
    files = dict((name, ('%s %s %s' % (f['mode'].lstrip('0') or '0', f['owner'], f['group']), f['sha1']))
                 for name, f in result['files'].items())
    return view, containers, dict(result['images']), files


def read(host):
    result, failed = run_module(module_args(host), module='chatwoot_host_info', secrets=())
    assert not failed, result['msg']
    return result


def test_the_module_reads_what_the_docker_command_shows(real_host):
    result = read(real_host)
    view, containers, images, files = cli_view(real_host)
    assert result['record'] == {'version': 'v4.15.1'} and result['secrets'] == KEPT
    assert as_cli_view(result) == (view, containers, images, files)
    # and what the command showed, in so many words
    assert view['engine'] and view['network'] and view['volume'] and result['compose']
    assert files['env'] == ('600 root root', hashlib.sha1(env_text(PG_PASSWORD).encode()).hexdigest())
    assert files['project_dir'] == ('750 root root', '')
    assert (result['postgres']['answered'], result['postgres']['prepared']) == (True, False)
    assert images[IMAGES[0]].startswith('sha256:') and images[MISSING_IMAGE] == ''
    pg, redis = result['containers'][real_host['postgres']], result['containers'][real_host['redis']]
    assert (pg['status'], pg['health'], pg['running']) == ('running', 'healthy', True)
    assert pg['image_id'] == images[IMAGES[0]]
    assert (pg['compose_project'], pg['compose_service']) == (real_host['compose_project'], 'postgres')
    assert pg['started_at'] == hs.docker('inspect', '--format', '{{.State.StartedAt}}', real_host['postgres']
                                         ).stdout.strip()
    assert (redis['status'], redis['paused'], redis['running'], redis['health']) == ('paused', True, False, '')
    assert result['containers'][real_host['absent']]['exists'] is False


def test_a_prepared_database_and_a_wrong_password(real_host):
    hs.docker('exec', real_host['postgres'], 'psql', '-U', 'chatwoot', '-d', 'chatwoot', '-c',
              'CREATE TABLE IF NOT EXISTS ar_internal_metadata (key varchar PRIMARY KEY, value varchar)')
    result = read(real_host)
    assert (result['postgres']['answered'], result['postgres']['accepted'], result['postgres']['prepared']) == (
        True, True, True)
    env = real_host['project'] / '.env'
    env.write_text(env_text('Not-The-Password-9'))
    try:
        result = read(real_host)
    finally:
        env.write_text(env_text(PG_PASSWORD))
    assert (result['postgres']['checked'], result['postgres']['answered'], result['postgres']['accepted'],
            result['postgres']['prepared']) == (True, False, False, None)
    assert 'password authentication failed' in result['postgres']['reason']
    assert 'Not-The-Password-9' not in result['postgres']['reason']


def test_a_paused_postgres_is_not_asked(real_host):
    hs.docker('pause', real_host['postgres'])
    try:
        result = read(real_host)
    finally:
        hs.docker('unpause', real_host['postgres'])
    assert result['containers'][real_host['postgres']]['status'] == 'paused'
    assert (result['postgres']['checked'], result['postgres']['reason']) == (
        False, 'container %s is paused' % real_host['postgres'])
