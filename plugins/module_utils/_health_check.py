# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The health check of M(sinapum.chatwoot.chatwoot_health): its options, their checks, the probes and the wait.

Here, not in the module, so that chatwoot_host_info can ask the same probes within its read of the host.
"""

from __future__ import annotations

import time
import traceback

try:
    from concurrent.futures import ThreadPoolExecutor
except ImportError:  # pragma: no cover
    ThreadPoolExecutor = None

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import (
    COMPONENTS,
    FAILING,
    ProbeTimeout,
    component,
    format_seconds,
    scrub,
    scrub_text,
    skipped,
    summarize,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._env_file import (
    deployment_settings,
    read_env_file,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._http_probe import (
    WebUrlError,
    add_seen_cause,
    parse_web_url,
    probe_web,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_probe import probe_postgres
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_probe import probe_redis
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_target import RedisTarget
from ansible_collections.sinapum.chatwoot.plugins.module_utils._sidekiq_probe import probe_sidekiq
from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import (
    LIBPQ_SSLMODES,
    CaFileError,
    check_ca_file,
    libpq_root_cert,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import (
    DockerError,
    container_state,
    describe_stopped,
    valid_container_name,
)

DEFAULT_DATABASE = 'chatwoot_production'


def argument_spec():
    return dict(
        components=dict(type='list', elements='str', choices=list(COMPONENTS), default=list(COMPONENTS)),
        env_file=dict(type='path', default='/opt/chatwoot/.env'),
        web_url=dict(type='str', default='http://127.0.0.1:3001'),
        web_liveness_path=dict(type='str', default='/health'),
        web_host=dict(type='str'),
        web_forwarded_proto_https=dict(type='bool'),
        web_validate_certs=dict(type='bool', default=True),
        postgres_host=dict(type='str', default='127.0.0.1'),
        postgres_port=dict(type='int', default=5435),
        postgres_user=dict(type='str'),
        postgres_password=dict(type='str', no_log=True),
        postgres_database=dict(type='str'),
        postgres_ssl_mode=dict(type='str', choices=list(LIBPQ_SSLMODES), default='prefer'),
        postgres_ca_file=dict(type='path'),
        postgres_require_vector=dict(type='bool', default=True),
        postgres_require_prepared=dict(type='bool', default=True),
        redis_host=dict(type='str', default='127.0.0.1'),
        redis_port=dict(type='int', default=6381),
        redis_password=dict(type='str', no_log=True),
        redis_username=dict(type='str'),
        redis_db=dict(type='int'),
        redis_tls=dict(type='bool'),
        redis_validate_certs=dict(type='bool'),
        redis_ca_file=dict(type='path'),
        sidekiq_container=dict(type='str'),
        web_container=dict(type='str'),
        sidekiq_queues=dict(type='list', elements='str', default=[]),
        docker_socket=dict(type='str', default='/var/run/docker.sock'),
        timeout=dict(type='float', default=5.0),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='float', default=300.0),
        wait_interval=dict(type='float', default=2.0),
        heartbeat_threshold=dict(type='float', default=60.0),
        queue_latency_threshold=dict(type='float', default=300.0),
        fail_on_unhealthy=dict(type='bool', default=False),
    )


class BadInput(Exception):
    """A problem with the module's arguments or the env file: the one reason to fail besides health."""


def _first(*values):
    for value in values:
        if value is not None:
            return value
    return None


