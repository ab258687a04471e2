# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A minimal Redis client speaking RESP2 over a socket, standard library only.

Private to the sinapum.chatwoot collection: no API promise.
Commands are sent as arrays of bulk strings; replies come back as bytes, int, None or lists;
an error reply raises RedisReplyError (or is returned as one inside a pipeline). AUTH with a
password and an optional ACL user name, SELECT, TLS (rediss) through the ssl module.
"""

from __future__ import annotations

import socket

from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import redis_context

CRLF = b'\r\n'
MAX_BULK = 512 * 1024 * 1024


class RedisError(Exception):
    """Base class: anything that went wrong talking to the server."""


class RedisProtocolError(RedisError):
    """The peer did not speak RESP2 as expected."""


class RedisReplyError(RedisError):
    """An error reply (``-KIND message``)."""

    def __init__(self, text):
        self.text = text
        self.kind = text.split(' ', 1)[0] if text else 'ERR'
        super(RedisReplyError, self).__init__(text)


class RedisAuthError(RedisReplyError):
    """AUTH or a command was refused for authentication reasons.

    ``problem`` is one of ``wrong_password``, ``password_required`` (the server wants one, none
    was given), ``no_password_configured`` (one was given, the server has none).
    """

    def __init__(self, text, problem):
        super(RedisAuthError, self).__init__(text)
        self.problem = problem


def classify_auth_error(error, password_given):
    """Turn a reply error met during AUTH or the first command into a RedisAuthError, or None."""
    text = error.text
    upper = text.upper()
    if error.kind == 'WRONGPASS' or 'INVALID PASSWORD' in upper or 'INVALID USERNAME-PASSWORD' in upper:
        return RedisAuthError(text, 'wrong_password')
    if error.kind == 'NOAUTH':
        return RedisAuthError(text, 'password_required' if not password_given else 'wrong_password')
    if 'WITHOUT ANY PASSWORD CONFIGURED' in upper or 'CLIENT SENT AUTH, BUT NO PASSWORD IS SET' in upper:
        return RedisAuthError(text, 'no_password_configured')
    return None


def encode_command(args):
    out = [b'*%d\r\n' % len(args)]
    for arg in args:
        if isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, str):
            data = arg.encode('utf-8')
        else:
            data = str(arg).encode('ascii')
        out.append(b'$%d\r\n' % len(data))
        out.append(data)
        out.append(CRLF)
    return b''.join(out)


class RedisConnection(object):
    """One connection. ``timeout`` bounds each socket operation, ``deadline`` (an object with
    ``remaining()``) the whole exchange when given. With ``tls`` the certificate is checked (unless
    ``validate_certs`` is false) against the system's CAs plus ``ca_file``, and against ``server_name``
    (default ``host``): the name the application connects to, which may differ from the address probed."""

    def __init__(self, host='127.0.0.1', port=6379, password=None, username=None, db=0,
                 tls=False, validate_certs=True, ca_file=None, timeout=5.0, deadline=None, server_name=None):
        self.host = host
        self.port = int(port)
        self._password = password or None
        self.username = username or None
        self.db = int(db or 0)
        self.tls = tls
        self.validate_certs = validate_certs
        self.ca_file = ca_file
        self.server_name = server_name or host
        self.timeout = float(timeout)
        self.deadline = deadline
        self._sock = None
        self._buf = bytearray()

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- low level --------------------------------------------------------------------
    def _budget(self):
        budget = self.timeout
        if self.deadline is not None:
            budget = min(budget, self.deadline.remaining())
        if self._sock is not None:
            self._sock.settimeout(budget)
        return budget

    def _fill(self):
        self._budget()
        chunk = self._sock.recv(65536)
        if not chunk:
            raise RedisProtocolError('the server closed the connection')
        self._buf.extend(chunk)

    def _read_line(self):
        while True:
            end = self._buf.find(CRLF)
            if end >= 0:
                line = bytes(self._buf[:end])
                del self._buf[:end + 2]
                return line
            if len(self._buf) > 64 * 1024:
                raise RedisProtocolError('reply line too long (not a Redis server?)')
            self._fill()

    def _read_exact(self, size):
        while len(self._buf) < size:
            self._fill()
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data

    def _read_reply(self):
        line = self._read_line()
        if not line:
            raise RedisProtocolError('empty reply line')
        prefix, rest = line[:1], line[1:]
        if prefix == b'+':
            return rest
        if prefix == b'-':
            return RedisReplyError(rest.decode('utf-8', 'replace'))
        if prefix == b':':
            return int(rest)
        if prefix == b'$':
            size = int(rest)
            if size < 0:
                return None
            if size > MAX_BULK:
                raise RedisProtocolError('bulk reply too large')
            data = self._read_exact(size + 2)
            return data[:-2]
        if prefix == b'*':
            count = int(rest)
            if count < 0:
                return None
            return [self._read_reply() for dummy in range(count)]
        raise RedisProtocolError('unexpected reply type %r (not a Redis server?)' % prefix)

    # -- connection -------------------------------------------------------------------
    def connect(self):
        budget = self._budget()
        sock = socket.create_connection((self.host, self.port), timeout=budget)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if self.tls:
                context = redis_context(self.validate_certs, self.ca_file)
                sock = context.wrap_socket(sock, server_hostname=self.server_name)
            self._sock = sock
            if self._password is not None:
                args = ['AUTH', self.username, self._password] if self.username else ['AUTH', self._password]
                reply = self._roundtrip(args)
                if isinstance(reply, RedisReplyError):
                    raise classify_auth_error(reply, True) or reply
            if self.db:
                self.execute('SELECT', self.db)
        except Exception:
            self._sock = sock
            self.close()
            raise
        return self

    def _roundtrip(self, args):
        self._budget()
        self._sock.sendall(encode_command(args))
        return self._read_reply()

    def execute(self, *args):
        """Run one command; raise RedisReplyError (RedisAuthError for NOAUTH) on an error reply."""
        reply = self._roundtrip(args)
        if isinstance(reply, RedisReplyError):
            raise classify_auth_error(reply, self._password is not None) or reply
        return reply

    def pipeline(self, commands):
        """Send many commands in one write and read all replies; error replies are returned, not raised."""
        if not commands:
            return []
        self._budget()
        self._sock.sendall(b''.join(encode_command(args) for args in commands))
        return [self._read_reply() for dummy in commands]

    def ping(self):
        reply = self.execute('PING')
        return reply == b'PONG'

    def close(self):
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.close()
        except OSError:
            pass


def decode(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return value


def pairs_to_dict(reply):
    """HGETALL reply (flat list) to a dict of str."""
    reply = reply or []
    return dict((decode(reply[i]), decode(reply[i + 1])) for i in range(0, len(reply) - 1, 2))
