# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_postgres_preflight against real servers: the rig's PostgreSQL 17 with pgvector (in Docker), where roles
of a managed service's kind are made, and Debian's PostgreSQL 15, which has no pgvector."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

import health_fixtures
import health_servers as hs

IMAGE = 'sinapum-rig/pgvector:pg17'
SUPER_PASSWORD = 'super-S3cret-Pg17'
APP_PASSWORD = 'app-S3cret-Pg17x'


def docker(*args, check=True):
    return subprocess.run(['docker', *args], capture_output=True, text=True, timeout=120, check=check)


def run_module(args):
    return health_fixtures.run_module(args, 'chatwoot_postgres_preflight', (SUPER_PASSWORD, APP_PASSWORD))[0]


# What Chatwoot 4.15.1's db/schema.rb enables (plpgsql aside, which every database has).
EXTENSIONS = ('pg_stat_statements', 'pg_trgm', 'pgcrypto', 'vector')
# Not trusted in PostgreSQL 17 (pg_available_extension_versions.trusted): only a superuser creates them.
UNTRUSTED = ('pg_stat_statements', 'vector')


def create_statements(names):
    return ['CREATE EXTENSION IF NOT EXISTS %s;' % name for name in names]


@pytest.fixture(scope='module')
def pg17():
    """A PostgreSQL 17 with pgvector: a superuser, an application role that may create databases (but is no
    superuser, as on a managed service), and one that may not; a database where the DBA created every extension
    Chatwoot needs, one where none is, and one the role may connect to but not create in."""
    name = 'sinapum-preflight-pg-%s' % uuid.uuid4().hex[:8]
    docker('run', '-d', '--name', name, '-p', '127.0.0.1::5432', '-e', 'POSTGRES_PASSWORD=' + SUPER_PASSWORD, IMAGE)
    try:
        hs.wait_for(lambda: docker('exec', name, 'pg_isready', '-h', '127.0.0.1', '-U', 'postgres',
                                   check=False).returncode == 0,
                    timeout=60, interval=0.5, what='PostgreSQL in %s' % name)
        for sql in ("CREATE ROLE app_owner LOGIN CREATEDB PASSWORD '%s'" % APP_PASSWORD,
                    "CREATE ROLE app_plain LOGIN PASSWORD '%s'" % APP_PASSWORD,
                    'CREATE DATABASE ready_db OWNER app_plain',
                    'CREATE DATABASE novector_db OWNER app_plain',
                    'CREATE DATABASE notmine_db'):
            docker('exec', name, 'psql', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql)
        for extension in EXTENSIONS:
            docker('exec', name, 'psql', '-U', 'postgres', '-d', 'ready_db', '-v', 'ON_ERROR_STOP=1',
                   '-c', 'CREATE EXTENSION %s' % extension)
        port = int(docker('port', name, '5432/tcp').stdout.strip().rsplit(':', 1)[1])
        yield {'host': '127.0.0.1', 'port': port}
    finally:
        docker('rm', '-f', '-v', name, check=False)


def ask(server, user, database, password=APP_PASSWORD, **extra):
    return run_module(dict(host=server['host'], port=server['port'], user=user, password=password, database=database,
                           **extra))


def test_a_superuser_is_ready_for_a_database_still_to_be_made(pg17):
    result = ask(pg17, 'postgres', 'chatwoot_new', password=SUPER_PASSWORD)
    assert result['ready'] is True, result
    assert result['database_exists'] is False and result['can_create_database'] is True
    assert result['can_create_vector'] is True and result['vector_available']
    assert sorted(result['extensions']) == sorted(EXTENSIONS)
    assert all(e['can_create'] and e['installed'] is None for e in result['extensions'].values()), result
    assert result['dba_commands'] == [] and result['changed'] is False


def test_an_application_role_is_ready_where_the_dba_created_every_extension(pg17):
    result = ask(pg17, 'app_plain', 'ready_db')
    assert result['ready'] is True, result
    assert result['superuser'] is False and result['vector_installed'], result
    assert all(result['extensions'][name]['installed'] for name in EXTENSIONS), result


