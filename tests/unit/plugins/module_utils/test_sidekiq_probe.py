# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sidekiq probe against REAL Sidekiq processes (Debian's ruby-sidekiq) and real Redis."""

from __future__ import annotations

import json
import os
import signal
import socket
import time

import pytest

import health_servers as hs
from health_fixtures import REDIS_PASSWORD
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_target import RedisTarget
from ansible_collections.sinapum.chatwoot.plugins.module_utils._sidekiq_probe import (
    age_words,
    job_enqueued_at,
    parse_process,
    probe_sidekiq,
)


def probe(redis, **kwargs):
    kwargs.setdefault('timeout', 3)
    return probe_sidekiq(RedisTarget('127.0.0.1', redis.port, REDIS_PASSWORD if redis.password else None), **kwargs)


def test_live_worker_is_ok_with_its_details(redis_pw, sidekiq):
    result = probe(redis_pw)
    assert result['status'] == 'ok', result
    mine = [p for p in result['processes'] if p['pid'] == sidekiq.proc.pid]
    assert len(mine) == 1
    process = mine[0]
    assert process['hostname'] == socket.gethostname()
    assert process['concurrency'] == 2 and process['busy'] == 0 and not process['quiet']
    assert process['queues'][:2] == ['critical', 'high']
    assert process['expired'] is False and process['beat'] is not None
    assert set(result['queues']) >= {'critical', 'high', 'medium', 'default', 'mailers', 'low'}
    assert result['queues']['default'] == {'size': 0, 'latency_s': None, 'in_latency_verdict': True}
    assert result['retry'] == 0 and result['dead'] == 0
    assert result['reason'].startswith('1 process(es) alive, last heartbeat')


def last_beat_of_paused(redis, worker):
    """SIGSTOP the worker (the process exists but no longer beats) and return its last heartbeat, which stays."""
    worker.pause()
    return probe(redis)['processes'][0]['beat']


def test_a_heartbeat_older_than_the_threshold_fails_and_a_resumed_worker_beats_again(own_sidekiq):
    redis, worker = own_sidekiq
    beat = last_beat_of_paused(redis, worker)
    result = probe(redis, now=beat + 100)  # as seen 100 s after the worker stopped beating
    assert result['status'] == 'failing'
    assert result['heartbeat_age_s'] == 100.0
    assert result['reason'] == 'no heartbeat for 100 s, threshold 60 s'
    assert probe(redis, now=beat + 59)['status'] == 'ok'
    worker.resume()
    hs.wait_for(lambda: probe(redis)['processes'][0]['beat'] > beat, timeout=30, interval=0.5,
                what='the resumed worker to beat again')


def test_quiet_worker(own_sidekiq):
    redis, worker = own_sidekiq
    os.kill(worker.proc.pid, signal.SIGTSTP)  # Sidekiq's "quiet": finish current jobs, take no new one
    hs.wait_for(lambda: probe(redis)['processes'][0]['quiet'], timeout=15, interval=0.3, what='the quiet flag')
    result = probe(redis)
    assert result['status'] == 'failing'
    assert result['reason'] == 'every live Sidekiq process is quiet (shutting down, taking no new job)'


def test_queue_latency_retry_dead_and_listed_queues(own_sidekiq):
    redis, dummy = own_sidekiq
    now = time.time()
    old_job = {'class': 'NoopJob', 'args': [], 'jid': 'a' * 24, 'queue': 'low', 'enqueued_at': now - 1000.0}
    new_job = dict(old_job, jid='b' * 24, enqueued_at=now - 1)
    # pushed on the left, as Sidekiq does: the oldest is the last element; the worker does not watch "low"
    redis.command('LPUSH', 'queue:low', json.dumps(old_job))
    redis.command('LPUSH', 'queue:low', json.dumps(new_job))
    redis.command('SADD', 'queues', 'low', 'custom_queue')
    redis.command('ZADD', 'retry', 1, 'r1', 2, 'r2')
    redis.command('ZADD', 'dead', 1, 'd1')
    result = probe(redis, queue_latency_threshold=300, now=now)
    assert result['status'] == 'failing'
    assert result['queues']['low']['size'] == 2
    assert result['queues']['low']['latency_s'] == 1000.0
    assert result['queues']['custom_queue'] == {'size': 0, 'latency_s': None, 'in_latency_verdict': True}
    assert result['retry'] == 2 and result['dead'] == 1
    assert result['reason'] == 'queue low: oldest job waiting 1000 s, threshold 300 s (2 jobs queued)'
    assert probe(redis, queue_latency_threshold=0)['status'] == 'ok'
    assert probe(redis, queue_latency_threshold=5000)['status'] == 'ok'


