# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chatwoot_health module run in-process through AnsibleModule (arguments, env file, result shape,
secrets, check mode, fail_on_unhealthy, wait), against real servers."""

from __future__ import annotations

import threading

import pytest

import health_servers as hs
from health_fixtures import REDIS_PASSWORD, base_args, run_module
from ansible_collections.sinapum.chatwoot.plugins.modules import chatwoot_health
from ansible_collections.sinapum.chatwoot.plugins.module_utils import _health_check

SHAPE = {'changed', 'healthy', 'components', 'failed_components', 'msg', 'attempts', 'elapsed_ms'}
COMPONENTS = ('web', 'postgres', 'redis', 'sidekiq')


def assert_shape(result):
    assert SHAPE <= set(result), sorted(result)
    assert result['changed'] is False
    for name, entry in result['components'].items():
        assert name in COMPONENTS
        assert {'status', 'latency_ms', 'reason'} <= set(entry)
        assert entry['status'] in ('ok', 'failing', 'skipped')


def test_all_healthy(healthy_args):
    result, failed = run_module(healthy_args)
    assert not failed
    assert_shape(result)
    assert result['healthy'] is True, result['msg']
    assert result['failed_components'] == []
    assert result['msg'] == 'healthy: web, postgres, redis, sidekiq ok'
    assert result['attempts'] == 1
    assert result['components']['web']['version'] == '4.15.1'
    assert result['components']['postgres']['tables'] == {'installation_configs': True, 'ar_internal_metadata': True}
    assert result['components']['postgres']['environment'] == 'production'
    assert result['components']['sidekiq']['processes']


@pytest.mark.parametrize('args,words', [
    ({'components': []}, 'components must name at least one of'),
    ({'components': ['web'], 'web_url': 'ftp://x'}, 'web_url must be an http:// or https:// URL'),
    ({'components': ['postgres']}, 'postgres_user is not given and env_file /nonexistent/chatwoot.env does not exist'),
    ({'components': ['sidekiq'], 'sidekiq_container': 'a b'}, "sidekiq_container 'a b' is not a valid container name"),
    ({'components': ['redis'], 'timeout': 0}, 'timeout must be greater than 0'),
    ({'components': ['redis'], 'heartbeat_threshold': -1}, 'heartbeat_threshold must not be negative'),
    ({'components': ['web'], 'web_liveness_path': 'health'}, "web_liveness_path must start with / (or be empty), got 'health'"),
])
def test_bad_input_fails_with_the_same_shape(args, words):
    result, failed = run_module(base_args(**args))
    assert failed
    assert_shape(result)
    assert result['msg'].startswith(words), result['msg']


def test_unknown_component_is_refused_by_the_argument_spec():
    result, failed = run_module(base_args(components=['nginx']))
    assert failed and 'components' in result['msg']


def test_unreadable_env_file_is_bad_input(tmp_path):
    result, failed = run_module(base_args(env_file=str(tmp_path), components=['redis']))
    assert failed and result['msg'].startswith('cannot read env_file %s' % tmp_path)


def test_credentials_and_force_ssl_from_the_env_file(tmp_path, pg, redis_pw, sidekiq, web):
    app = web('force_ssl')
    env = tmp_path / '.env'
    env.write_text('POSTGRES_HOST=postgres\nPOSTGRES_USERNAME=chatwoot\nPOSTGRES_PASSWORD=%s\n'
                   'POSTGRES_DATABASE=chatwoot\nREDIS_URL=redis://redis:6379\nREDIS_PASSWORD=%s\nFORCE_SSL=true\n'
                   % (pg.PASSWORD, REDIS_PASSWORD))
    args = dict(env_file=str(env), web_url=app.url, postgres_port=pg.port, postgres_require_vector=False,
                redis_port=redis_pw.port, timeout=3)
    result, failed = run_module(args)
    assert not failed
    assert result['healthy'] is True, result['msg']
    assert result['components']['web']['forwarded_proto_https'] is True
    # an explicit option wins over the env file
    result, dummy = run_module(dict(args, web_forwarded_proto_https=False))
    assert result['failed_components'] == ['web']
    assert result['msg'].startswith('web: /health redirected (301) to https://')


def test_wrong_passwords_from_the_env_file_never_leak(tmp_path, pg, redis_pw, sidekiq):
    env = tmp_path / '.env'
    env.write_text('POSTGRES_USERNAME=chatwoot\nPOSTGRES_PASSWORD=wrong-S3cret-Guess\nPOSTGRES_DATABASE=chatwoot\n'
                   'REDIS_PASSWORD=wrong-S3cret-Guess\n')
    result, failed = run_module(dict(env_file=str(env), components=['postgres', 'redis', 'sidekiq'],
                                     postgres_port=pg.port, redis_port=redis_pw.port, timeout=3))
    assert not failed  # unhealthy is not a task failure unless fail_on_unhealthy
    assert result['failed_components'] == ['postgres', 'redis', 'sidekiq']
    assert result['components']['postgres']['reason'] == 'authentication failed for user chatwoot (wrong password)'
    assert result['components']['redis']['reason'].startswith('authentication failed: the server refused the password')
    assert result['components']['web']['status'] == 'skipped'
    assert result['msg'].startswith('postgres: authentication failed for user chatwoot')


def test_check_mode_runs_the_same_read_only_probes(redis_pw):
    args = base_args(components=['redis'], redis_port=redis_pw.port, redis_password=REDIS_PASSWORD,
                     _ansible_check_mode=True)
    result, failed = run_module(args)
    assert not failed and result['healthy'] is True and result['changed'] is False


def test_fail_on_unhealthy(redis_pw):
    args = base_args(components=['redis'], redis_port=redis_pw.port, redis_password='wrong-S3cret-Guess',
                     fail_on_unhealthy=True)
    result, failed = run_module(args)
    assert failed
    assert_shape(result)
    assert result['healthy'] is False
    assert result['msg'].startswith('redis: authentication failed')


def test_a_crashing_probe_is_reported_without_secrets(monkeypatch, redis_pw, sidekiq):
    def explode(*args, **kwargs):
        raise ValueError('boom with %s inside' % REDIS_PASSWORD)

    monkeypatch.setattr(_health_check, 'probe_redis', explode)
    result, failed = run_module(base_args(components=['redis', 'sidekiq'], redis_port=redis_pw.port,
                                          redis_password=REDIS_PASSWORD))
    assert not failed
    redis = result['components']['redis']
    assert redis['status'] == 'failing'
    assert redis['reason'] == 'the probe itself failed (ValueError: boom with ******** inside)'
    # the other part's verdict is still there: a live worker in the same Redis
    assert result['components']['sidekiq']['status'] == 'ok', result['components']['sidekiq']['reason']
    assert result['failed_components'] == ['redis']


def _settings(**overrides):
    params = dict((key, spec.get('default')) for key, spec in chatwoot_health.argument_spec().items())
    params.update(base_args(**overrides))
    return chatwoot_health.resolve_settings(params)


def test_wait_until_a_component_comes_up(web):
    port = hs.free_port()
    started = []

    def sleep_then_start(seconds):
        if not started:
            started.append(web('ok', port=port))

    settings = _settings(components=['web'], web_url='http://127.0.0.1:%d' % port, wait=True,
                         wait_timeout=30, wait_interval=0.1)
    result = chatwoot_health.run(settings, sleep=sleep_then_start)
    assert result['healthy'] is True
    assert result['attempts'] == 2


class FakeClock(object):
    """Time that moves only when the wait loop sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_gives_up_at_the_deadline():
    port = hs.free_port()
    settings = _settings(components=['web'], web_url='http://127.0.0.1:%d' % port, wait=True,
                         wait_timeout=0.6, wait_interval=0.2)
    clock = FakeClock()
    result = chatwoot_health.run(settings, sleep=clock.sleep, clock=clock)
    assert result['healthy'] is False
    # at 0, 0.2, 0.4 and 0.6 s: the fourth finds the deadline reached and stops without sleeping again
    assert result['attempts'] == 4
    assert [round(seconds, 6) for seconds in clock.sleeps] == [0.2, 0.2, 0.2]
    assert result['msg'] == ('still unhealthy after waiting 0.6 s (4 attempts): web: /health: connection refused on '
                             '127.0.0.1:%d (nothing listens there)' % port)


