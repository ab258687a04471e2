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
    host_port,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_resp import (
    RedisAuthError,
    RedisConnection,
    RedisError,
    RedisProtocolError,
    RedisReplyError,
    decode,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import describe_verify_error

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


def _info_fields(raw):
    fields = {}
    for line in decode(raw or b'').splitlines():
        if ':' in line and not line.startswith('#'):
            key, value = line.split(':', 1)
            fields[key.strip()] = value.strip()
    return fields


class RedisTarget(object):
    """The Redis Chatwoot uses and how it talks to it: address, credentials, database and TLS.

    ``server_name`` is the name Chatwoot connects to (REDIS_URL's host): its certificate is checked against that
    name, while the probe may reach the same server on another address (a port published on the loopback).
    ``chatwoot_verifies`` is what the env file makes Chatwoot do with the certificate (None: not known).
    """

    def __init__(self, host, port, password=None, username=None, db=0, tls=False, validate_certs=True, ca_file=None,
                 server_name=None, chatwoot_verifies=None):
        self.host = host
        self.port = int(port)
        self.password = password
        self.username = username
        self.db = int(db or 0)
        self.tls = bool(tls)
        self.validate_certs = bool(validate_certs)
        self.ca_file = ca_file
        self.server_name = server_name or host
        self.chatwoot_verifies = chatwoot_verifies

    @property
    def where(self):
        return host_port(self.host, self.port)

    def details(self):
        details = {'address': self.where, 'tls': self.tls, 'db': self.db, 'auth': self.password is not None}
        if self.tls:
            details.update(tls_verified=self.validate_certs, tls_server_name=self.server_name,
                           tls_ca_file=self.ca_file)
        return details

    def connect(self, timeout, deadline):
        """An open RedisConnection (authenticated, database selected); the caller closes it."""
        return RedisConnection(self.host, self.port, password=self.password, username=self.username, db=self.db,
                               tls=self.tls, validate_certs=self.validate_certs, ca_file=self.ca_file,
                               server_name=self.server_name, timeout=timeout, deadline=deadline).connect()

    def describe_error(self, exc, timeout):
        words = describe_redis_error(exc, self.where, timeout)
        if self.tls and self.validate_certs and describe_verify_error(exc):
            if self.chatwoot_verifies:
                words += ' (Chatwoot verifies it too, as REDIS_OPENSSL_VERIFY_MODE is not none'
            else:
                words += ' ('
            words += '%sgive the CA that signed it as redis_ca_file)' % (': ' if self.chatwoot_verifies else '')
        return words


def probe_redis(target, timeout=5.0):
    """AUTH (when a password is known), PING and a short INFO server; return a component entry."""
    deadline = Deadline(timeout)
    where = target.where
    details = target.details()
    details.update(version=None, auth_error=None)
    try:
        with target.connect(timeout, deadline) as redis:
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
        return component(FAILING, target.describe_error(exc, timeout), deadline.elapsed_ms(), **details)
    reason = 'PONG from %s' % where
    if details['version']:
        reason = 'Redis %s answers PONG on %s' % (details['version'], where)
    return component(OK, reason, deadline.elapsed_ms(), **details)
