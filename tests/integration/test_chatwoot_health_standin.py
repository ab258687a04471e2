# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_health against a whole Chatwoot-shaped stack in Docker: the rig's pgvector and Redis images and the
stand-in Chatwoot image (real Sidekiq 7, /health and /api from real checks, FORCE_SSL), each part published on
loopback as a deployment does. Needs the Docker engine and the rig's images (tests/rig/up.sh); skipped otherwise."""

from __future__ import annotations

import http.client
import uuid

import pytest

import health_servers as hs
from health_fixtures import run_ansible, run_module

IMAGES = ('sinapum-rig/pgvector:pg17', 'sinapum-rig/redis:8', 'sinapum-rig/chatwoot-standin:v4.15.1')
PG_PASSWORD = 'stack-Pg-S3cret-Zq9'
REDIS_PASSWORD = 'stack-Redis-S3cret-Pw'
SECRETS = (PG_PASSWORD, REDIS_PASSWORD)
# the public name, as behind a proxy: never the address the probes reach the web on
FRONTEND_URL = 'https://chatwoot.example.test'


def stack_env(frontend_url):
    return '\n'.join([
        'RAILS_ENV=production', 'SECRET_KEY_BASE=%s' % ('a1' * 40), 'FORCE_SSL=true', 'FRONTEND_URL=%s' % frontend_url,
        'POSTGRES_HOST=postgres', 'POSTGRES_PORT=5432', 'POSTGRES_USERNAME=chatwoot',
        'POSTGRES_PASSWORD=%s' % PG_PASSWORD, 'POSTGRES_DATABASE=chatwoot',
        'REDIS_URL=redis://redis:6379', 'REDIS_PASSWORD=%s' % REDIS_PASSWORD, 'SIDEKIQ_CONCURRENCY=2', '',
    ])


def rails_s(port):
    return ['-p', '127.0.0.1:%d:3000' % port, IMAGES[2], 'docker/entrypoints/rails.sh', 'bundle', 'exec', 'rails', 's',
            '-p', '3000', '-b', '0.0.0.0']


def health_answers(port):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
    try:
        conn.request('GET', '/health', headers={'X-Forwarded-Proto': 'https'})
        return conn.getresponse().status == 200
    finally:
        conn.close()


@pytest.fixture(scope='module')
def stack(tmp_path_factory):
    hs.require_engine_and_images(IMAGES)
    suffix = uuid.uuid4().hex[:8]
    net = 'cw-health-net-%s' % suffix
    names = dict((part, 'cw-health-%s-%s' % (part, suffix)) for part in ('postgres', 'redis', 'web', 'worker'))
    ports = dict((part, hs.free_port()) for part in ('postgres', 'redis', 'web'))
    env_text = stack_env(FRONTEND_URL)
    env_file = tmp_path_factory.mktemp('stack') / '.env'
    env_file.write_text(env_text)
    try:
        hs.docker('network', 'create', net)
        hs.docker('run', '-d', '--name', names['postgres'], '--network', net, '--network-alias', 'postgres',
                  '-p', '127.0.0.1:%d:5432' % ports['postgres'], '-e', 'POSTGRES_USER=chatwoot',
                  '-e', 'POSTGRES_PASSWORD=%s' % PG_PASSWORD, '-e', 'POSTGRES_DB=chatwoot', IMAGES[0])
        hs.docker('run', '-d', '--name', names['redis'], '--network', net, '--network-alias', 'redis',
                  '-p', '127.0.0.1:%d:6379' % ports['redis'], IMAGES[1], 'redis-server', '--requirepass', REDIS_PASSWORD)
        common = ['--network', net, '--env-file', str(env_file), IMAGES[2]]

        def prepared():
            proc = hs.docker('run', '--rm', *(common + ['docker/entrypoints/rails.sh', 'bundle', 'exec', 'rails',
                                                        'db:chatwoot_prepare']), check=False, timeout=120)
            return proc.returncode == 0

        hs.wait_for(prepared, timeout=180, interval=2, what='db:chatwoot_prepare in the stand-in')
        hs.docker('run', '-d', '--name', names['web'], '--network', net, '--env-file', str(env_file),
                  *rails_s(ports['web']))
        hs.docker('run', '-d', '--name', names['worker'], *(common + ['bundle', 'exec', 'sidekiq', '-C', 'config/sidekiq.yml']))
        args = dict(env_file=str(env_file), web_url='http://127.0.0.1:%d' % ports['web'],
                    postgres_port=ports['postgres'], redis_port=ports['redis'], sidekiq_container=names['worker'],
                    timeout=5)
        # the web's first /api, before anything else asked it (test_fresh_web_is_healthy_with_the_default_options)
        hs.wait_for(lambda: health_answers(ports['web']), timeout=90, interval=0.5, what='/health of the web')
        fresh_web, dummy = run_module(dict(args, components=['web']))
        # the deployment is up once every part is: the module's own wait
        result, dummy = run_module(dict(args, wait=True, wait_timeout=120, wait_interval=1))
        assert result['healthy'], result['msg']
        yield {'args': args, 'names': names, 'ports': ports, 'net': net, 'fresh_web': fresh_web}
    finally:
        for name in names.values():
            hs.docker('rm', '-f', '-v', name, check=False)
        hs.docker('network', 'rm', net, check=False)


