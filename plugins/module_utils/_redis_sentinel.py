# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ask Redis Sentinels for the master, as Chatwoot's client does (standard library only).

Private to the sinapum.chatwoot collection: no API promise.
Chatwoot 4.15.1 (lib/redis/config.rb) hands redis-client a list of sentinels and a master name; redis-client
(SentinelConfig#resolve_master) asks each sentinel in turn ``SENTINEL get-master-addr-by-name NAME``, takes the first
address given, and after connecting checks with ``ROLE`` that the server is a master. The sentinels are asked
without TLS, without a database and with the sentinel password only.
"""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import (
    ProbeTimeout,
    describe_os_error,
    host_port,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_resp import (
    RedisAuthError,
    RedisConnection,
    RedisError,
    RedisReplyError,
    decode,
)

SENTINEL_AUTH_WORDS = {
    'wrong_password': 'authentication failed: the server refused the password (wrong REDIS_SENTINEL_PASSWORD, or '
                      'REDIS_PASSWORD when that is not set)',
    'password_required': 'authentication required: the sentinel wants a password and none was given '
                         '(REDIS_SENTINEL_PASSWORD empty?)',
    'no_password_configured': 'a password was given but the sentinel has none configured (REDIS_SENTINEL_PASSWORD, '
                              'or REDIS_PASSWORD when that is not set, is sent to it)',
}


class RedisSentinelError(RedisError):
    """No sentinel named the master, or the server named is not a master; the message says why in plain words."""


def _describe(exc, where, timeout):
    if isinstance(exc, RedisAuthError):
        return '%s: %s' % (where, SENTINEL_AUTH_WORDS.get(exc.problem, 'authentication failed'))
    if isinstance(exc, RedisReplyError):
        return '%s answered an error (%s)' % (where, exc.kind)
    if isinstance(exc, OSError):
        return describe_os_error(exc, where, timeout)
    return '%s: %s' % (where, exc)


def find_master(sentinels, master_name, password, timeout, deadline):
    """Return (host, port, sentinel address) of the master the first answering sentinel names.

    Raises RedisSentinelError listing what each sentinel said, or ProbeTimeout when the time budget ran out.
    """
    heard = []
    for host, port in sentinels:
        where = host_port(host, port)
        try:
            with RedisConnection(host, port, password=password, timeout=timeout, deadline=deadline) as sentinel:
                reply = sentinel.execute('SENTINEL', 'get-master-addr-by-name', master_name)
        except ProbeTimeout:
            raise
        except (OSError, RedisError) as exc:
            heard.append(_describe(exc, where, timeout))
            continue
        if isinstance(reply, list) and len(reply) == 2 and reply[0] and reply[1]:
            try:
                return decode(reply[0]), int(decode(reply[1])), where
            except ValueError:
                heard.append('%s answered an address that is not one (%r)' % (where, reply))
                continue
        heard.append('%s knows no master of that name (REDIS_SENTINEL_MASTER_NAME)' % where)
    raise RedisSentinelError('no sentinel named the master %s: %s' % (master_name, '; '.join(heard)))


def check_master_role(connection, master_name):
    """Raise RedisSentinelError unless the server is a master (redis-client's check_role!)."""
    reply = connection.execute('ROLE')
    role = decode(reply[0]) if isinstance(reply, list) and reply else None
    if role != 'master':
        raise RedisSentinelError('%s, named by the sentinels as the master %s, is a %s, not a master (a failover in '
                                 'progress?)' % (host_port(connection.host, connection.port), master_name, role))
