# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The redis component of chatwoot_health: AUTH + PING with Chatwoot's credentials.

Private to the sinapum.chatwoot collection: no API promise.
"""

from __future__ import annotations

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
    RedisAuthError,
    RedisError,
    RedisProtocolError,
    RedisReplyError,
    decode,
)

AUTH_WORDS = {
    'wrong_password': 'authentication failed: the server refused the password (wrong REDIS_PASSWORD)',
    'password_required': 'authentication required: the server wants a password and none was given '
                         '(REDIS_PASSWORD empty?)',
    'no_password_configured': 'a password was given but the server has none configured '
                              '(Redis started without --requirepass: check how the compose file passes REDIS_PASSWORD)',
}


def describe_redis_error(exc, where, timeout):
    """Plain words for an error met while talking to Redis at ``where``."""
    if isinstance(exc, RedisAuthError):
        return AUTH_WORDS.get(exc.problem, 'authentication failed')
    if isinstance(exc, RedisReplyError):
        if exc.kind == 'LOADING':
            return 'Redis on %s is still loading its dataset' % where
        if exc.kind == 'DENIED':
            # Redis refuses every client but loopback ones when it runs without a password (protected mode).
            return ('Redis on %s runs without a password and refuses outside clients (protected mode): it lost its '
                    'requirepass (restarted without REDIS_PASSWORD, or CONFIG SET requirepass "")' % where)
        if exc.kind == 'MASTERDOWN':
            return 'Redis on %s is a replica whose master is down' % where
        return 'Redis on %s answered an error (%s)' % (where, exc.kind)
    if isinstance(exc, RedisProtocolError):
        return '%s: %s' % (where, exc)
    if isinstance(exc, (OSError, ProbeTimeout)):
        return describe_os_error(exc, where, timeout)
    return '%s: %s' % (where, exc)


def redis_drift(exc):
    """The configuration drift a running Redis answered with (waiting cannot change it), or None.

    A Redis starting up answers LOADING or nothing at all; one that refuses the password, wants one none was given,
    has none for one given, or refuses outside clients because it lost its password, stays so until it is changed.
    """
    if isinstance(exc, RedisAuthError):
        return exc.problem
    if isinstance(exc, RedisReplyError) and exc.kind == 'DENIED':
        return 'protected_mode'
    return None


def _info_fields(raw):
    fields = {}
    for line in decode(raw or b'').splitlines():
        if ':' in line and not line.startswith('#'):
            key, value = line.split(':', 1)
            fields[key.strip()] = value.strip()
    return fields


def probe_redis(target, timeout=5.0):
    """AUTH (when a password is known), PING and a short INFO server in the Redis ``target`` (a
    _redis_target.RedisTarget) names; return a component entry."""
    deadline = Deadline(timeout)
    where = target.where
    details = target.details()
    details.update(version=None, auth_error=None, drift=None)
    try:
        with target.connect(timeout, deadline) as redis:
            where = target.note_master(details, redis)
            if not redis.ping():
                return component(FAILING, 'PING on %s did not answer PONG' % where, deadline.elapsed_ms(), **details)
            # INFO needs no special right in the default user; a refusal (ACL) is not a health problem
            info = redis.pipeline([('INFO', 'server')])[0]
            if not isinstance(info, RedisReplyError):
                details['version'] = _info_fields(info).get('redis_version')
    except ProbeTimeout:
        return component(FAILING, 'no answer from %s within %s s (timeout)' % (where, format_seconds(timeout)),
                         deadline.elapsed_ms(), **details)
    except (OSError, RedisError) as exc:
        if isinstance(exc, RedisAuthError):
            details['auth_error'] = exc.problem
        details['drift'] = redis_drift(exc)
        target.note_master(details, exc)
        return component(FAILING, target.describe_error(exc, timeout), deadline.elapsed_ms(), **details)
    reason = 'PONG from %s' % where
    if details['version']:
        reason = 'Redis %s answers PONG on %s' % (details['version'], where)
    return component(OK, reason + target.master_words(redis), deadline.elapsed_ms(), **details)