@pytest.mark.promise("dba_statements_for_a_managed_postgres")
def test_extensions_the_role_may_not_create_are_the_dba_statements(pg17):
    result = ask(pg17, 'app_plain', 'novector_db')
    assert result['ready'] is False
    # pg_trgm and pgcrypto are trusted and the role owns the database: it creates them itself
    assert result['extensions']['pg_trgm'] == {'installed': None, 'available': result['extensions']['pg_trgm']['available'],
                                               'trusted': True, 'can_create': True}
    assert result['dba_commands'] == ['\\connect "novector_db"'] + create_statements(UNTRUSTED), result
    for name in UNTRUSTED:
        assert 'extension %s' % name in result['msg']
    assert 'not a superuser, and the extension is not trusted' in result['msg']
    # The statements work when a superuser runs them, and then the same role is ready.
    for statement in result['dba_commands'][1:]:
        docker('exec', _container_of(pg17), 'psql', '-U', 'postgres', '-d', 'novector_db', '-v', 'ON_ERROR_STOP=1',
               '-c', statement)
    assert ask(pg17, 'app_plain', 'novector_db')['ready'] is True


def test_a_role_that_may_not_create_in_the_database_needs_the_dba_for_all_four(pg17):
    result = ask(pg17, 'app_plain', 'notmine_db')
    assert result['ready'] is False
    assert result['dba_commands'] == ['\\connect "notmine_db"'] + create_statements(EXTENSIONS), result
    assert result['extensions']['pgcrypto']['trusted'] is True and result['extensions']['pgcrypto']['can_create'] is False
    assert 'trusted, but role app_plain may not CREATE in database notmine_db' in result['msg'], result['msg']


def test_prepared_says_whether_rails_ever_loaded_a_schema_here(pg17):
    assert ask(pg17, 'app_plain', 'ready_db')['prepared'] is False
    assert ask(pg17, 'postgres', 'chatwoot_not_there', password=SUPER_PASSWORD)['prepared'] is False
    docker('exec', _container_of(pg17), 'psql', '-U', 'postgres', '-d', 'ready_db', '-v', 'ON_ERROR_STOP=1',
           '-c', 'CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar)')
    try:
        assert ask(pg17, 'app_plain', 'ready_db')['prepared'] is True
    finally:
        docker('exec', _container_of(pg17), 'psql', '-U', 'postgres', '-d', 'ready_db', '-c', 'DROP TABLE ar_internal_metadata')


def test_a_role_without_createdb_gets_the_create_database_statement_first(pg17):
    result = ask(pg17, 'app_plain', 'chatwoot_missing')
    assert result['ready'] is False and result['database_exists'] is False
    assert result['dba_commands'][0] == 'CREATE DATABASE "chatwoot_missing" OWNER "app_plain";', result
    assert result['dba_commands'][1:] == ['\\connect "chatwoot_missing"'] + create_statements(UNTRUSTED)


def test_createdb_alone_still_needs_the_dba_for_the_untrusted_extensions(pg17):
    result = ask(pg17, 'app_owner', 'chatwoot_owned')
    assert result['can_create_database'] is True and result['can_create_vector'] is False, result
    assert result['dba_commands'] == ['\\connect "chatwoot_owned"'] + create_statements(UNTRUSTED)


def test_a_wrong_password_is_not_reachable_and_never_shown(pg17):
    result = ask(pg17, 'app_plain', 'ready_db', password='wrong-S3cret-Guess')
    assert result['ready'] is False and result['reachable'] is False
    assert 'password' in result['msg'] and 'wrong-S3cret-Guess' not in json.dumps(result)


def test_nothing_listening_is_said_plainly(pg17):
    result = ask({'host': '127.0.0.1', 'port': 1}, 'app_plain', 'ready_db', timeout=2.0)
    assert result['reachable'] is False, result
    assert result['problems'] == ['connection refused on 127.0.0.1:1 (nothing listens there)']


def test_fail_on_not_ready_fails(pg17):
    result = ask(pg17, 'app_plain', 'novector_db2', fail_on_not_ready=True)
    assert result.get('failed') is True and result['dba_commands'], result


def test_a_server_without_pgvector_is_told_to_get_it(pg):
    result = run_module(dict(host='127.0.0.1', port=pg.port, user='chatwoot', password=pg.PASSWORD, database='chatwoot',
                             ssl_mode='disable'))
    assert result['ready'] is False and result['vector_available'] is None, result
    assert 'does not offer the vector extension' in result['msg']
    # once pgvector is installed, the role (no superuser) still cannot create it: the DBA's statements say so
    assert result['dba_commands'] == ['\\connect "chatwoot"'] + create_statements(UNTRUSTED), result
    assert pg.PASSWORD not in json.dumps(result)


def _container_of(server):
    names = docker('ps', '--filter', 'publish=%d' % server['port'], '--format', '{{.Names}}').stdout.split()
    assert len(names) == 1, names
    return names[0]
