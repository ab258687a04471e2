# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which Redis Chatwoot uses and how it reaches it, shared by the redis and sidekiq probes.

Private to the sinapum.chatwoot collection: no API promise.
Either an address (REDIS_URL's server, as published for the probe), or, with REDIS_SENTINELS, the master the
sentinels name (lib/redis/config.rb). One RedisTarget serves probes running in parallel: it keeps no state of a
connection; what a connection found (the master, the sentinel that named it) travels on the connection or the error.
"""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import host_port
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_probe import describe_redis_error
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_resp import RedisConnection, RedisError
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_sentinel import (
    RedisSentinelError,
    check_master_role,
    find_master,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import describe_verify_error


class RedisTarget(object):
    """The Redis Chatwoot uses and how it talks to it: address, credentials, database and TLS.

    ``server_name`` is the name Chatwoot connects to (REDIS_URL's host): its certificate is checked against that
    name, while the probe may reach the same server on another address (a port published on the loopback).
    ``chatwoot_verifies`` is what the env file makes Chatwoot do with the certificate (None: not known).
    With ``sentinels`` (a list of (host, port)) ``host`` and ``port`` are not used: the sentinels, asked with
    ``sentinel_password``, name the master ``master_name``.
    """

    def __init__(self, host, port, password=None, username=None, db=0, tls=False, validate_certs=True, ca_file=None,
                 server_name=None, chatwoot_verifies=None, sentinels=None, master_name='mymaster',
                 sentinel_password=None):
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
        self.sentinels = list(sentinels or [])
        self.master_name = master_name
        self.sentinel_password = sentinel_password

    @property
    def where(self):
        if self.sentinels:
            return 'the master %s of sentinels %s' % (
                self.master_name, ', '.join(host_port(host, port) for host, port in self.sentinels))
        return host_port(self.host, self.port)

    def details(self):
        """What the probes report of the target, every key present whatever the settings (null when not used)."""
        details = {'address': None if self.sentinels else self.where, 'tls': self.tls, 'db': self.db,
                   'auth': self.password is not None, 'tls_verified': None, 'tls_server_name': None,
                   'tls_ca_file': None, 'sentinel': None}
        if self.tls:
            details.update(tls_verified=self.validate_certs, tls_server_name=self.server_name,
                           tls_ca_file=self.ca_file)
        if self.sentinels:
            details['sentinel'] = {'master_name': self.master_name, 'master': None, 'answered_by': None,
                                   'sentinels': [host_port(host, port) for host, port in self.sentinels]}
        return details

    def _open(self, host, port, timeout, deadline, server_name):
        return RedisConnection(host, port, password=self.password, username=self.username, db=self.db,
                               tls=self.tls, validate_certs=self.validate_certs, ca_file=self.ca_file,
                               server_name=server_name, timeout=timeout, deadline=deadline).connect()

    def connect(self, timeout, deadline):
        """An open RedisConnection (authenticated, database selected); the caller closes it.

        Through sentinels, the connection (or the error met on the master) carries ``master`` (its address) and
        ``named_by`` (the sentinel that named it).
        """
        if not self.sentinels:
            return self._open(self.host, self.port, timeout, deadline, self.server_name)
        host, port, named_by = find_master(self.sentinels, self.master_name, self.sentinel_password, timeout, deadline)
        connection = None
        try:
            connection = self._open(host, port, timeout, deadline, host)
            check_master_role(connection, self.master_name)
        except (OSError, RedisError) as exc:
            if connection is not None:
                connection.close()
            exc.master, exc.named_by = host_port(host, port), named_by
            raise
        connection.master, connection.named_by = host_port(host, port), named_by
        return connection

    def note_master(self, details, found):
        """Put the master a connection (or an error) found into ``details``; return the address to name."""
        master = getattr(found, 'master', None)
        if master is None:
            return details['address'] or self.where
        details['address'] = master
        details['sentinel'].update(master=master, answered_by=found.named_by)
        return master

    def master_words(self, found):
        """' (master NAME, named by sentinel ADDRESS)' for what came through sentinels, else ''."""
        named_by = getattr(found, 'named_by', None)
        return ' (master %s, named by sentinel %s)' % (self.master_name, named_by) if named_by else ''

    def describe_error(self, exc, timeout):
        if isinstance(exc, RedisSentinelError):
            return str(exc)
        words = describe_redis_error(exc, getattr(exc, 'master', None) or self.where, timeout)
        if self.tls and self.validate_certs and describe_verify_error(exc):
            if self.chatwoot_verifies:
                words += ' (Chatwoot verifies it too, as REDIS_OPENSSL_VERIFY_MODE is not none'
            else:
                words += ' ('
            words += '%sgive the CA that signed it as redis_ca_file)' % (': ' if self.chatwoot_verifies else '')
        return words + self.master_words(exc)
