# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Can Chatwoot use this PostgreSQL server as it is? Read-only questions asked with the deployment's own role.

db:chatwoot_prepare creates the database when it is missing (the role needs CREATEDB for that) and loads
db/schema.rb, which enables pg_stat_statements, pg_trgm, pgcrypto and vector (Chatwoot 4.15.1). PostgreSQL lets a
role create an extension when it is a superuser, or when the extension is trusted (pg_trgm and pgcrypto since
PostgreSQL 13; not pg_stat_statements, nor vector) and the role may CREATE in the database. A managed server rarely
gives an application role that, so what is missing is said as the statements a DBA runs once.
"""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_probe import describe_pg_error
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import PgConnection, PgError, PgServerError

# The database to ask about the cluster when the target database does not exist yet.
MAINTENANCE_DATABASES = ('postgres', 'template1')

# db/schema.rb's enable_extension lines (plpgsql, in every database, left out), in its order.
SCHEMA_EXTENSIONS = ('pg_stat_statements', 'pg_trgm', 'pgcrypto', 'vector')
# What the server offers of them, beyond the name: where to get it when it does not.
EXTENSION_SOURCES = {
    'vector': 'pgvector, which Chatwoot 4.0 and later need',
    'pg_stat_statements': 'from PostgreSQL\'s contrib modules',
    'pg_trgm': 'from PostgreSQL\'s contrib modules',
    'pgcrypto': 'from PostgreSQL\'s contrib modules',
}

ROLE_QUERY = (
    "SELECT current_setting('server_version') AS server_version, "
    "current_setting('server_version_num')::int AS server_version_num, rolsuper, rolcreatedb, "
    "has_database_privilege(current_database(), 'CREATE') AS can_create_in_database, "
    # Rails writes ar_internal_metadata when it first loads a schema: absent, db:chatwoot_prepare has never run here.
    "to_regclass('public.ar_internal_metadata') IS NOT NULL AS prepared "
    "FROM pg_roles WHERE rolname = current_user"
)
# CREATE EXTENSION without VERSION installs the default version: that version's control file says whether it is
# trusted. The column exists from PostgreSQL 13 on; before, nothing is trusted.
EXTENSION_QUERY = (
    "SELECT n.name, "
    "(SELECT extversion FROM pg_extension WHERE extname = n.name) AS installed, "
    "a.default_version AS available, "
    "%s AS trusted "
    "FROM unnest(ARRAY[%s]) AS n(name) LEFT JOIN pg_available_extensions a ON a.name = n.name"
)
TRUSTED_COLUMN = ("(SELECT bool_or(v.trusted) FROM pg_available_extension_versions v "
                  "WHERE v.name = n.name AND v.version = a.default_version)")


def quote_ident(name):
    return '"%s"' % name.replace('"', '""')


def _true(value):
    return value in ('t', 'true', '1')


def extension_query(server_version_num):
    trusted = TRUSTED_COLUMN if server_version_num >= 130000 else 'false'
    return EXTENSION_QUERY % (trusted, ', '.join("'%s'" % name for name in SCHEMA_EXTENSIONS))


def _ask(host, port, user, password, database, timeout, sslmode, ca_file):
    with PgConnection(host, port, user, password, database, timeout=timeout, sslmode=sslmode, ca_file=ca_file,
                      application_name='chatwoot_postgres_preflight') as conn:
        role = conn.query(ROLE_QUERY)[0]
        facts = dict(zip(role.columns, role.rows[0])) if role.rows else {}
        rows = conn.query(extension_query(int(facts.get('server_version_num') or 0)))[0].rows
        facts['extensions'] = dict((name, {'installed': installed, 'available': available,
                                           'trusted': _true(trusted)})
                                   for name, installed, available, trusted in rows)
        facts['ssl'] = conn.ssl_in_use
        return facts


def empty_result():
    """The result before anything is known: every key the module returns."""
    return dict(ready=False, reachable=False, problems=[], dba_commands=[], server_version=None, ssl=None,
                database_exists=None, superuser=None, can_create_database=None, vector_installed=None,
                vector_available=None, can_create_vector=None, extensions={}, prepared=None)


def _extension_problem(name, entry, database, where, user):
    if not entry['available']:
        return ('the server on %s does not offer the %s extension (%s), which Chatwoot\'s schema enables: install it '
                'on the server, or allow the extension in the managed service (e.g. azure.extensions)'
                % (where, name, EXTENSION_SOURCES[name]))
    if entry['trusted']:
        why = 'trusted, but role %s may not CREATE in database %s' % (user, database)
    else:
        why = 'not a superuser, and the extension is not trusted'
    return ('extension %s %s is available but not installed in database %s, and role %s may not create it (%s)'
            % (name, entry['available'], database, user, why))


def check_postgres(host, port, user, password, database, timeout=5.0, sslmode='prefer', ca_file=None):
    """Return the result dict: ready, problems, dba_commands and what was found."""
    where = '%s:%s' % (host, port)
    result = empty_result()
    facts = None
    try:
        facts = _ask(host, port, user, password, database, timeout, sslmode, ca_file)
        result['database_exists'] = True
    except PgServerError as exc:
        if exc.sqlstate != '3D000':  # invalid_catalog_name: the database is missing, the login was fine
            result['problems'].append(describe_pg_error(exc, where, user, database, timeout))
            return result
        result['database_exists'] = False
    except (OSError, PgError) as exc:
        result['problems'].append(describe_pg_error(exc, where, user, database, timeout))
        return result

    if facts is None:
        last = None
        for maintenance in MAINTENANCE_DATABASES:
            try:
                facts = _ask(host, port, user, password, maintenance, timeout, sslmode, ca_file)
                break
            except (OSError, PgError) as exc:
                last = exc
        if facts is None:
            result['problems'].append('database %s does not exist on %s, and %s could not look around the server '
                                      'either: %s' % (database, where, user,
                                                      describe_pg_error(last, where, user, MAINTENANCE_DATABASES[-1], timeout)))
            result['dba_commands'].append('CREATE DATABASE %s OWNER %s;' % (quote_ident(database), quote_ident(user)))
            result['reachable'] = True
            return result
        # In a database that does not exist yet nothing is installed, and the owner will be this role.
        for entry in facts['extensions'].values():
            entry['installed'] = None
        facts['can_create_in_database'] = 't'
        facts['prepared'] = 'f'

    superuser = _true(facts.get('rolsuper'))
    can_create_in_database = _true(facts.get('can_create_in_database'))
    extensions = facts['extensions']
    for entry in extensions.values():
        entry['can_create'] = bool(entry['available']) and (superuser or (entry['trusted'] and can_create_in_database))
    result.update(reachable=True, server_version=facts.get('server_version'), ssl=facts.get('ssl'), superuser=superuser,
                  can_create_database=superuser or _true(facts.get('rolcreatedb')), extensions=extensions,
                  vector_installed=extensions['vector']['installed'], vector_available=extensions['vector']['available'],
                  can_create_vector=extensions['vector']['can_create'], prepared=_true(facts.get('prepared')))

    if not result['database_exists'] and not result['can_create_database']:
        result['problems'].append('database %s does not exist on %s and role %s may not create it (no CREATEDB)'
                                  % (database, where, user))
        result['dba_commands'].append('CREATE DATABASE %s OWNER %s;' % (quote_ident(database), quote_ident(user)))
    for_the_dba = []
    for name in SCHEMA_EXTENSIONS:
        entry = extensions[name]
        if entry['installed'] or entry['can_create']:
            continue
        result['problems'].append(_extension_problem(name, entry, database, where, user))
        # An extension the server does not offer yet has no trust to read: once installed, a DBA creates it.
        if not superuser:
            for_the_dba.append(name)
    if for_the_dba:
        result['dba_commands'].append('\\connect %s' % quote_ident(database))
        result['dba_commands'].extend('CREATE EXTENSION IF NOT EXISTS %s;' % name for name in for_the_dba)
    result['ready'] = not result['problems']
    return result
