# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_health with REDIS_SENTINELS: the Redis and Sidekiq probes ask real Redis Sentinels for the master, as
Chatwoot 4.15.1 does (lib/redis/config.rb), and probe that master, not REDIS_URL's host nor redis_host.

Chatwoot's rules, from lib/redis/config.rb: REDIS_SENTINELS is "host1:port1, host2:port2" (port 26379 when left
out); the master is REDIS_SENTINEL_MASTER_NAME (default mymaster), reached with REDIS_PASSWORD; the sentinels are
asked with REDIS_SENTINEL_PASSWORD, or REDIS_PASSWORD when it is not set at all (set and empty: no password)."""

from __future__ import annotations

import pytest

import health_servers as hs
from health_fixtures import REDIS_PASSWORD, run_module

SENTINEL_PASSWORD = 'sentinel-S3cret-Pw'
SECRETS = (REDIS_PASSWORD, SENTINEL_PASSWORD, 'decoy-S3cret-Pw')


@pytest.fixture(scope='module')
def sentinel_stack():
    """A master with a real Sidekiq registered in it, a sentinel watching it, and a decoy Redis (another password,
    no Sidekiq) where redis_host/redis_port point: only a probe that asks the sentinel finds Chatwoot's Redis."""
    started = []
    try:
        master = hs.RedisServer(password=REDIS_PASSWORD).start()
        started.append(master)
        worker = hs.SidekiqWorker(master).start()
        started.append(worker)
        sentinel = hs.RedisSentinel(master, password=SENTINEL_PASSWORD).start()
        started.append(sentinel)
        decoy = hs.RedisServer(password='decoy-S3cret-Pw').start()
        started.append(decoy)
        yield {'master': master, 'worker': worker, 'sentinel': sentinel, 'decoy': decoy}
    finally:
        for server in reversed(started):
            server.cleanup()


def check(tmp_path, stack, env_lines):
    env = tmp_path / '.env'
    env.write_text('\n'.join(['REDIS_URL=redis://redis-chatwoot-does-not-use:6379', 'REDIS_PASSWORD=%s' % REDIS_PASSWORD]
                             + env_lines) + '\n')
    result, failed = run_module(dict(env_file=str(env), components=['redis', 'sidekiq'],
                                     redis_port=stack['decoy'].port, timeout=3), secrets=SECRETS)
    assert not failed
    return result


@pytest.mark.promise("the_master_the_sentinels_name_is_probed")
def test_the_master_the_sentinels_name_is_probed(tmp_path, sentinel_stack):
    refused = hs.free_port()  # Chatwoot goes on to the next sentinel when one does not answer
    result = check(tmp_path, sentinel_stack, [
        'REDIS_SENTINELS= 127.0.0.1:%d , %s' % (refused, sentinel_stack['sentinel'].address),
        'REDIS_SENTINEL_PASSWORD=%s' % SENTINEL_PASSWORD,
    ])
    assert result['healthy'] is True, result['msg']
    redis = result['components']['redis']
    master = '127.0.0.1:%d' % sentinel_stack['master'].port
    assert redis['address'] == master
    assert redis['sentinel'] == {'master_name': 'mymaster', 'master': master,
                                 'sentinels': ['127.0.0.1:%d' % refused, sentinel_stack['sentinel'].address],
                                 'answered_by': sentinel_stack['sentinel'].address}
    assert redis['reason'].startswith('Redis ') and redis['reason'].endswith(
        'answers PONG on %s (master mymaster, named by sentinel %s)' % (master, sentinel_stack['sentinel'].address))
    sidekiq = result['components']['sidekiq']
    assert [p['pid'] for p in sidekiq['processes']] == [sentinel_stack['worker'].proc.pid]


def test_the_sentinel_password_follows_chatwoots_rules(tmp_path, sentinel_stack):
    sentinels = 'REDIS_SENTINELS=%s' % sentinel_stack['sentinel'].address
    # not set: REDIS_PASSWORD is sent to the sentinel, which refuses it
    result = check(tmp_path, sentinel_stack, [sentinels])
    assert result['failed_components'] == ['redis', 'sidekiq']
    assert result['components']['redis']['reason'] == (
        'no sentinel named the master mymaster: %s: authentication failed: the server refused the password '
        '(wrong REDIS_SENTINEL_PASSWORD, or REDIS_PASSWORD when that is not set)' % sentinel_stack['sentinel'].address)
    # set and empty: no password at all
    result = check(tmp_path, sentinel_stack, [sentinels, 'REDIS_SENTINEL_PASSWORD='])
    assert result['components']['redis']['reason'] == (
        'no sentinel named the master mymaster: %s: authentication required: the sentinel wants a password and none '
        'was given (REDIS_SENTINEL_PASSWORD empty?)' % sentinel_stack['sentinel'].address)
    assert result['components']['sidekiq']['reason'].startswith('cannot read Sidekiq state: no sentinel named the master')


def test_a_master_name_the_sentinels_do_not_know(tmp_path, sentinel_stack):
    result = check(tmp_path, sentinel_stack, [
        'REDIS_SENTINELS=%s' % sentinel_stack['sentinel'].address, 'REDIS_SENTINEL_PASSWORD=%s' % SENTINEL_PASSWORD,
        'REDIS_SENTINEL_MASTER_NAME=chatwoot-master',
    ])
    assert result['components']['redis']['reason'] == (
        'no sentinel named the master chatwoot-master: %s knows no master of that name (REDIS_SENTINEL_MASTER_NAME)'
        % sentinel_stack['sentinel'].address)


def test_a_master_that_is_down_is_named_by_its_address(tmp_path):
    master = hs.RedisServer(password=REDIS_PASSWORD).start()
    sentinel = hs.RedisSentinel(master).start()
    try:
        master.stop()
        env = tmp_path / '.env'
        # this sentinel has no password: REDIS_SENTINEL_PASSWORD set and empty, or REDIS_PASSWORD would be sent to it
        env.write_text('REDIS_PASSWORD=%s\nREDIS_SENTINELS=%s\nREDIS_SENTINEL_PASSWORD=\n' % (REDIS_PASSWORD, sentinel.address))
        result, dummy = run_module(dict(env_file=str(env), components=['redis'], redis_port=hs.free_port(), timeout=3),
                                   secrets=SECRETS)
    finally:
        sentinel.cleanup()
        master.cleanup()
    assert result['components']['redis']['reason'] == (
        'connection refused on 127.0.0.1:%d (nothing listens there) (master mymaster, named by sentinel %s)'
        % (master.port, sentinel.address))


@pytest.mark.parametrize('lines,words', [
    (['REDIS_SENTINELS=s1:port'], 'REDIS_SENTINELS in %s has a port that is not a number'),
    (['REDIS_SENTINELS=s1:26379', 'REDIS_SENTINEL_MASTER_NAME='], 'REDIS_SENTINEL_MASTER_NAME in %s is empty'),
])
def test_sentinel_settings_chatwoot_cannot_use_are_bad_input(tmp_path, lines, words):
    env = tmp_path / '.env'
    env.write_text('\n'.join(lines) + '\n')
    result, failed = run_module(dict(env_file=str(env), components=['redis']), secrets=SECRETS)
    assert failed and result['msg'].startswith(words % env)
