# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PostgreSQL wire-protocol client against a real PostgreSQL server (Debian's, started by the tests)."""

from __future__ import annotations

import socket

import pytest

import health_servers as hs
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import (
    PgConnection,
    PgProtocolError,
    PgServerError,
    ScramSha256,
    md5_password,
    parse_error_fields,
)


def test_scram_matches_rfc7677_vector():
    """The SCRAM-SHA-256 exchange of RFC 7677 section 3, byte for byte."""
    scram = ScramSha256('pencil', nonce='rOprNGfwEbeRWgbNEkqO', username='user')
    assert scram.client_first() == b'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'
    final = scram.client_final(b'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,'
                               b's=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')
    assert final == (b'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,'
                     b'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
    scram.verify_server_final(b'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')
    with pytest.raises(PgProtocolError, match='signature'):
        scram.verify_server_final(b'v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')


def test_scram_rejects_a_nonce_the_server_did_not_extend():
    scram = ScramSha256('pencil', nonce='abc')
    with pytest.raises(PgProtocolError, match='nonce'):
        scram.client_final(b'r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')


def test_md5_password_format():
    # md5(md5("secret" + "alice") + salt), as libpq computes it
    value = md5_password('alice', 'secret', b'\x01\x02\x03\x04')
    assert value.startswith('md5') and len(value) == 35
    assert value != md5_password('alice', 'secret', b'\x01\x02\x03\x05')


def test_error_fields_are_parsed():
    fields = parse_error_fields(b'SFATAL\x00VFATAL\x00C28P01\x00Mpassword authentication failed for user "x"\x00\x00')
    assert fields == {'S': 'FATAL', 'V': 'FATAL', 'C': '28P01', 'M': 'password authentication failed for user "x"'}


@pytest.mark.parametrize('user,password,method', [
    ('chatwoot', hs.PostgresServer.PASSWORD, 'scram-sha-256'),
    ('md5user', hs.PostgresServer.MD5_PASSWORD, 'md5'),
    ('clearuser', hs.PostgresServer.CLEAR_PASSWORD, 'password'),
    ('trustuser', None, 'trust'),
])
def test_each_auth_method_logs_in_and_runs_select_1(pg, user, password, method):
    with PgConnection('127.0.0.1', pg.port, user, password, 'chatwoot', timeout=5, sslmode='disable') as conn:
        assert conn.auth_method == method
        assert conn.scalar('SELECT 1') == '1'
        assert conn.parameters['server_encoding'] == 'UTF8'


def test_wrong_password_gives_sqlstate_28P01_without_the_password(pg):
    with pytest.raises(PgServerError) as info:
        PgConnection('127.0.0.1', pg.port, 'chatwoot', 'wrong-S3cret-Guess', 'chatwoot', sslmode='disable').connect()
    assert info.value.sqlstate == '28P01'
    assert info.value.is_auth_failure
    assert 'wrong-S3cret-Guess' not in str(info.value)


def test_md5_wrong_password(pg):
    with pytest.raises(PgServerError) as info:
        PgConnection('127.0.0.1', pg.port, 'md5user', 'wrong-S3cret-Guess', 'chatwoot', sslmode='disable').connect()
    assert info.value.sqlstate == '28P01'


def test_missing_password_when_asked_for_one(pg):
    with pytest.raises(PgProtocolError, match='asks for a password'):
        PgConnection('127.0.0.1', pg.port, 'chatwoot', None, 'chatwoot', sslmode='disable').connect()


def test_unknown_database_is_3D000(pg):
    with pytest.raises(PgServerError) as info:
        PgConnection('127.0.0.1', pg.port, 'trustuser', None, 'no_such_db').connect()
    assert info.value.sqlstate == '3D000'


def test_query_results_nulls_errors_and_multiple_statements(pg):
    with PgConnection('127.0.0.1', pg.port, 'chatwoot', pg.PASSWORD, 'chatwoot') as conn:
        results = conn.query("SELECT 1 AS a, NULL AS b, 'é' AS c; SELECT generate_series(1, 3)")
        assert results[0].columns == ['a', 'b', 'c']
        assert results[0].rows == [('1', None, 'é')]
        assert [row[0] for row in results[1].rows] == ['1', '2', '3']
        assert results[1].command == 'SELECT 3'
        with pytest.raises(PgServerError) as info:
            conn.query('SELECT * FROM no_such_table')
        assert info.value.sqlstate == '42P01'
        # the connection is usable again after an error
        assert conn.scalar("SELECT to_regclass('public.installation_configs') IS NOT NULL") == 't'


def test_ssl_request_prefer_and_require(pg):
    if not pg.ssl:
        pytest.skip('openssl is not installed: the test cluster has no certificate')
    with PgConnection('127.0.0.1', pg.port, 'chatwoot', pg.PASSWORD, 'chatwoot', sslmode='require') as conn:
        assert conn.ssl_in_use
        assert conn.scalar('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()') == 't'
    with PgConnection('127.0.0.1', pg.port, 'chatwoot', pg.PASSWORD, 'chatwoot', sslmode='disable') as conn:
        assert not conn.ssl_in_use


def test_unix_socket(pg):
    with PgConnection(pg.sockdir, pg.port, 'postgres', None, 'postgres') as conn:
        assert conn.scalar('SELECT 1') == '1'


def test_timeout_on_a_silent_server():
    silent = hs.SilentServer()
    try:
        with pytest.raises(socket.timeout):
            PgConnection('127.0.0.1', silent.port, 'x', None, 'x', timeout=0.5, sslmode='disable').connect()
    finally:
        silent.stop()


@pytest.mark.parametrize('sslmode', ['prefer', 'disable'])
def test_not_a_postgres_server(sslmode):
    banner = hs.BannerServer(b'220 mail.example.test ESMTP\r\n')
    try:
        with pytest.raises(PgProtocolError, match='not a PostgreSQL server'):
            PgConnection('127.0.0.1', banner.port, 'x', None, 'x', timeout=2, sslmode=sslmode).connect()
    finally:
        banner.stop()


def test_connection_refused():
    with pytest.raises(ConnectionRefusedError):
        PgConnection('127.0.0.1', hs.free_port(), 'x', None, 'x', timeout=1).connect()