def resolve_settings(params):
    """Merge the options with the env file; return the settings the probes use.

    Raises BadInput for arguments that cannot work. Never puts a secret in an exception.
    """
    requested = []
    for name in params['components'] or []:
        if name not in requested:
            requested.append(name)
    if not requested:
        raise BadInput('components must name at least one of: %s' % ', '.join(COMPONENTS))
    for key in ('timeout', 'wait_interval'):
        if params[key] <= 0:
            raise BadInput('%s must be greater than 0' % key)
    for key in ('wait_timeout', 'heartbeat_threshold', 'queue_latency_threshold'):
        if params[key] < 0:
            raise BadInput('%s must not be negative' % key)

    env = None
    env_path = params['env_file']
    if env_path:
        try:
            env = read_env_file(env_path)
        except (OSError, UnicodeError) as exc:
            raise BadInput('cannot read env_file %s: %s' % (env_path, getattr(exc, 'strerror', None) or type(exc).__name__))
    from_env = deployment_settings(env)

    settings = dict(params)
    settings['components'] = requested
    settings['env_file_found'] = env is not None
    settings['web_forwarded_proto_https'] = _first(params['web_forwarded_proto_https'], from_env['force_ssl'])
    settings['web_host'] = params['web_host'] or None
    settings['web_chatwoot_hosts'] = (from_env['frontend_host'], from_env['helpcenter_host']) if env is not None else None
    settings['postgres_user'] = _first(params['postgres_user'], from_env['postgres_user'])
    settings['postgres_password'] = _first(params['postgres_password'], from_env['postgres_password'])
    settings['postgres_database'] = _first(params['postgres_database'], from_env['postgres_database'], DEFAULT_DATABASE)
    settings['redis_password'] = _first(params['redis_password'], from_env['redis_password'])
    if settings['redis_password'] == '':
        settings['redis_password'] = None
    settings['redis_username'] = _first(params['redis_username'], from_env['redis_username'])
    settings['redis_db'] = _first(params['redis_db'], from_env['redis_db'], 0)
    settings['redis_tls'] = bool(_first(params['redis_tls'], from_env['redis_tls'], False))
    chatwoot_verifies = from_env['redis_verify'] if env is not None else None
    settings['redis_validate_certs'] = bool(_first(params['redis_validate_certs'], chatwoot_verifies, True))
    if params['redis_ca_file']:
        try:
            check_ca_file('redis_ca_file', params['redis_ca_file'])
        except CaFileError as exc:
            raise BadInput(str(exc))

    if 'web' in requested:
        try:
            parse_web_url(params['web_url'])
        except WebUrlError as exc:
            raise BadInput(str(exc))
        if params['web_liveness_path'] and not params['web_liveness_path'].startswith('/'):
            raise BadInput('web_liveness_path must start with / (or be empty), got %r' % params['web_liveness_path'])
    if 'postgres' in requested and not settings['postgres_user']:
        where = ('%s does not set POSTGRES_USERNAME' % env_path) if env is not None else \
            ('env_file %s does not exist' % env_path)
        raise BadInput('postgres_user is not given and %s' % where)
    settings['postgres_root_cert'] = None
    if 'postgres' in requested:
        try:
            settings['postgres_root_cert'] = libpq_root_cert(params['postgres_ssl_mode'], params['postgres_ca_file'],
                                                             mode_option='postgres_ssl_mode',
                                                             ca_option='postgres_ca_file')
        except CaFileError as exc:
            raise BadInput(str(exc))
    for key in ('sidekiq_container', 'web_container'):
        if settings[key] and not valid_container_name(settings[key]):
            raise BadInput('%s %r is not a valid container name' % (key, settings[key]))
    if settings['redis_db'] < 0:
        raise BadInput('redis_db must not be negative')
    sentinels = from_env['redis_sentinels']
    settings['redis_sentinel_password'] = from_env['redis_sentinel_password']
    if sentinels and any(not isinstance(port, int) for dummy, port in sentinels):
        raise BadInput('REDIS_SENTINELS in %s has a port that is not a number (format: host1:port1, host2:port2)'
                       % env_path)
    if sentinels and not from_env['redis_sentinel_master']:
        raise BadInput('REDIS_SENTINEL_MASTER_NAME in %s is empty: Chatwoot could not name the master either' % env_path)
    settings['redis_target'] = RedisTarget(
        settings['redis_host'], settings['redis_port'], password=settings['redis_password'],
        username=settings['redis_username'], db=settings['redis_db'], tls=settings['redis_tls'],
        validate_certs=settings['redis_validate_certs'], ca_file=params['redis_ca_file'],
        server_name=from_env['redis_host'], chatwoot_verifies=chatwoot_verifies, sentinels=sentinels,
        master_name=from_env['redis_sentinel_master'], sentinel_password=from_env['redis_sentinel_password'])
    return settings


def secrets_of(settings):
    return [s for s in (settings.get('postgres_password'), settings.get('redis_password'),
                        settings.get('redis_sentinel_password')) if s]


