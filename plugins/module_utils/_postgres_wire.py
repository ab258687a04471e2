# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A minimal PostgreSQL frontend/backend protocol v3 client, standard library only.

Private to the sinapum.chatwoot collection: no API promise.
Enough for a health probe: optional SSLRequest, StartupMessage, authentication by trust,
cleartext password, MD5 and SCRAM-SHA-256 (hashlib/hmac), simple Query returning text
values, ErrorResponse turned into PgServerError(sqlstate, message), Terminate.
No prepared statements, no COPY, no binary formats, no channel binding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct

from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import libpq_context

PROTOCOL_V3 = 196608
SSL_REQUEST_CODE = 80877103

AUTH_OK = 0
AUTH_CLEARTEXT = 3
AUTH_MD5 = 5
AUTH_SASL = 10
AUTH_SASL_CONTINUE = 11
AUTH_SASL_FINAL = 12

AUTH_NAMES = {2: 'Kerberos V5', 6: 'SCM credentials', 7: 'GSSAPI', 8: 'GSSAPI', 9: 'SSPI'}

# SQLSTATE classes a health probe reports in its own words
AUTH_FAILED_STATES = ('28P01', '28000')
SQLSTATE_WORDS = {
    '28P01': 'authentication failed (wrong password for this user)',
    '28000': 'authentication rejected (no such role, or pg_hba.conf refuses this connection)',
    '3D000': 'database does not exist',
    '53300': 'too many connections',
    '57P03': 'the database system is starting up or shutting down',
    '57P01': 'the server is shutting down',
    '08P01': 'protocol violation',
}

MAX_MESSAGE = 64 * 1024 * 1024


class PgError(Exception):
    """Base class: anything that went wrong talking to the server."""


class PgProtocolError(PgError):
    """The server said something this client does not understand."""


class PgServerError(PgError):
    """An ErrorResponse from the server."""

    def __init__(self, fields):
        self.fields = fields
        self.sqlstate = fields.get('C', '')
        self.severity = fields.get('V') or fields.get('S') or 'ERROR'
        self.message = fields.get('M', '')
        self.detail = fields.get('D')
        self.hint = fields.get('H')
        super(PgServerError, self).__init__('%s %s: %s' % (self.severity, self.sqlstate, self.message))

    @property
    def is_auth_failure(self):
        return self.sqlstate in AUTH_FAILED_STATES


def parse_error_fields(payload):
    """Parse the body of an ErrorResponse/NoticeResponse into {code letter: text}."""
    fields = {}
    pos = 0
    while pos < len(payload) and payload[pos:pos + 1] != b'\x00':
        code = payload[pos:pos + 1].decode('ascii', 'replace')
        end = payload.index(b'\x00', pos + 1)
        fields[code] = payload[pos + 1:end].decode('utf-8', 'replace')
        pos = end + 1
    return fields


def md5_password(user, password, salt):
    """The MD5 response: 'md5' + md5(md5(password + user) + salt)."""
    inner = hashlib.md5(password.encode('utf-8') + user.encode('utf-8')).hexdigest()
    return 'md5' + hashlib.md5(inner.encode('ascii') + salt).hexdigest()


def _xor(left, right):
    return bytes(a ^ b for a, b in zip(left, right))