def test_whole_stack_is_healthy_through_ansible(stack):
    result, rc, raw = run_ansible(stack['args'], verbosity=3)
    for secret in SECRETS:
        assert secret not in raw
    assert rc == 0, raw
    assert result['healthy'] is True, result['msg']
    components = result['components']
    assert components['web']['version'] == '4.15.1'
    assert components['web']['forwarded_proto_https'] is True  # FORCE_SSL=true in the env file
    # web_url's host, which Chatwoot looks up in portals: the query connected the request's connection first
    assert components['web']['host'] is None and components['web']['portals_lookup'] is True
    assert components['postgres']['vector_extension']
    assert components['postgres']['tables'] == {'installation_configs': True, 'ar_internal_metadata': True}
    assert components['postgres']['environment'] == 'production'
    sidekiq = components['sidekiq']
    assert sidekiq['container']['running'] is True
    assert len(sidekiq['processes']) >= 1
    process = sidekiq['processes'][0]
    # SIDEKIQ_CONCURRENCY=2 plus sidekiq_alive's own capsule of 2 (Sidekiq reports the process's total)
    assert process['concurrency'] == 4 and 'critical' in process['queues']
    assert process['expired'] is False and sidekiq['status'] == 'ok'


@pytest.mark.promise("fresh_web_is_healthy_with_the_default_options")
def test_fresh_web_is_healthy_with_the_default_options(stack):
    result = stack['fresh_web']
    assert result['healthy'] is True, result['msg']
    assert result['attempts'] == 1
    web = result['components']['web']
    assert (web['api']['data_services'], web['api']['queue_services']) == ('ok', 'ok')
    assert web['host'] is None and web['portals_lookup'] is True


def test_force_ssl_without_the_header_is_a_redirect(stack):
    result, dummy = run_module(dict(stack['args'], components=['web'], web_forwarded_proto_https=False))
    assert result['failed_components'] == ['web']
    assert result['msg'].startswith('web: /health redirected (301) to https://')


def test_stopped_worker_container_is_reported_at_once(stack):
    hs.docker('kill', stack['names']['worker'])
    try:
        result, dummy = run_module(dict(stack['args'], components=['sidekiq']))
        assert result['failed_components'] == ['sidekiq']
        assert result['attempts'] == 1
        reason = result['components']['sidekiq']['reason']
        assert reason.startswith('worker container %s is exited (exit code 137' % stack['names']['worker']), reason
        # Redis still holds the killed worker's heartbeat, within the threshold: Docker's word alone made it fail
        assert 'heartbeat' not in reason and reason.count(';') == 0
        assert not any(p['expired'] for p in result['components']['sidekiq']['processes'])
    finally:
        hs.docker('start', stack['names']['worker'])


@pytest.mark.promise("fresh_web_whose_frontend_url_is_the_probes_address")
def test_fresh_web_whose_frontend_url_is_the_probes_address(stack, tmp_path):
    # as the local inventory and the e2e deploys are (FRONTEND_URL http://127.0.0.1:<published port>)
    port = hs.free_port()
    name = '%s-own' % stack['names']['web']
    env_file = tmp_path / '.env'
    env_file.write_text(stack_env('http://127.0.0.1:%d' % port))
    args = dict(stack['args'], env_file=str(env_file), components=['web'], web_url='http://127.0.0.1:%d' % port)
    try:
        hs.docker('run', '-d', '--name', name, '--network', stack['net'], '--env-file', str(env_file), *rails_s(port))
        hs.wait_for(lambda: health_answers(port), timeout=60, interval=0.5, what='/health of the second web')
        # FRONTEND_URL's own host: no query runs first, and the pool's connection is not connected (Rails 7.1)
        result, dummy = run_module(dict(args, web_host='127.0.0.1'))
        assert result['failed_components'] == ['web'], result['msg']
        assert result['components']['web']['api']['data_services'] == 'failing'
        assert result['components']['web']['portals_lookup'] is False
        # the default options: another Host, whose portals lookup connects; healthy at once
        result, dummy = run_module(args)
        assert result['healthy'] is True, result['msg']
        assert result['attempts'] == 1
        assert result['components']['web']['host'] == 'chatwoot-health.invalid'
    finally:
        hs.docker('rm', '-f', '-v', name, check=False)
