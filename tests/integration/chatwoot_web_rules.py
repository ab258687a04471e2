# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Two rules of Chatwoot 4.15.1's web that decide what its ``GET /api`` answers, for the HTTP double
``health_servers.ChatwootApp``. Read from Chatwoot's source and the gems its Gemfile.lock pins (Rails 7.1.5.2,
redis 5.0.6, redis-client 0.26.4), written anew; the stand-in (tests/standin/app/lib/standin/active_record_pool.rb,
web.rb) imitates the same rules in Ruby.

1. ActiveRecord's pool connects lazily (``LazyPool``). ``data_services`` is
   ``ActiveRecord::Base.connection.active? ? 'ok' : 'failing'`` (app/controllers/api_controller.rb): no query.
   - activerecord/lib/active_record/connection_adapters/postgresql_adapter.rb (v7.1.5.2): an adapter is created with
     ``@raw_connection = nil``; ``#active?`` is false while it has no connection, else ``query ";"`` (PG::Error:
     false). It never connects, nor reconnects.
   - abstract/connection_pool.rb: checkout takes the connection checked in last (LIFO) or makes a new one, whose
     ``check_version`` connects it only while the server version is not cached (schema_cache.rb, memoised once for
     the pool): the pool's first connection is connected, later new ones are not.
   - abstract_adapter.rb ``#with_raw_connection``: a query connects an adapter that has no connection, and reconnects
     once when its connection is broken.
   - From Chatwoot v4.5.0 the boot connects the pool's first connection on the main thread and keeps it
     (config/initializers/ai_agents.rb, ``InstallationConfig.find_by`` in after_initialize): requests get
     unconnected ones.
   So ``active?`` reads failing on a fresh web with a healthy database, and after a database restart, until a query
   (Chatwoot's portals lookup for a Host that is not its own, see ``ChatwootApp``) connected the connection.
2. Redis errors (``redis_status``). ``ApiController#redis_status`` rescues only ``Redis::CannotConnectError``
   (failing). redis-rb 5.0.6 lib/redis/client.rb ERROR_MAPPING maps redis-client's CannotConnectError and
   AuthenticationError (the ``WRONGPASS`` reply, redis-client ``CommandError::ERRORS``) to it; any other error reply
   (``NOAUTH`` when no password is sent to a server that wants one, ``ERR AUTH <password> called without any password
   configured``, Redis 5's ``ERR invalid password``) and a read timeout escape: a 500.
"""

from __future__ import annotations

import socket
import struct
import threading


class PgFailure(Exception):
    """ActiveRecord's ConnectionNotEstablished or StatementInvalid: what a failed query raises."""


class _Broken(PgFailure):
    """The server closed the session (a restart, a crash): worth one reconnect."""


class PgSession(object):
    """One pooled connection: a real PostgreSQL session (trust authentication), opened only when a query needs it."""

    def __init__(self, port, user, database, timeout=2.0):
        self.port = port
        self.user = user
        self.database = database
        self.timeout = timeout
        self.sock = None

    # -- the wire protocol, as little as the double needs
    def _read_exact(self, count):
        data = b''
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise _Broken('the server closed the connection')
            data += chunk
        return data

    def _read_message(self):
        kind, length = struct.unpack('!cI', self._read_exact(5))
        return kind, self._read_exact(length - 4)

    def _until_ready(self):
        """Read to ReadyForQuery; return the DataRow count, raise PgFailure on an ErrorResponse."""
        rows, error = 0, None
        while True:
            kind, payload = self._read_message()
            if kind == b'E':
                fields = dict((f[:1], f[1:]) for f in payload.split(b'\x00') if f)
                error = '%s: %s' % (fields.get(b'C', b'?').decode(), fields.get(b'M', b'').decode('utf-8', 'replace'))
            elif kind == b'R' and struct.unpack('!I', payload[:4])[0] != 0:
                raise PgFailure('the double speaks trust authentication only')
            elif kind == b'D':
                rows += 1
            elif kind == b'Z':
                if error:
                    raise PgFailure(error)
                return rows

    def connect(self):
        self.disconnect()
        try:
            self.sock = socket.create_connection(('127.0.0.1', self.port), timeout=self.timeout)
            params = b'user\x00%s\x00database\x00%s\x00\x00' % (self.user.encode(), self.database.encode())
            self.sock.sendall(struct.pack('!II', 8 + len(params), 196608) + params)
            self._until_ready()
        except (OSError, PgFailure) as exc:
            self.disconnect()
            raise PgFailure('connection not established: %s' % exc)

    def disconnect(self):
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def _simple_query(self, sql):
        data = sql.encode() + b'\x00'
        try:
            self.sock.sendall(b'Q' + struct.pack('!I', 4 + len(data)) + data)
            return self._until_ready()
        except OSError as exc:
            raise _Broken(str(exc))

    def active(self):
        """postgresql_adapter.rb #active?: false without a connection, else `query ";"`; never connects."""
        if self.sock is None:
            return False
        try:
            self._simple_query(';')
        except PgFailure:
            return False
        return True

    def select(self, sql):
        """A read query as ActiveRecord runs it (#with_raw_connection, allow_retry): connect when not connected,
        reconnect once on a broken connection; raise PgFailure when it cannot run."""
        for attempt in (1, 2):
            if self.sock is None:
                self.connect()
            try:
                return self._simple_query(sql)
            except _Broken:
                self.disconnect()
                if attempt == 2:
                    raise
        return None  # pragma: no cover


class LazyPool(object):
    """ActiveRecord's connection pool as Chatwoot's web uses it (see the module's docstring)."""

    def __init__(self, port, user, database):
        self.port = port
        self.user = user
        self.database = database
        self.available = []
        self.sessions = []
        self.version_cached = False
        self.lock = threading.Lock()
        self.boot_session = None

    def _new(self):
        session = PgSession(self.port, self.user, self.database)
        if not self.version_cached:
            # check_version: connects until one connection told the server version; a failure raises and the
            # connection is not added to the pool
            session.connect()
            self.version_cached = True
        with self.lock:
            self.sessions.append(session)
        return session

    def checkout(self):
        with self.lock:
            session = self.available.pop() if self.available else None
        return session or self._new()

    def checkin(self, session):
        with self.lock:
            self.available.append(session)

    def boot(self):
        """v4.5.0+: the main thread's query at boot (ai_agents.rb) connects the first connection and keeps it.
        Its failure is logged by Chatwoot and boot goes on: the next new connection connects then."""
        try:
            self.boot_session = self.checkout()
            self.boot_session.select("SELECT * FROM installation_configs WHERE name = 'CAPTAIN_OPEN_AI_API_KEY' "
                                     "LIMIT 1")
        except PgFailure:
            pass

    def close(self):
        with self.lock:
            sessions, self.sessions, self.available = self.sessions, [], []
        for session in sessions:
            session.disconnect()


class Lease(object):
    """One request's connection: checked out on first use, checked in when the request ends (Rails' executor)."""

    def __init__(self, pool):
        self.pool = pool
        self.session = None

    def connection(self):
        if self.session is None:
            self.session = self.pool.checkout()
        return self.session

    def release(self):
        if self.session is not None:
            self.pool.checkin(self.session)
            self.session = None


def redis_status(port, password, timeout=1.0):
    """What ApiController#redis_status makes of Redis at ``port`` with ``password`` (None: no AUTH): 'ok', 'failing'
    (Redis::CannotConnectError), or None for any other error, which escapes as a 500. redis-client's #connect turns a
    connection error met while connecting or sending AUTH (its prelude) into CannotConnectError; after that, a
    closed connection or a read timeout is a ConnectionError / TimeoutError, not rescued."""
    try:
        sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    except OSError:
        return 'failing'
    try:
        reader = sock.makefile('rb')
        commands = ([[b'AUTH', password.encode()]] if password else []) + [[b'PING']]
        for command in commands:
            in_prelude = command[0] == b'AUTH'
            try:
                sock.sendall(b'*%d\r\n' % len(command) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in command))
                reply = reader.readline()
            except OSError:
                reply = b''
            if not reply:
                return 'failing' if in_prelude else None
            if reply.startswith(b'-'):
                return 'failing' if reply[1:].split(b' ', 1)[0].strip() == b'WRONGPASS' else None
        return 'ok'
    finally:
        sock.close()