@pytest.mark.promise("sidekiq_alive_queues_are_reported_but_left_out_of_the")
def test_sidekiq_alive_queues_are_reported_but_left_out_of_the_latency_verdict(own_sidekiq):
    # sidekiq_alive 2.5.0 (Chatwoot 4.5.0 and later) keeps a queue "sidekiq-alive-<HOSTNAME>" per worker
    # (SidekiqAlive.current_queue, config.queue_prefix); after an unclean stop its job there is left to age.
    redis, dummy = own_sidekiq
    now = time.time()
    orphan = {'class': 'SidekiqAlive::Worker', 'args': ['e2f4c1'], 'jid': 'c' * 24,
              'queue': 'sidekiq-alive-e2f4c1', 'enqueued_at': now - 600.0}
    redis.command('LPUSH', 'queue:sidekiq-alive-e2f4c1', json.dumps(orphan))
    redis.command('SADD', 'queues', 'sidekiq-alive-e2f4c1')
    result = probe(redis, queue_latency_threshold=300, now=now)
    assert result['status'] == 'ok', result['reason']
    assert result['queues']['sidekiq-alive-e2f4c1'] == {'size': 1, 'latency_s': 600.0, 'in_latency_verdict': False}
    assert result['queues']['default']['in_latency_verdict'] is True
    # the same job in one of Chatwoot's queues is a verdict (this worker does not watch "low": the job stays)
    redis.command('LPUSH', 'queue:low', json.dumps(dict(orphan, queue='low')))
    result = probe(redis, queue_latency_threshold=300, now=now)
    assert result['status'] == 'failing'
    assert result['reason'] == 'queue low: oldest job waiting 600 s, threshold 300 s (1 jobs queued)'


def test_no_process_and_expired_processes(redis_nopw):
    redis_nopw.command('DEL', 'processes')
    result = probe(redis_nopw)
    assert result['status'] == 'failing'
    assert result['reason'].startswith('no Sidekiq process is registered in Redis')
    redis_nopw.command('SADD', 'processes', 'ghost:4242:0123456789ab')
    try:
        result = probe(redis_nopw)
    finally:
        redis_nopw.command('DEL', 'processes')
    assert result['reason'] == 'no heartbeat: the 1 registered Sidekiq process(es) have expired (the worker died)'
    assert result['processes'][0]['expired'] is True


def test_exited_container_fails_at_once_despite_a_fresh_heartbeat(redis_pw, sidekiq, fake_docker):
    engine = fake_docker({'chatwoot-sidekiq-1': hs.container_json('chatwoot-sidekiq-1', status='exited', exit_code=1)})
    result = probe(redis_pw, container='chatwoot-sidekiq-1', docker_socket=engine.socket_path)
    assert result['status'] == 'failing'
    assert result['reason'].startswith('worker container chatwoot-sidekiq-1 is exited (exit code 1, since ')
    assert result['container']['exit_code'] == 1
    # the worker's heartbeat is fine: Docker's word alone makes it fail
    assert result['reason'].count(';') == 0 and 'heartbeat' not in result['reason']
    assert result['processes'] and not any(p['expired'] for p in result['processes'])
    result = probe(redis_pw, container='gone', docker_socket=engine.socket_path)
    assert result['reason'].startswith('worker container gone does not exist')


def test_running_container_and_unusable_docker_socket(redis_pw, sidekiq, fake_docker, tmp_path):
    engine = fake_docker({'worker': hs.container_json('worker')})
    result = probe(redis_pw, container='worker', docker_socket=engine.socket_path)
    assert result['status'] == 'ok' and result['container']['running']
    # no engine: the heartbeat alone decides, and the reason Docker was not asked is shown
    result = probe(redis_pw, container='worker', docker_socket=str(tmp_path / 'docker.sock'))
    assert result['status'] == 'ok'
    assert 'does not exist' in result['container']['error']


def test_redis_problems_are_explained(redis_pw):
    result = probe_sidekiq(RedisTarget('127.0.0.1', redis_pw.port, 'wrong-S3cret-Guess'), timeout=2)
    assert result['status'] == 'failing'
    assert result['reason'].startswith('cannot read Sidekiq state: authentication failed')
    assert 'wrong-S3cret-Guess' not in repr(result)


def test_parsing_helpers():
    assert job_enqueued_at(json.dumps({'enqueued_at': 1700000000.5})) == 1700000000.5
    assert job_enqueued_at(json.dumps({'enqueued_at': 1700000000500})) == 1700000000.5  # Sidekiq 8: ms
    assert job_enqueued_at(json.dumps({'created_at': 1700000000})) == 1700000000.0
    assert job_enqueued_at('not json') is None and job_enqueued_at(json.dumps([1])) is None
    info = {'hostname': 'h', 'pid': 7, 'concurrency': 5, 'weights': [{'critical': 0, 'default': 0}]}
    process = parse_process('h:7:abc', [b'100.0', b'2', b'false', json.dumps(info).encode(), b'1024'], now=130.0)
    assert process['beat_age_s'] == 30.0 and process['busy'] == 2 and process['queues'] == ['critical', 'default']
    assert parse_process('x', [None] * 5, now=1.0)['expired'] is True
    assert age_words(95.4) == '95' and age_words(2.34) == '2.3'


def test_a_hung_worker_in_a_running_container_is_called_hung(own_sidekiq, fake_docker):
    redis, worker = own_sidekiq
    engine = fake_docker({'worker': hs.container_json('worker')})
    # SIGSTOP: Docker still sees a running container, Redis sees no heartbeat
    try:
        beat = last_beat_of_paused(redis, worker)
        result = probe(redis, container='worker', docker_socket=engine.socket_path, now=beat + 100)
    finally:
        worker.resume()
    assert result['status'] == 'failing'
    assert result['reason'] == ('worker container worker is running but its Sidekiq process has not beaten for 100 s, '
                                'threshold 60 s: it hangs (restart it)')
