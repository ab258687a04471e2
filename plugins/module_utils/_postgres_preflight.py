# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Can Chatwoot use this PostgreSQL server as it is? Read-only questions asked with the deployment's own role.

db:chatwoot_prepare creates the database when it is missing (the role needs CREATEDB for that) and its migrations
run CREATE EXTENSION vector (superuser, or a trusted extension and CREATE on the database). A managed server rarely
gives an application role either, so what is missing is said as the statements a DBA runs once.
"""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_probe import describe_pg_error
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import PgConnection, PgError, PgServerError

# The database to ask about the cluster when the target database does not exist yet.
MAINTENANCE_DATABASES = ('postgres', 'template1')

ROLE_QUERY = (
    "SELECT current_setting('server_version') AS server_version, rolsuper, rolcreatedb "
    "FROM pg_roles WHERE rolname = current_user"
)
VECTOR_QUERY = (
    "SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed, "
    "(SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS available, "
    "(SELECT bool_or(trusted) FROM pg_available_extension_versions WHERE name = 'vector') AS trusted, "
    "has_database_privilege(current_database(), 'CREATE') AS can_create_in_database, "
    # Rails writes ar_internal_metadata when it first loads a schema: absent, db:chatwoot_prepare has never run here.
    "to_regclass('public.ar_internal_metadata') IS NOT NULL AS prepared"
)


def quote_ident(name):
    return '"%s"' % name.replace('"', '""')


def _true(value):
    return value in ('t', 'true', '1')


def _ask(host, port, user, password, database, timeout, sslmode, ca_file):
    with PgConnection(host, port, user, password, database, timeout=timeout, sslmode=sslmode, ca_file=ca_file,
                      application_name='chatwoot_postgres_preflight') as conn:
        role = conn.query(ROLE_QUERY)[0]
        vector = conn.query(VECTOR_QUERY)[0]
        facts = dict(zip(role.columns, role.rows[0])) if role.rows else {}
        facts.update(dict(zip(vector.columns, vector.rows[0])))
        facts['ssl'] = conn.ssl_in_use
        return facts


def empty_result():
    """The result before anything is known: every key the module returns."""
    return dict(ready=False, reachable=False, problems=[], dba_commands=[], server_version=None, ssl=None,
                database_exists=None, superuser=None, can_create_database=None, vector_installed=None,
                vector_available=None, can_create_vector=None, prepared=None)


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
        facts['installed'] = None
        facts['can_create_in_database'] = 't'
        facts['prepared'] = 'f'

    superuser = _true(facts.get('rolsuper'))
    result.update(reachable=True, server_version=facts.get('server_version'), ssl=facts.get('ssl'), superuser=superuser,
                  can_create_database=superuser or _true(facts.get('rolcreatedb')),
                  vector_installed=facts.get('installed'), vector_available=facts.get('available'),
                  prepared=_true(facts.get('prepared')))
    result['can_create_vector'] = bool(facts.get('available')) and (
        superuser or (_true(facts.get('trusted')) and _true(facts.get('can_create_in_database'))))

    if not result['database_exists'] and not result['can_create_database']:
        result['problems'].append('database %s does not exist on %s and role %s may not create it (no CREATEDB)'
                                  % (database, where, user))
        result['dba_commands'].append('CREATE DATABASE %s OWNER %s;' % (quote_ident(database), quote_ident(user)))
    if not result['vector_installed']:
        if not result['vector_available']:
            result['problems'].append(
                'the server on %s does not offer the vector extension (pgvector), which Chatwoot 4.0 and later need: '
                'install pgvector on it, or allow the extension in the managed service (e.g. azure.extensions)' % where)
        elif not result['can_create_vector']:
            result['problems'].append(
                'extension vector %s is available but not installed in database %s, and role %s may not create it '
                '(not a superuser, and the extension is not trusted for it)' % (result['vector_available'], database, user))
            result['dba_commands'].append('\\connect %s' % quote_ident(database))
            result['dba_commands'].append('CREATE EXTENSION IF NOT EXISTS vector;')
    result['ready'] = not result['problems']
    return result
