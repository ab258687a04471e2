# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_health end to end: the real ``ansible`` command (and the module in-process) against real
PostgreSQL, Redis, Sidekiq and HTTP servers started on loopback, plus the real Docker engine when it answers."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

import health_servers as hs
from health_fixtures import FRONTEND_URL, REDIS_PASSWORD, base_args, run_ansible, run_module
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import PgConnection

SHAPE = {'changed', 'healthy', 'components', 'failed_components', 'msg', 'attempts', 'elapsed_ms'}


@pytest.fixture()
def own_pg():
    server = hs.PostgresServer(ssl=False)
    try:
        server.start()
    except Exception:
        server.cleanup()
        raise
    yield server
    server.cleanup()


def pg_args(pg, **overrides):
    args = dict(postgres_port=pg.port, postgres_user='chatwoot', postgres_password=pg.PASSWORD,
                postgres_database='chatwoot')
    args.update(overrides)
    return args


# ---------------------------------------------------------------------------------------------- through `ansible`
def test_all_healthy_through_ansible(healthy_args):
    result, rc, raw = run_ansible(healthy_args, verbosity=3)
    assert rc == 0, raw
    assert SHAPE <= set(result)
    assert result['healthy'] is True, result['msg']
    assert result['changed'] is False
    assert [result['components'][n]['status'] for n in ('web', 'postgres', 'redis', 'sidekiq')] == ['ok'] * 4
    assert result['invocation']['module_args']['postgres_password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_env_file_credentials_never_leak_through_ansible(tmp_path, pg, redis_pw, sidekiq, app):
    env = tmp_path / '.env'
    env.write_text('POSTGRES_USERNAME=chatwoot\nPOSTGRES_PASSWORD=%s\nPOSTGRES_DATABASE=chatwoot\nREDIS_PASSWORD=%s\n'
                   % (pg.PASSWORD, REDIS_PASSWORD))
    args = dict(env_file=str(env), web_url=app.url, postgres_port=pg.port, postgres_require_vector=False,
                redis_port=redis_pw.port, timeout=3)
    result, rc, raw = run_ansible(args, verbosity=4)
    assert rc == 0, raw
    assert result['healthy'] is True, result['msg']


@pytest.mark.promise("wrong_redis_password_through_ansible")
def test_wrong_redis_password_through_ansible(pg, redis_pw, sidekiq, web):
    # the whole deployment has the wrong password: /api answers 200 with queue_services failing, AUTH is refused
    app = web('real', pg_port=pg.port, redis_port=redis_pw.port, redis_password='wrong-S3cret-Guess')
    args = base_args(web_url=app.url, redis_port=redis_pw.port, redis_password='wrong-S3cret-Guess',
                     postgres_require_vector=False, **pg_args(pg))
    result, rc, raw = run_ansible(args, verbosity=2)
    assert rc == 0, raw
    assert result['healthy'] is False
    assert result['failed_components'] == ['web', 'redis', 'sidekiq']
    assert result['components']['web']['api']['status_code'] == 200
    assert result['components']['web']['reason'] == ('/api reports queue_services failing (the app cannot reach Redis; '
                                                     'the redis probe was refused the password too)')
    assert result['components']['redis']['reason'].startswith('authentication failed: the server refused the password')
    assert result['components']['sidekiq']['reason'].startswith('cannot read Sidekiq state: authentication failed')
    assert result['components']['postgres']['status'] == 'ok'


def test_fail_on_unhealthy_through_ansible(pg):
    args = base_args(components=['postgres'], fail_on_unhealthy=True, **pg_args(pg, postgres_database='chatwoot_empty'))
    result, rc, raw = run_ansible(args)
    assert rc != 0, raw
    assert result['failed'] is True
    assert SHAPE <= set(result)
    assert result['msg'] == ('postgres: extension vector is not installed in database chatwoot_empty and the server '
                             'does not offer it (Chatwoot >= 4.0 needs a PostgreSQL with pgvector, e.g. pgvector/pgvector '
                             'images); database chatwoot_empty is not prepared: table installation_configs, '
                             'ar_internal_metadata missing (run rails db:chatwoot_prepare)')


def test_wait_succeeds_when_redis_comes_up_through_ansible():
    # Redis "starting": connections are closed until the module has tried twice, then the real server listens
    gate = hs.ClosingServer()
    port = gate.port
    holder = {}

    def start_later():
        try:
            hs.wait_for(lambda: gate.accepted >= 2, timeout=90, what='two attempts of the module')
        finally:
            gate.stop()
        holder['redis'] = hs.RedisServer(password=REDIS_PASSWORD, port=port).start()

    thread = threading.Thread(target=start_later)
    thread.start()
    try:
        args = base_args(components=['redis'], redis_port=port, redis_password=REDIS_PASSWORD, wait=True,
                         wait_timeout=30, wait_interval=0.5, fail_on_unhealthy=True)
        result, rc, raw = run_ansible(args)
    finally:
        thread.join()
        if 'redis' in holder:
            holder['redis'].cleanup()
    assert rc == 0, raw
    assert result['healthy'] is True
    assert result['attempts'] >= 3


def test_wait_fails_at_the_deadline_through_ansible():
    port = hs.free_port()
    args = base_args(components=['redis'], redis_port=port, wait=True, wait_timeout=2, wait_interval=0.5,
                     fail_on_unhealthy=True)
    result, rc, raw = run_ansible(args)
    assert rc != 0, raw
    assert result['failed'] is True and result['healthy'] is False
    # a refusal is immediate: the module tried again after each pause until the deadline, and says how often
    assert result['attempts'] >= 2
    assert result['msg'] == ('still unhealthy after waiting 2 s (%d attempts): redis: connection refused on '
                             '127.0.0.1:%d (nothing listens there)' % (result['attempts'], port))


# ---------------------------------------------------------------------------------------------- each part down
def test_web_down_refused_port(pg, redis_pw, sidekiq):
    port = hs.free_port()
    result, dummy = run_module(base_args(web_url='http://127.0.0.1:%d' % port, redis_port=redis_pw.port,
                                         redis_password=REDIS_PASSWORD, postgres_require_vector=False, **pg_args(pg)))
    assert result['failed_components'] == ['web']
    assert result['msg'] == 'web: /health: connection refused on 127.0.0.1:%d (nothing listens there)' % port


def test_web_slower_than_the_timeout(web):
    app = web('slow', slow_seconds=2.5)
    result, dummy = run_module(base_args(components=['web'], web_url=app.url, timeout=0.8))
    assert result['failed_components'] == ['web']
    assert result['msg'] == 'web: /health: no answer from 127.0.0.1:%d within 0.8 s (timeout)' % app.port
    assert result['attempts'] == 1


def own_env(tmp_path, pg, frontend_url=FRONTEND_URL):
    env = tmp_path / '.env'
    env.write_text('POSTGRES_USERNAME=chatwoot\nPOSTGRES_PASSWORD=%s\nPOSTGRES_DATABASE=chatwoot\nREDIS_PASSWORD=%s\n'
                   'FRONTEND_URL=%s\n' % (pg.PASSWORD, REDIS_PASSWORD, frontend_url))
    return str(env)


LAZY_WORDS = ("/api reports data_services failing (with this Host, FRONTEND_URL's or HELPCENTER_URL's, Chatwoot runs "
              "no query first and only asks whether the pooled connection it got is connected: on a fresh or restarted "
              "web that reads failing while PostgreSQL is fine; see web_host)")


@pytest.mark.promise("fresh_web_with_a_healthy_database_is_healthy_with_the")
def test_fresh_web_with_a_healthy_database_is_healthy_with_the_default_host(own_pg, redis_pw, web, tmp_path):
    app = web('real', pg_port=own_pg.port, redis_port=redis_pw.port, redis_password=REDIS_PASSWORD,
              frontend_url=FRONTEND_URL)
    args = dict(env_file=own_env(tmp_path, own_pg), components=['web', 'postgres', 'redis'], web_url=app.url,
                postgres_port=own_pg.port, postgres_require_vector=False, redis_port=redis_pw.port, timeout=3)
    # FRONTEND_URL's host first, on the fresh web: no query runs, the connection the request gets is not connected
    result, dummy = run_module(dict(args, web_host='chatwoot.example.test'))
    assert result['failed_components'] == ['web'], result['msg']
    web_entry = result['components']['web']
    assert web_entry['reason'] == LAZY_WORDS
    assert web_entry['api']['status_code'] == 200 and web_entry['portals_lookup'] is False
    # the default: web_url's host, which Chatwoot looks up in portals - that query connects, data_services is true
    result, dummy = run_module(args)
    assert result['healthy'] is True, result['msg']
    assert result['components']['web']['host'] is None and result['components']['web']['portals_lookup'] is True
    assert app.requests[-1][1]['Host'] == '127.0.0.1:%d' % app.port
    # the pool hands the connection the lookup connected to the next request (LIFO): FRONTEND_URL's host reads ok now
    result, dummy = run_module(dict(args, web_host='chatwoot.example.test'))
    assert result['healthy'] is True, result['msg']


@pytest.mark.promise("frontend_url_on_the_probes_own_address")
def test_frontend_url_on_the_probes_own_address(own_pg, redis_pw, web, tmp_path):
    port = hs.free_port()
    app = web('real', pg_port=own_pg.port, redis_port=redis_pw.port, redis_password=REDIS_PASSWORD, port=port,
              frontend_url='http://127.0.0.1:%d' % port)
    args = dict(env_file=own_env(tmp_path, own_pg, 'http://127.0.0.1:%d' % port), components=['web'], web_url=app.url,
                timeout=3)
    result, dummy = run_module(args)
    assert result['healthy'] is True, result['msg']
    assert result['components']['web']['host'] == 'chatwoot-health.invalid'
    assert result['components']['web']['portals_lookup'] is True
    assert [headers['Host'] for path, headers in app.requests] == ['chatwoot-health.invalid'] * 2


@pytest.mark.promise("postgres_down_is_a_500_named_by_the_postgres_probe_and_back")
def test_postgres_down_is_a_500_named_by_the_postgres_probe_and_back_is_healthy(own_pg, redis_pw, web, tmp_path):
    app = web('real', pg_port=own_pg.port, redis_port=redis_pw.port, redis_password=REDIS_PASSWORD,
              frontend_url=FRONTEND_URL)
    args = dict(env_file=own_env(tmp_path, own_pg), components=['web', 'postgres', 'redis'], web_url=app.url,
                postgres_port=own_pg.port, postgres_require_vector=False, redis_port=redis_pw.port, timeout=3)
    result, dummy = run_module(args)
    assert result['healthy'] is True, result['msg']
    own_pg.stop()
    result, dummy = run_module(args)
    assert result['failed_components'] == ['web', 'postgres']
    refused = 'connection refused on 127.0.0.1:%d (nothing listens there)' % own_pg.port
    assert result['components']['postgres']['reason'] == refused
    assert result['components']['web']['reason'] == (
        '/api answered HTTP 500 (the postgres probe failed too: %s; Chatwoot looks this Host up in its portals table '
        'before it answers /api, and a database it cannot query makes that a 500)' % refused)
    assert result['msg'].startswith('postgres: ' + refused)
    own_pg.start_again()
    # FRONTEND_URL's host: the pooled connection is broken and nothing reconnects it (active? never does)
    result, dummy = run_module(dict(args, web_host='chatwoot.example.test'))
    assert result['failed_components'] == ['web'], result['msg']
    assert result['components']['web']['reason'] == LAZY_WORDS
    # the default Host: the portals lookup reconnects, healthy at the first attempt, no wait
    result, dummy = run_module(args)
    assert result['healthy'] is True, result['msg']
    assert result['attempts'] == 1


def test_a_500_is_never_blamed_on_a_part_whose_probe_is_fine(pg, redis_pw, web):
    # a 500 of Chatwoot's own (here: the portals lookup on a database without Chatwoot's tables) while both the
    # postgres and redis probes are fine: reported as it is, no cause
    app = web('real', pg_port=pg.port, pg_database='chatwoot_empty', redis_port=redis_pw.port,
              redis_password=REDIS_PASSWORD)
    result, dummy = run_module(base_args(web_url=app.url, components=['web', 'postgres', 'redis'],
                                         redis_port=redis_pw.port, redis_password=REDIS_PASSWORD,
                                         postgres_require_vector=False, **pg_args(pg)))
    assert result['failed_components'] == ['web']
    assert result['components']['web']['reason'] == '/api answered HTTP 500'


@pytest.mark.parametrize('server,app_password,words', [
    ('redis_pw', None, 'the redis probe was refused too: Redis wants a password and none is set (NOAUTH)'),
    ('redis_nopw', REDIS_PASSWORD, 'the redis probe was refused too: a password is set and Redis has none configured'),
])
def test_a_500_from_a_redis_password_mismatch_names_the_redis_probe(request, pg, web, server, app_password, words):
    redis = request.getfixturevalue(server)
    app = web('real', pg_port=pg.port, redis_port=redis.port, redis_password=app_password)
    result, dummy = run_module(base_args(web_url=app.url, components=['web', 'redis'], redis_port=redis.port,
                                         redis_password=app_password or ''))
    assert result['failed_components'] == ['web', 'redis']
    assert result['components']['web']['reason'] == (
        '/api answered HTTP 500 (%s, an error Chatwoot answers /api with a 500)' % words)


def test_redis_down(pg, own_sidekiq, web):
    redis, worker = own_sidekiq
    app = web('real', pg_port=pg.port, redis_port=redis.port, redis_password=REDIS_PASSWORD)
    worker.stop()
    redis.stop()
    result, dummy = run_module(base_args(web_url=app.url, redis_port=redis.port, redis_password=REDIS_PASSWORD,
                                         postgres_require_vector=False, **pg_args(pg)))
    assert result['failed_components'] == ['web', 'redis', 'sidekiq']
    assert result['components']['web']['reason'] == '/api reports queue_services failing (the app cannot reach Redis)'
    assert result['components']['redis']['reason'].startswith('connection refused on 127.0.0.1:%d' % redis.port)
    assert result['components']['sidekiq']['reason'].startswith('cannot read Sidekiq state: connection refused')


def test_sidekiq_killed_heartbeat_goes_stale(own_sidekiq):
    redis, worker = own_sidekiq
    worker.proc.kill()  # SIGKILL: no goodbye, the process stays registered until its hash expires
    worker.proc.wait(10)
    # the killed worker's last heartbeat, made as old as a worker dead for 95 s would leave it
    identity = redis.command('SMEMBERS', 'processes').split(b'\r\n')[-2].decode()
    redis.command('HSET', identity, 'beat', repr(time.time() - 95))
    args = base_args(components=['redis', 'sidekiq'], redis_port=redis.port, redis_password=REDIS_PASSWORD)
    result, dummy = run_module(args)
    assert result['failed_components'] == ['sidekiq']
    reason = result['components']['sidekiq']['reason']
    assert reason.startswith('no heartbeat for 9') and reason.endswith(' s, threshold 60 s'), reason
    assert result['components']['sidekiq']['heartbeat_age_s'] >= 95  # the age planted, never less
    assert result['components']['redis']['status'] == 'ok'


def test_postgres_without_vector_and_unprepared_database(pg):
    result, dummy = run_module(base_args(components=['postgres'], **pg_args(pg)))
    assert result['failed_components'] == ['postgres']
    assert result['msg'].startswith('postgres: extension vector is not installed in database chatwoot and the server '
                                    'does not offer it')
    result, dummy = run_module(base_args(components=['postgres'], postgres_require_vector=False,
                                         **pg_args(pg, postgres_database='chatwoot_empty')))
    assert result['msg'] == ('postgres: database chatwoot_empty is not prepared: table installation_configs, '
                             'ar_internal_metadata missing (run rails db:chatwoot_prepare)')
    assert result['components']['postgres']['tables'] == {'installation_configs': False, 'ar_internal_metadata': False}


def test_postgres_wrong_password_and_missing_database(pg):
    result, dummy = run_module(base_args(components=['postgres'],
                                         **pg_args(pg, postgres_password='wrong-S3cret-Guess')))
    assert result['msg'] == 'postgres: authentication failed for user chatwoot (wrong password)'
    result, dummy = run_module(base_args(components=['postgres'], **pg_args(pg, postgres_database='chatwoot_typo')))
    assert result['msg'] == 'postgres: database chatwoot_typo does not exist on 127.0.0.1:%d' % pg.port


# ---------------------------------------------------------------------------------------------- real Docker engine
@pytest.fixture(scope='module')
def docker_socket():
    path = hs.docker_socket_path()
    if path is None:
        pytest.skip('no Docker engine answers on DOCKER_HOST or /var/run/docker.sock')
    return path


SHELL_IMAGES = ('sinapum-rig/redis:8', 'sinapum-rig/pgvector:pg17', 'sinapum-rig/debian:trixie',
                'sinapum-rig/chatwoot-standin:v4.15.1')


@pytest.fixture()
def container_name():
    names = []

    def make(prefix):
        name = '%s-%s' % (prefix, uuid.uuid4().hex[:8])
        names.append(name)
        return name

    yield make
    for name in names:
        hs.docker('rm', '-f', '-v', name, check=False)


def test_exited_worker_container_is_reported_at_once(docker_socket, container_name, redis_pw, sidekiq):
    image = next((i for i in SHELL_IMAGES if hs.docker_image_exists(i)), None)
    if image is None:
        pytest.skip('none of the rig images (%s) exists to run a container from' % ', '.join(SHELL_IMAGES))
    name = container_name('cw-health-worker')
    proc = hs.docker('run', '--name', name, '--entrypoint', 'sh', image, '-c', 'exit 3', check=False)
    assert proc.returncode == 3, proc.stderr
    args = base_args(components=['sidekiq'], redis_port=redis_pw.port, redis_password=REDIS_PASSWORD,
                     sidekiq_container=name, docker_socket=docker_socket)
    result, rc, raw = run_ansible(args)
    assert rc == 0, raw
    sidekiq_entry = result['components']['sidekiq']
    assert sidekiq_entry['status'] == 'failing'
    # the heartbeat is fine: only Docker's word makes it fail
    assert 'heartbeat' not in sidekiq_entry['reason'] and sidekiq_entry['reason'].count(';') == 0
    assert sidekiq_entry['processes'] and not any(p['expired'] for p in sidekiq_entry['processes'])
    assert sidekiq_entry['reason'].startswith('worker container %s is exited (exit code 3, since ' % name)
    assert sidekiq_entry['container']['exit_code'] == 3
    # a running container is fine
    running = container_name('cw-health-worker')
    hs.docker('run', '-d', '--name', running, '--entrypoint', 'sh', image, '-c', 'sleep 60')
    result, dummy = run_module(dict(args, sidekiq_container=running))
    assert result['components']['sidekiq']['status'] == 'ok', result['msg']
    assert result['components']['sidekiq']['container']['status'] == 'running'


PGVECTOR_IMAGE = 'sinapum-rig/pgvector:pg17'


def test_postgres_with_vector_extension(docker_socket, container_name):
    if not hs.docker_image_exists(PGVECTOR_IMAGE):
        pytest.skip('%s is not built (tests/rig/up.sh builds it)' % PGVECTOR_IMAGE)
    name = container_name('cw-health-pgvector')
    port = hs.free_port()
    hs.docker('run', '-d', '--name', name, '-p', '127.0.0.1:%d:5432' % port, '-e', 'POSTGRES_USER=chatwoot',
              '-e', 'POSTGRES_PASSWORD=%s' % hs.PostgresServer.PASSWORD, '-e', 'POSTGRES_DB=chatwoot', PGVECTOR_IMAGE)

    def ready():
        with PgConnection('127.0.0.1', port, 'chatwoot', hs.PostgresServer.PASSWORD, 'chatwoot', timeout=2) as conn:
            return conn.scalar('SELECT 1') == '1'

    hs.wait_for(ready, timeout=90, interval=0.5, what='the pgvector container')
    args = base_args(components=['postgres'], postgres_port=port, postgres_user='chatwoot',
                     postgres_password=hs.PostgresServer.PASSWORD, postgres_database='chatwoot')
    result, dummy = run_module(args)
    assert result['components']['postgres']['reason'].startswith(
        'extension vector is not installed in database chatwoot (available ')
    with PgConnection('127.0.0.1', port, 'chatwoot', hs.PostgresServer.PASSWORD, 'chatwoot') as conn:
        conn.query('CREATE EXTENSION vector; CREATE TABLE installation_configs (id bigserial PRIMARY KEY); '
                   'CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar); '
                   "INSERT INTO ar_internal_metadata VALUES ('environment', 'production')")
    result, rc, raw = run_ansible(args)
    assert rc == 0, raw
    postgres = result['components']['postgres']
    assert result['healthy'] is True, result['msg']
    assert postgres['vector_extension'] and postgres['server_version'].startswith('17')
    assert postgres['auth_method'] == 'scram-sha-256'
    assert postgres['environment'] == 'production'


def test_a_database_host_alone_asks_only_that_the_database_answers(pg):
    # As on a chatwoot_database host before a web or worker host prepared it: no schema, no vector, and healthy.
    result, dummy = run_module(base_args(components=['postgres'], postgres_require_vector=False,
                                         postgres_require_prepared=False, **pg_args(pg, postgres_database='chatwoot_empty')))
    assert result['healthy'] is True, result['msg']
    assert 'chatwoot_empty answers (preparation not required)' in result['components']['postgres']['reason']
    assert result['components']['postgres']['tables'] == {'installation_configs': False, 'ar_internal_metadata': False}
