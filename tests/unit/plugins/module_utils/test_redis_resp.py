# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The RESP2 client and the redis probe against real redis-server processes."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

import health_servers as hs
from health_fixtures import REDIS_PASSWORD
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_resp import (
    RedisAuthError,
    RedisConnection,
    RedisReplyError,
    encode_command,
    pairs_to_dict,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_probe import probe_redis
from ansible_collections.sinapum.chatwoot.plugins.module_utils._redis_target import RedisTarget


def test_encode_command():
    assert encode_command(['SET', 'k', b'v\r\n', 3]) == b'*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n$1\r\n3\r\n'


def test_auth_ping_and_reply_types(redis_pw):
    with RedisConnection('127.0.0.1', redis_pw.port, password=REDIS_PASSWORD) as redis:
        assert redis.ping()
        assert redis.execute('DEL', 'cw:list', 'cw:hash', 'cw:zset') >= 0
        assert redis.execute('RPUSH', 'cw:list', 'a', 'b', 'c') == 3
        assert redis.execute('LINDEX', 'cw:list', -1) == b'c'
        assert redis.execute('LINDEX', 'cw:list', 99) is None
        redis.execute('HSET', 'cw:hash', 'beat', '1.5', 'busy', '0')
        assert pairs_to_dict(redis.execute('HGETALL', 'cw:hash')) == {'beat': '1.5', 'busy': '0'}
        assert redis.execute('HMGET', 'cw:hash', 'beat', 'nope') == [b'1.5', None]
        redis.execute('ZADD', 'cw:zset', 1, 'x', 2, 'y')
        assert redis.execute('ZCARD', 'cw:zset') == 2
        with pytest.raises(RedisReplyError) as info:
            redis.execute('LLEN', 'cw:hash')
        assert info.value.kind == 'WRONGTYPE'
        replies = redis.pipeline([('LLEN', 'cw:list'), ('LLEN', 'cw:hash'), ('PING',)])
        assert replies[0] == 3 and isinstance(replies[1], RedisReplyError) and replies[2] == b'PONG'
        redis.execute('DEL', 'cw:list', 'cw:hash', 'cw:zset')


def test_big_bulk_reply_across_many_reads(redis_pw):
    value = b'x' * 300000
    with RedisConnection('127.0.0.1', redis_pw.port, password=REDIS_PASSWORD) as redis:
        redis.execute('SET', 'cw:big', value)
        assert redis.execute('GET', 'cw:big') == value
        redis.execute('DEL', 'cw:big')


def test_wrong_password(redis_pw):
    with pytest.raises(RedisAuthError) as info:
        RedisConnection('127.0.0.1', redis_pw.port, password='wrong-S3cret-Guess').connect()
    assert info.value.problem == 'wrong_password'
    assert 'wrong-S3cret-Guess' not in str(info.value)


def test_missing_password(redis_pw):
    with RedisConnection('127.0.0.1', redis_pw.port) as redis:
        with pytest.raises(RedisAuthError) as info:
            redis.ping()
    assert info.value.problem == 'password_required'


def test_password_given_to_a_server_without_one(redis_nopw):
    with pytest.raises(RedisAuthError) as info:
        RedisConnection('127.0.0.1', redis_nopw.port, password='wrong-S3cret-Guess').connect()
    assert info.value.problem == 'no_password_configured'


def test_acl_username_and_database(redis_pw):
    redis_pw.command('ACL', 'SETUSER', 'chatwoot', 'on', '>acl-S3cret-Pw', '~*', '+@all')
    try:
        with RedisConnection('127.0.0.1', redis_pw.port, password='acl-S3cret-Pw', username='chatwoot', db=3) as redis:
            assert redis.ping()
            redis.execute('SET', 'cw:db3', '1')
        with RedisConnection('127.0.0.1', redis_pw.port, password=REDIS_PASSWORD, db=0) as redis:
            assert redis.execute('GET', 'cw:db3') is None
        with pytest.raises(RedisAuthError):
            RedisConnection('127.0.0.1', redis_pw.port, password=REDIS_PASSWORD, username='chatwoot').connect()
    finally:
        redis_pw.command('ACL', 'DELUSER', 'chatwoot')


@pytest.fixture(scope='module')
def redis_tls():
    try:
        server = hs.RedisServer(password=REDIS_PASSWORD, tls=True).start()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    yield server
    server.cleanup()


def test_tls_with_ca_and_without_verification(redis_tls):
    with RedisConnection('127.0.0.1', redis_tls.port, password=REDIS_PASSWORD, tls=True, ca_file=redis_tls.cert) as redis:
        assert redis.ping()
    with RedisConnection('127.0.0.1', redis_tls.port, password=REDIS_PASSWORD, tls=True, validate_certs=False) as redis:
        assert redis.ping()
    result = probe_redis(RedisTarget('127.0.0.1', redis_tls.port, REDIS_PASSWORD, tls=True, validate_certs=True), 3)
    assert result['status'] == 'failing'
    assert 'TLS failed' in result['reason'] and 'certificate verify failed' in result['reason']
    result = probe_redis(RedisTarget('127.0.0.1', redis_tls.port, REDIS_PASSWORD, tls=True, validate_certs=False), 3)
    assert result['status'] == 'ok', result


def test_timeout_on_a_silent_server():
    silent = hs.SilentServer()
    try:
        with pytest.raises(socket.timeout):
            RedisConnection('127.0.0.1', silent.port, password='x', timeout=0.3).connect()
    finally:
        silent.stop()


# ---------------------------------------------------------------------------------------------- probe
def test_probe_ok(redis_pw):
    result = probe_redis(RedisTarget('127.0.0.1', redis_pw.port, REDIS_PASSWORD), 3)
    assert result['status'] == 'ok'
    assert result['version'] and result['version'] in result['reason']
    assert result['reason'] == 'Redis %s answers PONG on 127.0.0.1:%d' % (result['version'], redis_pw.port)


@pytest.mark.parametrize('password,words', [
    ('wrong-S3cret-Guess', 'authentication failed: the server refused the password'),
    (None, 'authentication required: the server wants a password and none was given'),
])
def test_probe_auth_problems(redis_pw, password, words):
    result = probe_redis(RedisTarget('127.0.0.1', redis_pw.port, password), 3)
    assert result['status'] == 'failing'
    assert result['reason'].startswith(words)
    assert 'wrong-S3cret-Guess' not in repr(result)


def test_probe_password_given_to_a_server_without_one(redis_nopw):
    result = probe_redis(RedisTarget('127.0.0.1', redis_nopw.port, 'wrong-S3cret-Guess'), 3)
    assert result['status'] == 'failing'
    assert 'the server has none configured' in result['reason']


def test_probe_refused_and_silent():
    result = probe_redis(RedisTarget('127.0.0.1', hs.free_port()), 1)
    assert result['status'] == 'failing' and 'connection refused' in result['reason']
    silent = hs.SilentServer()
    try:
        result = probe_redis(RedisTarget('127.0.0.1', silent.port), 0.4)
    finally:
        silent.stop()
    assert result['status'] == 'failing'
    assert result['reason'] == 'no answer from 127.0.0.1:%d within 0.4 s (timeout)' % silent.port


def _own_address():
    """An address of this machine that is not loopback, or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(('10.255.255.255', 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith('127.') else address


def test_probe_names_a_redis_that_lost_its_password(tmp_path):
    address = _own_address()
    if address is None:
        pytest.skip('this machine has no address but loopback')
    port = hs.free_port()
    # What Chatwoot's Redis becomes without --requirepass: protected mode refuses every client but loopback ones.
    server = subprocess.Popen([shutil.which('redis-server'), '--bind', address, '--port', str(port), '--save', '',
                               '--dir', str(tmp_path), '--protected-mode', 'yes'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        hs.wait_for(lambda: _open(address, port), what='redis-server on %s:%d' % (address, port))
        result = probe_redis(RedisTarget(address, port, REDIS_PASSWORD), 3)
    finally:
        server.kill()
        server.wait(10)
    assert result['status'] == 'failing'
    assert 'runs without a password and refuses outside clients (protected mode)' in result['reason'], result


def _open(address, port):
    try:
        socket.create_connection((address, port), timeout=0.5).close()
        return True
    except OSError:
        return False
