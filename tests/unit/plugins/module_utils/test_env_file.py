# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading Chatwoot's .env file the way Docker Compose does."""

from __future__ import annotations

import os

import pytest

from ansible_collections.sinapum.chatwoot.plugins.module_utils._env_file import (
    deployment_settings,
    parse_env,
    read_env_file,
    to_bool,
)

SAMPLE = '''
# Chatwoot
SECRET_KEY_BASE=abc123
export RAILS_ENV=production
POSTGRES_HOST=postgres
POSTGRES_USERNAME = chatwoot
POSTGRES_PASSWORD='p@ss #not a comment'
POSTGRES_DATABASE="chatwoot"  # trailing comment
REDIS_PASSWORD="with \\"quotes\\" and \\\\ backslash"
FORCE_SSL=true # inline comment
EMPTY=
MULTI="line one
line two"
not a line
1BAD=x
'''


def test_parse_env_follows_compose_rules():
    env = parse_env(SAMPLE)
    assert env['SECRET_KEY_BASE'] == 'abc123'
    assert env['RAILS_ENV'] == 'production'
    assert env['POSTGRES_USERNAME'] == 'chatwoot'
    assert env['POSTGRES_PASSWORD'] == 'p@ss #not a comment'
    assert env['POSTGRES_DATABASE'] == 'chatwoot'
    assert env['REDIS_PASSWORD'] == 'with "quotes" and \\ backslash'
    assert env['FORCE_SSL'] == 'true'
    assert env['EMPTY'] == ''
    assert env['MULTI'] == 'line one\nline two'
    assert '1BAD' not in env and 'not a line' not in env


def test_deployment_settings_from_env():
    settings = deployment_settings(parse_env(SAMPLE))
    assert settings['postgres_user'] == 'chatwoot'
    assert settings['postgres_password'] == 'p@ss #not a comment'
    assert settings['postgres_database'] == 'chatwoot'
    assert settings['redis_password'] == 'with "quotes" and \\ backslash'
    assert settings['force_ssl'] is True
    assert settings['redis_tls'] is None


def test_database_url_wins_and_redis_url_gives_tls_user_password_db():
    settings = deployment_settings({
        'POSTGRES_USERNAME': 'ignored', 'POSTGRES_PASSWORD': 'ignored',
        'DATABASE_URL': 'postgresql://cw%40user:p%2Fss@postgres:5432/cw_db',
        'REDIS_URL': 'rediss://acl:from-url@redis:6379/2',
    })
    assert (settings['postgres_user'], settings['postgres_password'], settings['postgres_database']) == \
        ('cw@user', 'p/ss', 'cw_db')
    assert settings['redis_tls'] is True
    assert settings['redis_username'] == 'acl'
    assert settings['redis_password'] == 'from-url'
    assert settings['redis_db'] == 2
    # REDIS_PASSWORD wins over the URL's password, as in Chatwoot
    settings = deployment_settings({'REDIS_URL': 'redis://:from-url@redis:6379', 'REDIS_PASSWORD': 'explicit'})
    assert settings['redis_password'] == 'explicit'
    assert settings['redis_tls'] is False


@pytest.mark.parametrize('mode,verify', [(None, True), ('none', False), ('peer', True), ('NONE', True), ('', True)])
def test_redis_certificate_verification_as_chatwoot_decides_it(mode, verify):
    env = {'REDIS_URL': 'rediss://redis.internal:6380'}
    if mode is not None:
        env['REDIS_OPENSSL_VERIFY_MODE'] = mode
    settings = deployment_settings(env)
    assert settings['redis_verify'] is verify
    assert settings['redis_host'] == 'redis.internal'


def test_frontend_host_is_the_host_of_frontend_url():
    # as Ruby's URI.parse(...).host, which Chatwoot compares with request.host: the case is kept
    assert deployment_settings({'FRONTEND_URL': 'https://Chat.Example.com:8443/'})['frontend_host'] == 'Chat.Example.com'
    assert deployment_settings({'FRONTEND_URL': 'http://u:p@[::1]:3000'})['frontend_host'] == '[::1]'
    assert deployment_settings({'FRONTEND_URL': ''})['frontend_host'] is None
    assert deployment_settings({})['frontend_host'] is None
    # HELPCENTER_URL's host is Chatwoot's own too (app/helpers/domain_helper.rb)
    assert deployment_settings({'HELPCENTER_URL': 'https://help.example.com/hc'})['helpcenter_host'] == 'help.example.com'
    assert deployment_settings({})['helpcenter_host'] is None


def test_sentinels_as_chatwoot_reads_them():
    # lib/redis/config.rb: "host1:port1, host2:port2", port 26379 when left out, master mymaster by default
    settings = deployment_settings({'REDIS_URL': 'rediss://user:url-pw@redis:6380/3', 'REDIS_PASSWORD': 'pw',
                                    'REDIS_SENTINELS': ' s1:26380 , s2 ,'})
    assert settings['redis_sentinels'] == [('s1', 26380), ('s2', 26379)]
    assert settings['redis_sentinel_master'] == 'mymaster'
    assert settings['redis_sentinel_password'] == 'pw'  # REDIS_SENTINEL_PASSWORD not set: REDIS_PASSWORD
    # REDIS_URL is replaced by redis://<master name>: its user, database and TLS no longer count
    assert (settings['redis_password'], settings['redis_username'], settings['redis_db'], settings['redis_tls']) == \
        ('pw', None, 0, False)
    settings = deployment_settings({'REDIS_SENTINELS': 's1:1', 'REDIS_SENTINEL_PASSWORD': '', 'REDIS_PASSWORD': 'pw',
                                    'REDIS_SENTINEL_MASTER_NAME': 'cw'})
    assert settings['redis_sentinel_password'] is None and settings['redis_sentinel_master'] == 'cw'
    assert deployment_settings({'REDIS_SENTINELS': '  '})['redis_sentinels'] is None
    assert deployment_settings({})['redis_sentinels'] is None


def test_empty_settings():
    settings = deployment_settings(None)
    assert settings['postgres_user'] is None and settings['redis_password'] is None and settings['force_ssl'] is False


@pytest.mark.parametrize('value,expected', [('true', True), ('TRUE', True), ('1', True), ('yes', True),
                                            ('false', False), ('0', False), ('', False), (None, False)])
def test_to_bool(value, expected):
    assert to_bool(value) is expected


def test_read_env_file(tmp_path):
    assert read_env_file(str(tmp_path / 'missing.env')) is None
    path = tmp_path / '.env'
    path.write_text('A=1\n')
    assert read_env_file(str(path)) == {'A': '1'}
    with pytest.raises(OSError):
        read_env_file(str(tmp_path))
    if os.geteuid() != 0:
        path.chmod(0)
        with pytest.raises(PermissionError):
            read_env_file(str(path))