def _probe(name, settings, timeout):
    if name == 'web':
        result = probe_web(settings['web_url'], timeout,
                           forwarded_proto_https=settings['web_forwarded_proto_https'],
                           validate_certs=settings['web_validate_certs'], host=settings['web_host'],
                           chatwoot_hosts=settings['web_chatwoot_hosts'], liveness_path=settings['web_liveness_path'])
        if result['status'] == FAILING and settings['web_container']:
            # Only a failing web asks Docker why: a web crashing at start shows as nothing listening.
            try:
                state = container_state(settings['docker_socket'], settings['web_container'], timeout)
            except (OSError, DockerError, ProbeTimeout):
                state = None
            if state is not None and not state['running']:
                result['reason'] = 'web %s; %s' % (describe_stopped(state), result['reason'])
                result['container'] = state
        return result
    if name == 'postgres':
        return probe_postgres(settings['postgres_host'], settings['postgres_port'], settings['postgres_user'],
                              settings['postgres_password'], settings['postgres_database'], timeout,
                              sslmode=settings['postgres_ssl_mode'], ca_file=settings['postgres_root_cert'],
                              require_vector=settings['postgres_require_vector'],
                              require_prepared=settings['postgres_require_prepared'])
    if name == 'redis':
        return probe_redis(settings['redis_target'], timeout)
    return probe_sidekiq(settings['redis_target'], timeout,
                         heartbeat_threshold=settings['heartbeat_threshold'],
                         queue_latency_threshold=settings['queue_latency_threshold'],
                         queues=settings['sidekiq_queues'], container=settings['sidekiq_container'],
                         docker_socket=settings['docker_socket'])


def _guarded_probe(name, settings, timeout):
    started = time.monotonic()
    try:
        return _probe(name, settings, timeout)
    except Exception as exc:  # pylint: disable=broad-except
        # a bug in a probe must not hide the other parts' verdicts, nor leak a secret
        text = scrub_text('%s: %s' % (type(exc).__name__, exc), secrets_of(settings))
        return component(FAILING, 'the probe itself failed (%s)' % text,
                         round((time.monotonic() - started) * 1000.0, 1),
                         traceback=scrub_text(traceback.format_exc(), secrets_of(settings)))


def check_once(settings, timeout=None):
    """Probe the requested parts in parallel; return the components dict (every part present)."""
    timeout = settings['timeout'] if timeout is None else timeout
    requested = [name for name in COMPONENTS if name in settings['components']]
    components = dict((name, skipped('not requested')) for name in COMPONENTS)
    if len(requested) == 1 or ThreadPoolExecutor is None:
        for name in requested:
            components[name] = _guarded_probe(name, settings, timeout)
    else:
        with ThreadPoolExecutor(max_workers=len(requested)) as pool:
            futures = dict((name, pool.submit(_guarded_probe, name, settings, timeout)) for name in requested)
            for name in requested:
                components[name] = futures[name].result()
    add_seen_cause(components['web'], components['postgres'], components['redis'])
    return components


def empty_result(msg=''):
    """The result's shape, before any probe: what a check that could not start returns."""
    return dict(changed=False, healthy=False, components={}, failed_components=[], drifted_components=[], msg=msg,
                attempts=0, elapsed_ms=0.0)


def run(settings, sleep=time.sleep, clock=time.monotonic):
    """The whole check, with the wait loop; returns the result dict (always the same shape)."""
    started = clock()
    result = empty_result()
    wait_end = started + settings['wait_timeout'] if settings['wait'] else None
    timed_out = False
    while True:
        result['attempts'] += 1
        timeout = settings['timeout']
        if wait_end is not None:
            timeout = max(0.2, min(timeout, wait_end - clock()))
        components = check_once(settings, timeout)
        healthy, failed, msg = summarize(components)
        drifted = [name for name in failed if components[name].get('drift')]
        result.update(components=components, healthy=healthy, failed_components=failed, drifted_components=drifted,
                      msg=msg)
        if healthy or wait_end is None:
            break
        if drifted:
            result['msg'] = '%s; waiting cannot change this (a configuration drift, not a start-up), so the wait ' \
                            'stopped after %d attempt%s' % (msg, result['attempts'], '' if result['attempts'] == 1 else 's')
            break
        left = wait_end - clock()
        if left <= 0:
            timed_out = True
            break
        sleep(min(settings['wait_interval'], left))
    result['elapsed_ms'] = round((clock() - started) * 1000.0, 1)
    if timed_out:
        result['msg'] = 'still unhealthy after waiting %s s (%d attempts): %s' % (
            format_seconds(settings['wait_timeout']), result['attempts'], result['msg'])
    return scrub(result, secrets_of(settings))
