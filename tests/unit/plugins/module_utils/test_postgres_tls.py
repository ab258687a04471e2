# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""libpq's sslmodes in the wire client, against a real PostgreSQL whose certificate comes from a private CA and
names localhost only (health_servers.PostgresServer).

libpq (PostgreSQL's "SSL Support" chapter): allow tries without TLS first and with TLS when the server refuses;
verify-ca checks the chain against the root certificate file only; verify-full also checks the host name."""

from __future__ import annotations

import ssl

import pytest

import health_servers as hs
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import (
    PgConnection,
    PgProtocolError,
    PgServerError,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import CaFileError, libpq_root_cert


@pytest.fixture()
def tls_pg(pg):
    if not pg.ssl:
        pytest.skip('openssl is not installed: the test cluster has no certificate')
    return pg


def connect(pg, host, sslmode, ca_file=None, user='chatwoot'):
    return PgConnection(host, pg.port, user, pg.PASSWORD, 'chatwoot', timeout=5, sslmode=sslmode, ca_file=ca_file)


def test_verify_ca_checks_the_chain_only(tls_pg):
    # the certificate names localhost, not 127.0.0.1: verify-ca does not care
    with connect(tls_pg, '127.0.0.1', 'verify-ca', tls_pg.ca) as conn:
        assert conn.ssl_in_use
        assert conn.scalar('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()') == 't'


def test_verify_full_checks_the_host_name_too(tls_pg):
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        connect(tls_pg, '127.0.0.1', 'verify-full', tls_pg.ca).connect()
    assert "not valid for '127.0.0.1'" in info.value.verify_message
    with connect(tls_pg, 'localhost', 'verify-full', tls_pg.ca) as conn:
        assert conn.ssl_in_use and conn.scalar('SELECT 1') == '1'


def test_another_ca_does_not_verify(tls_pg, tmp_path):
    other = hs.make_ca(str(tmp_path), 'other-ca')[0]
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(tls_pg, '127.0.0.1', 'verify-ca', other).connect()
    # the system's CAs play no part in libpq's verification, and the server's CA is not one of them
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(tls_pg, '127.0.0.1', 'verify-ca', ssl.get_default_verify_paths().cafile or other).connect()


def test_verifying_modes_insist_on_tls(tmp_path):
    ca = hs.make_ca(str(tmp_path))[0]
    server = hs.PostgresServer(ssl=False)
    try:
        server.start()
        with pytest.raises(PgProtocolError, match=r'does not accept SSL connections \(sslmode=verify-ca\)'):
            PgConnection('127.0.0.1', server.port, 'chatwoot', server.PASSWORD, 'chatwoot', sslmode='verify-ca',
                         ca_file=ca).connect()
    finally:
        server.cleanup()


def test_allow_tries_plain_text_first_then_tls(tls_pg):
    with connect(tls_pg, '127.0.0.1', 'allow') as conn:
        assert conn.ssl_in_use is False
    # ssluser is refused without TLS (hostnossl ... reject): allow then asks for TLS, as libpq does
    with pytest.raises(PgServerError):
        connect(tls_pg, '127.0.0.1', 'disable', user='ssluser').connect()
    with connect(tls_pg, '127.0.0.1', 'allow', user='ssluser') as conn:
        assert conn.ssl_in_use is True and conn.scalar('SELECT current_user') == 'ssluser'


def test_root_cert_is_chosen_as_libpq_chooses_it(tmp_path):
    ca = hs.make_ca(str(tmp_path), 'given-ca')[0]
    assert libpq_root_cert('require', None, home=str(tmp_path)) is None
    assert libpq_root_cert('verify-ca', ca, home=str(tmp_path)) == ca
    with pytest.raises(CaFileError) as info:
        libpq_root_cert('verify-full', None, home=str(tmp_path))
    assert str(info.value) == (
        "sslmode verify-full verifies the server's certificate and needs the CA that signed it: no CA file is given "
        "and %s/.postgresql/root.crt (where libpq looks by default) does not exist" % tmp_path)
    (tmp_path / '.postgresql').mkdir()
    (tmp_path / '.postgresql' / 'root.crt').write_bytes(open(ca, 'rb').read())
    # libpq takes the default root certificate in every mode that may use TLS
    for mode in ('verify-full', 'verify-ca', 'require', 'prefer', 'allow'):
        assert libpq_root_cert(mode, None, home=str(tmp_path)) == '%s/.postgresql/root.crt' % tmp_path
    assert libpq_root_cert('disable', None, home=str(tmp_path)) is None


def test_a_root_cert_makes_require_verify_and_prefer_fall_back(tls_pg, tmp_path):
    # libpq verifies the chain whenever it has a root certificate; prefer then retries without TLS on failure
    other = hs.make_ca(str(tmp_path), 'other-ca')[0]
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(tls_pg, '127.0.0.1', 'require', other).connect()
    with connect(tls_pg, '127.0.0.1', 'require', tls_pg.ca) as conn:
        assert conn.ssl_in_use is True
    with connect(tls_pg, '127.0.0.1', 'prefer', other) as conn:
        assert conn.ssl_in_use is False
    with connect(tls_pg, '127.0.0.1', 'prefer', tls_pg.ca) as conn:
        assert conn.ssl_in_use is True
