# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""libpq's verifying sslmodes in chatwoot_health and chatwoot_postgres_preflight, against a real PostgreSQL whose
certificate comes from a private CA and names localhost only."""

from __future__ import annotations

import pytest

from health_fixtures import base_args, run_module


@pytest.fixture()
def tls_pg(pg):
    if not pg.ssl:
        pytest.skip('openssl is not installed: the test cluster has no certificate')
    return pg


def health(pg, host='127.0.0.1', **options):
    args = base_args(components=['postgres'], postgres_host=host, postgres_port=pg.port, postgres_user='chatwoot',
                     postgres_password=pg.PASSWORD, postgres_database='chatwoot', postgres_require_vector=False)
    args.update(options)
    return run_module(args)


def preflight(pg, host='127.0.0.1', **options):
    args = dict(host=host, port=pg.port, user='chatwoot', password=pg.PASSWORD, database='chatwoot')
    args.update(options)
    return run_module(args, 'chatwoot_postgres_preflight')


@pytest.mark.promise("health_verifies_as_libpq_does")
def test_health_verifies_as_libpq_does(tls_pg):
    result, failed = health(tls_pg, postgres_ssl_mode='verify-ca', postgres_ca_file=tls_pg.ca)
    assert result['healthy'] is True, result['msg']
    assert result['components']['postgres']['ssl'] is True
    # the certificate names localhost: verify-full refuses 127.0.0.1 and accepts localhost
    result, failed = health(tls_pg, postgres_ssl_mode='verify-full', postgres_ca_file=tls_pg.ca)
    assert result['failed_components'] == ['postgres']
    assert result['components']['postgres']['reason'] == (
        "TLS failed with 127.0.0.1:%d: certificate verify failed: IP address mismatch, certificate is not valid for "
        "'127.0.0.1'." % tls_pg.port)
    result, failed = health(tls_pg, host='localhost', postgres_ssl_mode='verify-full', postgres_ca_file=tls_pg.ca)
    assert result['healthy'] is True, result['msg']


def test_preflight_verifies_as_libpq_does(tls_pg):
    result, failed = preflight(tls_pg, ssl_mode='verify-ca', ca_file=tls_pg.ca)
    assert result['reachable'] is True and result['ssl'] is True, result
    result, failed = preflight(tls_pg, ssl_mode='verify-full', ca_file=tls_pg.ca)
    assert result['reachable'] is False
    assert "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'" in result['msg']
    result, failed = preflight(tls_pg, host='localhost', ssl_mode='verify-full', ca_file=tls_pg.ca)
    assert result['reachable'] is True and result['ssl'] is True, result


@pytest.mark.parametrize('mode', ['verify-ca', 'verify-full'])
def test_a_verifying_mode_without_a_ca_is_refused(tls_pg, tmp_path, monkeypatch, mode):
    monkeypatch.setenv('HOME', str(tmp_path))
    words = ("%s verifies the server's certificate and needs the CA that signed it: no %s is given and "
             "%s/.postgresql/root.crt (where libpq looks by default) does not exist")
    result, failed = health(tls_pg, postgres_ssl_mode=mode)
    assert failed and result['msg'] == words % ('postgres_ssl_mode ' + mode, 'postgres_ca_file', tmp_path)
    result, failed = preflight(tls_pg, ssl_mode=mode)
    assert failed and result['msg'] == words % ('ssl_mode ' + mode, 'ca_file', tmp_path)
    assert result['reachable'] is False and result['ready'] is False


def test_libpq_default_root_cert_is_used_when_it_exists(tls_pg, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    (tmp_path / '.postgresql').mkdir()
    (tmp_path / '.postgresql' / 'root.crt').write_bytes(open(tls_pg.ca, 'rb').read())
    result, failed = health(tls_pg, postgres_ssl_mode='verify-ca')
    assert result['healthy'] is True, result['msg']
    result, failed = preflight(tls_pg, ssl_mode='verify-ca')
    assert result['reachable'] is True and result['ssl'] is True, result


def test_a_ca_file_that_is_not_there_is_refused(tls_pg, tmp_path):
    missing = str(tmp_path / 'missing.pem')
    result, failed = health(tls_pg, postgres_ssl_mode='verify-ca', postgres_ca_file=missing)
    assert failed and result['msg'] == 'postgres_ca_file %s does not exist' % missing
    result, failed = preflight(tls_pg, ssl_mode='verify-ca', ca_file=missing)
    assert failed and result['msg'] == 'ca_file %s does not exist' % missing


def test_allow_reaches_a_server_that_wants_tls(tls_pg):
    result, failed = health(tls_pg, postgres_user='ssluser', postgres_ssl_mode='allow',
                            postgres_database='chatwoot_empty', postgres_require_prepared=False)
    postgres = result['components']['postgres']
    assert postgres['status'] == 'ok' and postgres['ssl'] is True, postgres['reason']
    result, failed = preflight(tls_pg, user='ssluser', database='chatwoot_empty', ssl_mode='allow')
    assert result['reachable'] is True and result['ssl'] is True, result
