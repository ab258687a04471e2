# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read Sidekiq's own bookkeeping in Redis to tell whether Chatwoot's worker is alive.

Private to the sinapum.chatwoot collection: no API promise.
Layout (Sidekiq 6 and 7): the set ``processes`` holds one identity per worker process
(``hostname:pid:nonce``); the hash of that name has ``beat`` (epoch seconds of the last
heartbeat, renewed every 10 s), ``busy``, ``quiet`` and ``info`` (JSON: hostname, pid,
concurrency, queues…) and expires 60 s after the last beat. Jobs wait in lists
``queue:NAME``, pushed on the left and taken from the right, so ``LINDEX queue:NAME -1`` is
the oldest job; its ``enqueued_at`` gives the queue's latency. ``retry``, ``dead`` and
``schedule`` are sorted sets. The set ``queues`` names every queue ever pushed to.
"""

from __future__ import annotations

import json
import time

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import (
    FAILING,
    OK,
    Deadline,
    ProbeTimeout,
    component,
    describe_os_error,
    format_seconds,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_resp import (
    RedisError,
    RedisReplyError,
    decode,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import (
    DockerError,
    container_state,
    describe_stopped,
)

# Chatwoot's main queues (config/sidekiq.yml), most urgent first
DEFAULT_QUEUES = ('critical', 'high', 'medium', 'default', 'mailers', 'low')
# sidekiq_alive (Chatwoot 4.5.0 and later) keeps one queue per worker, "sidekiq-alive-<HOSTNAME>"
# (sidekiq_alive 2.5.0: config.queue_prefix, SidekiqAlive.current_queue). After an unclean stop the job left there
# ages for nothing: its latency says nothing about Chatwoot's jobs.
SIDEKIQ_ALIVE_QUEUE_PREFIX = 'sidekiq-alive-'


def age_words(seconds):
    """95.4 -> '95', 2.34 -> '2.3': whole seconds once they are many."""
    if seconds >= 10:
        return format_seconds(round(seconds))
    return format_seconds(round(seconds, 1))


def _float(value):
    try:
        return float(decode(value))
    except (TypeError, ValueError):
        return None


def _int(value):
    try:
        return int(decode(value))
    except (TypeError, ValueError):
        return None


def job_enqueued_at(raw_job):
    """Epoch seconds a job was enqueued (Sidekiq 8 stores milliseconds), or None."""
    try:
        job = json.loads(decode(raw_job))
    except (TypeError, ValueError):
        return None
    if not isinstance(job, dict):
        return None
    value = job.get('enqueued_at', job.get('created_at'))
    if not isinstance(value, (int, float)):
        return None
    if value > 1e11:
        value = value / 1000.0
    return float(value)


def _process_queues(info):
    """Queue names a process listens to (Sidekiq 7 may list them only in ``weights``)."""
    queues = info.get('queues')
    if isinstance(queues, list) and queues:
        return [str(q) for q in queues]
    names = []
    weights = info.get('weights')
    for item in weights if isinstance(weights, list) else []:
        for name in (item.keys() if isinstance(item, dict) else []):
            if name not in names:
                names.append(str(name))
    return names


def parse_process(identity, fields, now):
    """One process entry from its HMGET beat busy quiet info rss reply."""
    beat, busy, quiet, info, rss = (list(fields or []) + [None] * 5)[:5]
    beat = _float(beat)
    try:
        info = json.loads(decode(info)) if info else {}
    except ValueError:
        info = {}
    if not isinstance(info, dict):
        info = {}
    entry = {
        'identity': identity,
        'hostname': info.get('hostname'),
        'pid': info.get('pid'),
        'tag': info.get('tag') or None,
        'concurrency': info.get('concurrency'),
        'queues': _process_queues(info),
        'version': info.get('version'),
        'busy': _int(busy),
        'quiet': decode(quiet) == 'true',
        'rss_kb': _int(rss),
        'beat': beat,
        'beat_age_s': round(max(0.0, now - beat), 1) if beat is not None else None,
        'expired': beat is None,
    }
    return entry


def _queue_names(extra_queues, listed):
    names = list(DEFAULT_QUEUES)
    for name in list(extra_queues or []) + sorted(listed):
        if name and name not in names:
            names.append(name)
    return names


def probe_sidekiq(target, timeout=5.0, heartbeat_threshold=60.0, queue_latency_threshold=300.0, queues=None,
                  container=None, docker_socket='/var/run/docker.sock', now=None):
    """Check the worker: container state (if named), heartbeats, queue sizes and latencies, in the Redis that
    ``target`` (a RedisTarget) names."""
    deadline = Deadline(timeout)
    where = target.where
    details = {
        'processes': [],
        'heartbeat_age_s': None,
        'heartbeat_threshold_s': heartbeat_threshold,
        'queues': {},
        'queue_latency_threshold_s': queue_latency_threshold,
        'retry': None,
        'dead': None,
        'scheduled': None,
        'container': None,
    }
    problems = []

    if container:
        try:
            state = container_state(docker_socket, container, min(timeout, deadline.remaining()))
            details['container'] = state
            if not state['running']:
                problems.append('worker %s' % describe_stopped(state))
        except ProbeTimeout:
            details['container'] = {'name': container, 'error': 'no answer from the Docker engine in time'}
        except (OSError, DockerError) as exc:
            if isinstance(exc, DockerError):
                words = str(exc)
            else:
                words = describe_os_error(exc, 'the Docker socket %s' % docker_socket, timeout)
            details['container'] = {'name': container, 'error': words}

    try:
        with target.connect(timeout, deadline) as redis:
            first = redis.pipeline([
                ('SMEMBERS', 'processes'),
                ('SMEMBERS', 'queues'),
                ('ZCARD', 'retry'),
                ('ZCARD', 'dead'),
                ('ZCARD', 'schedule'),
            ])
            for reply in first:
                if isinstance(reply, RedisReplyError):
                    raise reply
            identities = sorted(decode(m) for m in (first[0] or []))
            listed_queues = set(decode(m) for m in (first[1] or []))
            details['retry'], details['dead'], details['scheduled'] = first[2], first[3], first[4]
            names = _queue_names(queues, listed_queues)
            commands = [('HMGET', ident, 'beat', 'busy', 'quiet', 'info', 'rss') for ident in identities]
            for name in names:
                commands.append(('LLEN', 'queue:' + name))
                commands.append(('LINDEX', 'queue:' + name, -1))
            replies = redis.pipeline(commands)
            for reply in replies:
                if isinstance(reply, RedisReplyError):
                    raise reply
    except ProbeTimeout:
        problems.append('cannot read Sidekiq state: no answer from Redis on %s within %s s (timeout)'
                        % (where, format_seconds(timeout)))
        return component(FAILING, '; '.join(problems), deadline.elapsed_ms(), **details)
    except (OSError, RedisError) as exc:
        problems.append('cannot read Sidekiq state: %s' % target.describe_error(exc, timeout))
        return component(FAILING, '; '.join(problems), deadline.elapsed_ms(), **details)

    now = time.time() if now is None else now
    processes = [parse_process(ident, replies[i], now) for i, ident in enumerate(identities)]
    details['processes'] = processes
    offset = len(identities)
    for index, name in enumerate(names):
        size = replies[offset + 2 * index]
        oldest = replies[offset + 2 * index + 1]
        latency = None
        if oldest is not None:
            enqueued = job_enqueued_at(oldest)
            if enqueued is not None:
                latency = round(max(0.0, now - enqueued), 1)
        details['queues'][name] = {'size': size, 'latency_s': latency,
                                   'in_latency_verdict': not name.startswith(SIDEKIQ_ALIVE_QUEUE_PREFIX)}

    alive = [p for p in processes if not p['expired'] and p['beat_age_s'] <= heartbeat_threshold]
    ages = [p['beat_age_s'] for p in processes if p['beat_age_s'] is not None]
    details['heartbeat_age_s'] = min(ages) if ages else None
    if not processes:
        problems.append('no Sidekiq process is registered in Redis (the worker is not running, '
                        'or it uses another Redis database)')
    elif not alive and (details['container'] or {}).get('running'):
        # Docker says the process runs, Redis says it stopped beating: it hangs (or was stopped with SIGSTOP).
        silent = ('for %s s' % age_words(min(ages))) if ages else 'so long that its heartbeat expired'
        problems.append('worker container %s is running but its Sidekiq process has not beaten %s, threshold %s s: '
                        'it hangs (restart it)' % (details['container'].get('name'), silent,
                                                   format_seconds(heartbeat_threshold)))
    elif not ages:
        problems.append('no heartbeat: the %d registered Sidekiq process(es) have expired (the worker died)'
                        % len(processes))
    elif not alive:
        problems.append('no heartbeat for %s s, threshold %s s'
                        % (age_words(min(ages)), format_seconds(heartbeat_threshold)))
    elif all(p['quiet'] for p in alive):
        problems.append('every live Sidekiq process is quiet (shutting down, taking no new job)')

    if queue_latency_threshold and queue_latency_threshold > 0:
        for name in names:
            latency = details['queues'][name]['latency_s']
            if details['queues'][name]['in_latency_verdict'] and latency is not None and latency > queue_latency_threshold:
                problems.append('queue %s: oldest job waiting %s s, threshold %s s (%d jobs queued)'
                                % (name, age_words(latency), format_seconds(queue_latency_threshold),
                                   details['queues'][name]['size'] or 0))

    if problems:
        return component(FAILING, '; '.join(problems), deadline.elapsed_ms(), **details)
    busy = sum(p['busy'] or 0 for p in alive)
    waiting = sum((q['size'] or 0) for q in details['queues'].values())
    reason = '%d process(es) alive, last heartbeat %s s ago, %d busy, %d job(s) queued' % (
        len(alive), age_words(details['heartbeat_age_s']), busy, waiting)
    return component(OK, reason, deadline.elapsed_ms(), **details)