class ScramSha256(object):
    """Client side of SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL uses it (no channel binding)."""

    MECHANISM = 'SCRAM-SHA-256'

    def __init__(self, password, nonce=None, username=''):
        self._password = password.encode('utf-8')
        self.nonce = nonce or base64.b64encode(os.urandom(18)).decode('ascii')
        # PostgreSQL takes the user name from the startup message and ignores n= (sent empty)
        self.client_first_bare = 'n=%s,r=%s' % (username.replace('=', '=3D').replace(',', '=2C'), self.nonce)
        self._server_signature = None

    def client_first(self):
        return ('n,,' + self.client_first_bare).encode('ascii')

    def client_final(self, server_first):
        server_first = server_first.decode('utf-8')
        attrs = dict(item.split('=', 1) for item in server_first.split(',') if '=' in item)
        server_nonce = attrs.get('r', '')
        if not server_nonce.startswith(self.nonce):
            raise PgProtocolError('SCRAM: server nonce does not extend the client nonce')
        try:
            salt = base64.b64decode(attrs['s'])
            iterations = int(attrs['i'])
        except (KeyError, ValueError) as exc:
            raise PgProtocolError('SCRAM: malformed server-first-message (%s)' % type(exc).__name__)
        salted = hashlib.pbkdf2_hmac('sha256', self._password, salt, iterations)
        client_key = hmac.new(salted, b'Client Key', hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = 'c=biws,r=' + server_nonce
        auth_message = ','.join((self.client_first_bare, server_first, without_proof)).encode('utf-8')
        client_signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = base64.b64encode(_xor(client_key, client_signature)).decode('ascii')
        server_key = hmac.new(salted, b'Server Key', hashlib.sha256).digest()
        self._server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        return (without_proof + ',p=' + proof).encode('ascii')

    def verify_server_final(self, server_final):
        server_final = server_final.decode('utf-8')
        attrs = dict(item.split('=', 1) for item in server_final.split(',') if '=' in item)
        if 'e' in attrs:
            raise PgProtocolError('SCRAM: server reported %s' % attrs['e'])
        try:
            signature = base64.b64decode(attrs['v'])
        except (KeyError, ValueError):
            raise PgProtocolError('SCRAM: malformed server-final-message')
        if self._server_signature is None or not hmac.compare_digest(signature, self._server_signature):
            raise PgProtocolError('SCRAM: the server signature does not match (not the expected server)')


class QueryResult(object):
    """One statement's result: column names, rows of text values (None for NULL), command tag."""

    def __init__(self):
        self.columns = []
        self.rows = []
        self.command = None

    def scalar(self):
        return self.rows[0][0] if self.rows and self.rows[0] else None


class PgConnection(object):
    """One connection. Use as a context manager, or call connect() and close().

    ``timeout`` bounds each socket operation; ``deadline`` (an object with ``remaining()``)
    bounds the whole exchange when given. ``sslmode`` is one of libpq's: ``disable``, ``allow``
    (plain text, TLS if the server refuses that), ``prefer`` (TLS, plain text if TLS fails),
    ``require``, ``verify-ca``, ``verify-full``. ``ca_file`` is libpq's root certificate (see
    _tls.libpq_root_cert): when given the chain is verified against it, and verify-full checks
    the host name too. TLS is never used on a unix socket, as with libpq.
    """

    def __init__(self, host, port, user, password=None, database=None, timeout=5.0,
                 sslmode='disable', application_name='chatwoot_health', deadline=None, ca_file=None):
        self.host = host
        self.port = int(port)
        self.user = user
        self._password = password
        self.database = database or user
        self.timeout = float(timeout)
        self.sslmode = sslmode
        self.ca_file = ca_file
        self.application_name = application_name
        self.deadline = deadline
        self.parameters = {}
        self.ssl_in_use = False
        self.auth_method = None
        self._sock = None
        self._buf = bytearray()

    # -- context manager --------------------------------------------------------------
    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- low level --------------------------------------------------------------------
    def _settimeout(self):
        budget = self.timeout
        if self.deadline is not None:
            budget = min(budget, self.deadline.remaining())
        if self._sock is not None:
            self._sock.settimeout(budget)
        return budget

    def _open_socket(self):
        budget = self._settimeout()
        if self.host.startswith('/'):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(budget)
            try:
                sock.connect('%s/.s.PGSQL.%d' % (self.host, self.port))
            except Exception:
                sock.close()
                raise
            return sock
        sock = socket.create_connection((self.host, self.port), timeout=budget)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _send(self, data):
        self._settimeout()
        self._sock.sendall(data)

    def _recv_exact(self, size):
        while len(self._buf) < size:
            self._settimeout()
            chunk = self._sock.recv(max(65536, size - len(self._buf)))
            if not chunk:
                raise PgProtocolError('the server closed the connection')
            self._buf.extend(chunk)
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data

    def _read_message(self):
        header = self._recv_exact(5)
        kind = header[0:1]
        length = struct.unpack('!i', header[1:5])[0]
        if length < 4 or length > MAX_MESSAGE:
            raise PgProtocolError('bad message length %d (not a PostgreSQL server?)' % length)
        return kind, self._recv_exact(length - 4)

    @staticmethod
    def _message(kind, payload):
        return kind + struct.pack('!i', len(payload) + 4) + payload

    # -- connection -------------------------------------------------------------------
    def connect(self):
        if self.host.startswith('/') or self.sslmode == 'disable':
            return self._attempt(False)
        if self.sslmode == 'allow':
            try:
                return self._attempt(False)
            except PgServerError:
                # libpq's allow: the server refused the plain-text connection, ask again with TLS
                return self._attempt(True)
        if self.sslmode == 'prefer':
            # libpq's prefer: a TLS handshake that failed, or a refusal over TLS, is tried again in plain text
            try:
                return self._attempt(True)
            except ssl.SSLError:
                return self._attempt(False)
            except PgServerError:
                if not self.ssl_in_use:
                    raise
                return self._attempt(False)
        return self._attempt(True)

    def _attempt(self, use_ssl):
        self._buf = bytearray()
        self.ssl_in_use = False
        self._sock = self._open_socket()
        try:
            if use_ssl:
                self._negotiate_ssl()
            self._startup()
        except Exception:
            self.close()
            raise
        return self

    def _negotiate_ssl(self):
        self._send(struct.pack('!ii', 8, SSL_REQUEST_CODE))
        answer = self._recv_exact(1)
        if answer == b'S':
            context = libpq_context(self.sslmode, self.ca_file)
            self._settimeout()
            self._sock = context.wrap_socket(self._sock, server_hostname=self.host)
            self.ssl_in_use = True
        elif answer == b'N':
            if self.sslmode not in ('prefer', 'allow'):
                raise PgProtocolError('the server does not accept SSL connections (sslmode=%s)' % self.sslmode)
        elif answer == b'E':
            # a pre-7.3 style error: the server does not understand SSLRequest at all
            raise PgProtocolError('the server refused the SSL request')
        else:
            raise PgProtocolError('unexpected answer to the SSL request (not a PostgreSQL server?)')

    def _startup(self):
        params = [('user', self.user), ('database', self.database),
                  ('application_name', self.application_name), ('client_encoding', 'UTF8')]
        body = struct.pack('!i', PROTOCOL_V3)
        for key, value in params:
            body += key.encode('utf-8') + b'\x00' + value.encode('utf-8') + b'\x00'
        body += b'\x00'
        self._send(struct.pack('!i', len(body) + 4) + body)
        scram = None
        while True:
            kind, payload = self._read_message()
            if kind == b'R':
                code = struct.unpack('!i', payload[:4])[0]
                if code == AUTH_OK:
                    if self.auth_method is None:
                        self.auth_method = 'trust'
                    continue
                scram = self._authenticate(code, payload[4:], scram)
            elif kind == b'E':
                raise PgServerError(parse_error_fields(payload))
            elif kind == b'S':
                name, value = payload.split(b'\x00')[:2]
                self.parameters[name.decode('utf-8', 'replace')] = value.decode('utf-8', 'replace')
            elif kind in (b'K', b'N'):
                continue
            elif kind == b'Z':
                return
            else:
                raise PgProtocolError('unexpected message %r during startup' % kind)

    def _need_password(self, method):
        if self._password is None:
            raise PgProtocolError('the server asks for a password (%s) and none was given' % method)
        return self._password

    def _authenticate(self, code, data, scram):
        if code == AUTH_CLEARTEXT:
            self.auth_method = 'password'
            password = self._need_password('cleartext')
            self._send(self._message(b'p', password.encode('utf-8') + b'\x00'))
        elif code == AUTH_MD5:
            self.auth_method = 'md5'
            password = self._need_password('md5')
            self._send(self._message(b'p', md5_password(self.user, password, data[:4]).encode('ascii') + b'\x00'))
        elif code == AUTH_SASL:
            mechanisms = [m.decode('ascii', 'replace') for m in data.split(b'\x00') if m]
            if ScramSha256.MECHANISM not in mechanisms:
                raise PgProtocolError('no supported SASL mechanism offered (%s)' % ', '.join(mechanisms))
            self.auth_method = 'scram-sha-256'
            scram = ScramSha256(self._need_password('scram-sha-256'))
            first = scram.client_first()
            body = ScramSha256.MECHANISM.encode('ascii') + b'\x00' + struct.pack('!i', len(first)) + first
            self._send(self._message(b'p', body))
        elif code == AUTH_SASL_CONTINUE:
            if scram is None:
                raise PgProtocolError('SASL continue without SASL start')
            self._send(self._message(b'p', scram.client_final(data)))
        elif code == AUTH_SASL_FINAL:
            if scram is None:
                raise PgProtocolError('SASL final without SASL start')
            scram.verify_server_final(data)
        else:
            raise PgProtocolError('unsupported authentication method: %s (code %d)'
                                  % (AUTH_NAMES.get(code, 'unknown'), code))
        return scram

    # -- queries ----------------------------------------------------------------------
    def query(self, sql):
        """Run ``sql`` with the simple Query protocol; return a list of QueryResult (one per statement).

        An ErrorResponse is raised as PgServerError after the server is ready again.
        """
        self._send(self._message(b'Q', sql.encode('utf-8') + b'\x00'))
        results = []
        current = None
        error = None
        while True:
            kind, payload = self._read_message()
            if kind == b'T':
                current = QueryResult()
                count = struct.unpack('!h', payload[:2])[0]
                pos = 2
                for dummy in range(count):
                    end = payload.index(b'\x00', pos)
                    current.columns.append(payload[pos:end].decode('utf-8', 'replace'))
                    pos = end + 1 + 18
            elif kind == b'D':
                if current is None:
                    current = QueryResult()
                count = struct.unpack('!h', payload[:2])[0]
                pos = 2
                row = []
                for dummy in range(count):
                    size = struct.unpack('!i', payload[pos:pos + 4])[0]
                    pos += 4
                    if size < 0:
                        row.append(None)
                    else:
                        row.append(payload[pos:pos + size].decode('utf-8', 'replace'))
                        pos += size
                current.rows.append(tuple(row))
            elif kind == b'C':
                if current is None:
                    current = QueryResult()
                current.command = payload.rstrip(b'\x00').decode('ascii', 'replace')
                results.append(current)
                current = None
            elif kind == b'I':
                results.append(QueryResult())
            elif kind == b'E':
                error = PgServerError(parse_error_fields(payload))
            elif kind in (b'N', b'S', b'A'):
                continue
            elif kind == b'Z':
                if error is not None:
                    raise error
                return results
            else:
                raise PgProtocolError('unexpected message %r in a query answer' % kind)

    def scalar(self, sql):
        results = self.query(sql)
        return results[-1].scalar() if results else None

    def close(self):
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.settimeout(0.5)
            sock.sendall(self._message(b'X', b''))
        except (OSError, ValueError):
            pass
        try:
            sock.close()
        except OSError:
            pass