def test_the_last_pause_is_cut_to_the_deadline():
    settings = _settings(components=['web'], web_url='http://127.0.0.1:%d' % hs.free_port(), wait=True,
                         wait_timeout=0.5, wait_interval=0.2)
    clock = FakeClock()
    result = chatwoot_health.run(settings, sleep=clock.sleep, clock=clock)
    assert result['attempts'] == 4
    assert [round(seconds, 6) for seconds in clock.sleeps] == [0.2, 0.2, 0.1]


def test_probes_run_in_parallel(monkeypatch):
    # Each probe waits until all four are waiting: only probes that run at the same time get past the barrier.
    barrier = threading.Barrier(4, timeout=10)
    seen = []

    def meet_the_others(name, settings, timeout):
        barrier.wait()
        seen.append(name)
        return {'status': 'ok', 'latency_ms': 0.0, 'reason': '%s met the others' % name}

    monkeypatch.setattr(_health_check, '_probe', meet_the_others)
    result = chatwoot_health.run(_settings(postgres_user='chatwoot'))
    assert result['healthy'] is True, result['msg']
    assert sorted(seen) == ['postgres', 'redis', 'sidekiq', 'web']
    assert barrier.broken is False


def test_a_probe_that_never_meets_the_others_proves_the_barrier_can_fail(monkeypatch):
    # The same barrier with one probe too few requested: it breaks, and the probes say so.
    barrier = threading.Barrier(4, timeout=0.5)

    def meet_the_others(name, settings, timeout):
        barrier.wait()
        return {'status': 'ok', 'latency_ms': 0.0, 'reason': 'met'}

    monkeypatch.setattr(_health_check, '_probe', meet_the_others)
    result = chatwoot_health.run(_settings(components=['web', 'redis', 'sidekiq']))
    assert result['failed_components'] == ['web', 'redis', 'sidekiq']
    assert all('BrokenBarrierError' in result['components'][name]['reason'] for name in ('web', 'redis', 'sidekiq'))


