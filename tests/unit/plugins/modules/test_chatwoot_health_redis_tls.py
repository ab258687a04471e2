# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_health decides about a rediss:// server's certificate exactly as Chatwoot 4.15.1 does, against a real
redis-server speaking TLS with a certificate from a private CA.

Chatwoot (config/application.rb, Chatwoot.redis_ssl_verify_mode; lib/redis/config.rb passes it as ssl_params)
verifies unless REDIS_OPENSSL_VERIFY_MODE is exactly ``none``; redis-client then checks the chain against
OpenSSL's default store and the name against the host of REDIS_URL."""

from __future__ import annotations

import pytest

import health_servers as hs
from health_fixtures import REDIS_PASSWORD, run_module


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp('pki'))
    private = hs.make_ca(directory, 'private-ca')
    other = hs.make_ca(directory, 'system-ca')
    return {
        'dir': directory,
        'ca': private,
        'other_ca': other,
        # only the name Chatwoot connects to, not the loopback address the probe uses
        'server': hs.make_signed_cert(directory, private, 'redis', 'DNS:localhost'),
        'server_of_other_ca': hs.make_signed_cert(directory, other, 'redis-other', 'DNS:localhost'),
    }


@pytest.fixture(scope='module')
def redis_tls(pki):
    server = hs.RedisServer(password=REDIS_PASSWORD, tls=True, cert_pair=pki['server']).start()
    yield server
    server.cleanup()


def env_file(tmp_path, redis, extra='', host='localhost'):
    path = tmp_path / '.env'
    path.write_text('REDIS_URL=rediss://%s:%d\nREDIS_PASSWORD=%s\n%s' % (host, redis.port, REDIS_PASSWORD, extra))
    return str(path)


def check(env, redis, **options):
    args = dict(env_file=env, components=['redis'], redis_port=redis.port, timeout=3)
    args.update(options)
    result, failed = run_module(args)
    return result, failed, result['components'].get('redis')


def test_verified_by_default_as_chatwoot_does(tmp_path, redis_tls):
    result, failed, redis = check(env_file(tmp_path, redis_tls), redis_tls)
    assert not failed
    assert redis['status'] == 'failing'
    assert redis['tls'] is True and redis['tls_verified'] is True
    assert 'certificate verify failed' in redis['reason'].lower(), redis['reason']
    assert 'REDIS_OPENSSL_VERIFY_MODE is not none' in redis['reason']
    assert 'redis_ca_file' in redis['reason']


@pytest.mark.parametrize('mode', ['peer', 'NONE', 'None', ' none', ''])
def test_only_the_exact_word_none_turns_verification_off(tmp_path, redis_tls, mode):
    # Chatwoot compares with == 'none': any other value, even another spelling of it, verifies.
    result, failed, redis = check(env_file(tmp_path, redis_tls, 'REDIS_OPENSSL_VERIFY_MODE="%s"\n' % mode), redis_tls)
    assert redis['status'] == 'failing' and redis['tls_verified'] is True, redis


def test_verify_mode_none_in_the_env_file_turns_verification_off(tmp_path, redis_tls):
    env = env_file(tmp_path, redis_tls, 'REDIS_OPENSSL_VERIFY_MODE=none\n')
    result, failed, redis = check(env, redis_tls)
    assert redis['status'] == 'ok', redis['reason']
    assert redis['tls_verified'] is False
    # the option, when given, wins over the env file
    result, failed, redis = check(env, redis_tls, redis_validate_certs=True)
    assert redis['status'] == 'failing' and redis['tls_verified'] is True


@pytest.mark.promise("a_private_ca_file_verifies_the_server")
def test_a_private_ca_file_verifies_the_server(tmp_path, pki, redis_tls):
    result, failed, redis = check(env_file(tmp_path, redis_tls), redis_tls, redis_ca_file=pki['ca'][0])
    assert redis['status'] == 'ok', redis['reason']
    assert redis['tls_verified'] is True and redis['tls_server_name'] == 'localhost'
    assert result['healthy'] is True


def test_the_ca_file_adds_to_the_system_cas(tmp_path, monkeypatch, pki):
    # OpenSSL's default store is what SSL_CERT_FILE names: here a CA standing for the system's. A server of that CA
    # still verifies when redis_ca_file names another CA, as Chatwoot's other HTTPS calls need the system's CAs.
    server = hs.RedisServer(password=REDIS_PASSWORD, tls=True, cert_pair=pki['server_of_other_ca']).start()
    try:
        monkeypatch.setenv('SSL_CERT_FILE', pki['other_ca'][0])
        result, failed, redis = check(env_file(tmp_path, server), server, redis_ca_file=pki['ca'][0])
        assert redis['status'] == 'ok', redis['reason']
        monkeypatch.setenv('SSL_CERT_FILE', pki['ca'][0])
        result, failed, redis = check(env_file(tmp_path, server), server)
        assert redis['status'] == 'failing' and 'certificate verify failed' in redis['reason'].lower()
    finally:
        server.cleanup()


def test_the_name_checked_is_the_host_chatwoot_connects_to(tmp_path, pki, redis_tls):
    # The certificate names localhost; the probe reaches the server on 127.0.0.1 but checks REDIS_URL's host.
    env = env_file(tmp_path, redis_tls, host='redis.internal.test')
    result, failed, redis = check(env, redis_tls, redis_ca_file=pki['ca'][0])
    assert redis['status'] == 'failing'
    assert redis['tls_server_name'] == 'redis.internal.test'
    assert "not valid for 'redis.internal.test'" in redis['reason'], redis['reason']


def test_a_missing_ca_file_is_bad_input(tmp_path, redis_tls):
    result, failed, dummy = check(env_file(tmp_path, redis_tls), redis_tls, redis_ca_file=str(tmp_path / 'nope.crt'))
    assert failed
    assert result['msg'] == 'redis_ca_file %s does not exist' % (tmp_path / 'nope.crt')
