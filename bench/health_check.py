# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test) of sinapum.chatwoot.chatwoot_health's check against a healthy setup.

    .venv/bin/python bench/health_check.py [-n 200] [--postgres auto|local|docker] [--ansible 5]
    .venv/bin/python bench/health_check.py --module-args '{"env_file": "/opt/chatwoot/.env"}'

Without --module-args it starts a healthy four-part setup on loopback the way the tests do (Debian's
PostgreSQL, or the rig's pgvector image when Docker answers; redis-server; a real Sidekiq; a Chatwoot-shaped
HTTP app), then runs the module's whole check (argument resolution, the four probes in parallel, the result)
N times in-process and prints median and p95 in milliseconds. The target is a median under 150 ms.
--ansible K also times K runs of the real `ansible localhost -m sinapum.chatwoot.chatwoot_health`
(Ansible's own start-up included) for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests', 'integration'))

import health_fixtures  # noqa: E402  pylint: disable=wrong-import-position
import health_servers as hs  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.sinapum.chatwoot.plugins.module_utils import _health_check  # noqa: E402  pylint: disable=wrong-import-position

TARGET_MS = 150.0


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def start_docker_postgres(cleanup):
    image = 'sinapum-rig/pgvector:pg17'
    if hs.docker_socket_path() is None or not hs.docker_image_exists(image):
        return None
    name = 'cw-health-bench-%d' % os.getpid()
    port = hs.free_port()
    password = hs.PostgresServer.PASSWORD
    hs.docker('run', '-d', '--name', name, '-p', '127.0.0.1:%d:5432' % port, '-e', 'POSTGRES_USER=chatwoot',
              '-e', 'POSTGRES_PASSWORD=%s' % password, '-e', 'POSTGRES_DB=chatwoot', image)
    cleanup.append(lambda: hs.docker('rm', '-f', name, check=False))
    from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import PgConnection

    def ready():
        with PgConnection('127.0.0.1', port, 'chatwoot', password, 'chatwoot', timeout=2) as conn:
            return conn.scalar('SELECT 1') == '1'

    hs.wait_for(ready, timeout=90, interval=0.5, what='the pgvector container')
    with PgConnection('127.0.0.1', port, 'chatwoot', password, 'chatwoot') as conn:
        conn.query('CREATE EXTENSION vector; CREATE TABLE installation_configs (id bigserial PRIMARY KEY); '
                   'CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar); '
                   'CREATE TABLE schema_migrations (version varchar PRIMARY KEY); '
                   "INSERT INTO ar_internal_metadata VALUES ('environment', 'production'); "
                   "INSERT INTO schema_migrations VALUES ('20250916000000')")
    return {'postgres_port': port, 'postgres_require_vector': True, 'description': 'PostgreSQL 17 + pgvector (Docker, '
            'published port)'}


def start_setup(postgres, cleanup):
    pg_args = None
    if postgres in ('auto', 'docker'):
        pg_args = start_docker_postgres(cleanup)
        if pg_args is None and postgres == 'docker':
            raise SystemExit('no Docker engine or no sinapum-rig/pgvector:pg17 image')
    if pg_args is None:
        pg = hs.PostgresServer(ssl=False).start()
        cleanup.append(pg.cleanup)
        pg_args = {'postgres_port': pg.port, 'postgres_require_vector': False,
                   'description': "Debian's PostgreSQL (no pgvector: vector check off)"}
    redis = hs.RedisServer(password=health_fixtures.REDIS_PASSWORD).start()
    cleanup.append(redis.cleanup)
    worker = hs.SidekiqWorker(redis).start()
    cleanup.append(worker.cleanup)
    app = hs.ChatwootApp('real', pg_port=pg_args['postgres_port'], redis_port=redis.port,
                         redis_password=health_fixtures.REDIS_PASSWORD).start()
    cleanup.append(app.stop)
    description = pg_args.pop('description')
    args = dict(env_file='/nonexistent/.env', web_url=app.url, postgres_user='chatwoot',
                postgres_password=hs.PostgresServer.PASSWORD, postgres_database='chatwoot',
                redis_port=redis.port, redis_password=health_fixtures.REDIS_PASSWORD, **pg_args)
    return args, description


def settings_for(args):
    params = dict((key, spec.get('default')) for key, spec in _health_check.argument_spec().items())
    params.update(args)
    return _health_check.resolve_settings(params)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('-n', '--runs', type=int, default=200)
    parser.add_argument('--postgres', choices=['auto', 'local', 'docker'], default='auto')
    parser.add_argument('--ansible', type=int, default=0, metavar='K', help='also time K runs of the ansible command')
    parser.add_argument('--module-args', help='JSON module arguments of an existing deployment (starts nothing)')
    options = parser.parse_args()

    cleanup = []
    try:
        if options.module_args:
            args, description = json.loads(options.module_args), 'existing deployment'
        else:
            args, description = start_setup(options.postgres, cleanup)
        first = _health_check.run(settings_for(args))
        if not first['healthy']:
            raise SystemExit('the setup is not healthy: %s' % first['msg'])
        times = []
        parts = dict((name, []) for name in _health_check.COMPONENTS)
        for dummy in range(options.runs):
            started = time.perf_counter()
            result = _health_check.run(settings_for(args))
            times.append((time.perf_counter() - started) * 1000.0)
            if not result['healthy']:
                raise SystemExit('became unhealthy during the benchmark: %s' % result['msg'])
            for name, entry in result['components'].items():
                parts[name].append(entry['latency_ms'])
        median, p95 = statistics.median(times), percentile(times, 0.95)
        print('setup: %s' % description)
        print('whole check, %d runs: median %.1f ms, p95 %.1f ms, max %.1f ms (target: median < %.0f ms) -> %s'
              % (len(times), median, p95, max(times), TARGET_MS, 'PASS' if median < TARGET_MS else 'OVER'))
        for name, values in parts.items():
            if values:
                print('  %-8s median %.1f ms, p95 %.1f ms' % (name, statistics.median(values), percentile(values, 0.95)))
        if options.ansible:
            wall = []
            for dummy in range(options.ansible):
                started = time.perf_counter()
                result, rc, raw = health_fixtures.run_ansible(args)
                wall.append((time.perf_counter() - started) * 1000.0)
                if rc != 0 or not result['healthy']:
                    raise SystemExit('ansible run failed: %s' % raw[-2000:])
            print('ansible ad-hoc command, %d runs: median %.0f ms, p95 %.0f ms (Ansible start-up included)'
                  % (len(wall), statistics.median(wall), percentile(wall, 0.95)))
    finally:
        for step in reversed(cleanup):
            step()


if __name__ == '__main__':
    main()