def test_a_web_crashing_at_start_is_named_with_its_container_state(fake_docker):
    engine = fake_docker({'web-1': hs.container_json('web-1', status='restarting', exit_code=1, restarting=True)})
    settings = _settings(components=['web'], web_url='http://127.0.0.1:%d' % hs.free_port(), web_container='web-1',
                         docker_socket=engine.socket_path)
    result = chatwoot_health.run(settings)
    web = result['components']['web']
    assert web['status'] == 'failing'
    assert web['reason'].startswith('web container web-1 is restarting (exit code 1, ')
    assert '3 restarts); /health: connection refused' in web['reason']
    assert web['container']['exit_code'] == 1
    # A running container adds nothing: the HTTP answer alone says what is wrong.
    engine = fake_docker({'web-1': hs.container_json('web-1')})
    result = chatwoot_health.run(_settings(components=['web'], web_url='http://127.0.0.1:%d' % hs.free_port(),
                                           web_container='web-1', docker_socket=engine.socket_path))
    assert result['components']['web']['reason'].startswith('/health: connection refused')


def test_web_liveness_path_empty_asks_only_api(web):
    app = web('old')
    result, failed = run_module(base_args(components=['web'], web_url=app.url, web_liveness_path=''))
    assert result['healthy'] is True, result['msg']
    assert result['components']['web']['health'] is None
    assert [path for path, dummy in app.requests] == ['/api']
    result, failed = run_module(base_args(components=['web'], web_url=app.url))
    assert result['failed_components'] == ['web']
    assert result['msg'].startswith('web: /health answered HTTP 404')


def test_redis_details_have_the_same_keys_with_or_without_tls_and_sentinels(redis_pw):
    result, failed = run_module(base_args(components=['redis'], redis_port=redis_pw.port,
                                          redis_password=REDIS_PASSWORD))
    redis = result['components']['redis']
    assert redis['status'] == 'ok'
    assert {key: redis[key] for key in ('tls', 'tls_verified', 'tls_server_name', 'tls_ca_file', 'sentinel',
                                        'auth_error')} == {'tls': False, 'tls_verified': None, 'tls_server_name': None,
                                                           'tls_ca_file': None, 'sentinel': None, 'auth_error': None}


def test_chatwoots_own_hosts_come_from_the_env_file(tmp_path):
    # what DomainHelper.chatwoot_domain? compares request.host with; unknown (None) without an env file
    assert _settings(components=['web'])['web_chatwoot_hosts'] is None
    env = tmp_path / '.env'
    env.write_text('FRONTEND_URL=https://chat.example.test\nHELPCENTER_URL=https://help.example.test:8443\n')
    assert _settings(components=['web'], env_file=str(env))['web_chatwoot_hosts'] == \
        ('chat.example.test', 'help.example.test')
    env.write_text('FORCE_SSL=false\n')  # neither set: Chatwoot takes no Host as its own
    assert _settings(components=['web'], env_file=str(env))['web_chatwoot_hosts'] == (None, None)


@pytest.mark.promise("wait_stops_at_once_on_a_drift")
@pytest.mark.parametrize('case', ['redis wrong password', 'redis without a password', 'postgres wrong password',
                                  'postgres without vector'])
def test_wait_stops_at_once_on_a_drift(case, pg, redis_pw, redis_nopw):
    if case.startswith('redis'):
        server = redis_pw if case == 'redis wrong password' else redis_nopw
        args = dict(components=['redis'], redis_port=server.port, redis_password='wrong-S3cret-Guess')
        component, drift = 'redis', ('wrong_password' if case == 'redis wrong password' else 'no_password_configured')
    else:
        # Debian's PostgreSQL here has no pgvector: with the right password, vector is what is missing.
        password = 'wrong-S3cret-Guess' if case == 'postgres wrong password' else hs.PostgresServer.PASSWORD
        args = dict(components=['postgres'], postgres_port=pg.port, postgres_user='chatwoot', postgres_password=password,
                    postgres_database='chatwoot')
        component, drift = 'postgres', ('authentication' if case == 'postgres wrong password' else 'vector_missing')
    # Without the drift, the wait would make hundreds of attempts before its deadline.
    result = chatwoot_health.run(_settings(wait=True, wait_timeout=10, wait_interval=0.05, **args))
    assert result['healthy'] is False
    assert result['attempts'] == 1, result['msg']
    assert result['drifted_components'] == [component]
    assert result['components'][component]['drift'] == drift
    assert 'waiting cannot change this (a configuration drift, not a start-up), so the wait stopped after 1 attempt' \
        in result['msg'], result['msg']


def test_a_start_up_is_waited_for_not_taken_for_a_drift():
    port = hs.free_port()
    settings = _settings(components=['web', 'redis'], web_url='http://127.0.0.1:%d' % port, redis_port=port,
                         wait=True, wait_timeout=0.5, wait_interval=0.1)
    result = chatwoot_health.run(settings)
    assert result['drifted_components'] == []
    assert result['attempts'] > 1
    assert result['msg'].startswith('still unhealthy after waiting 0.5 s')
