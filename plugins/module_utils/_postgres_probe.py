# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The postgres component of chatwoot_health.

Private to the sinapum.chatwoot collection: no API promise.
Connects with the deployment's credentials, runs ``SELECT 1``, checks the ``vector`` extension
(Chatwoot >= 4.0 needs it; only a superuser can create it) and that the database was prepared
(``db:chatwoot_prepare`` created ``installation_configs`` and Rails' ``ar_internal_metadata``).
"""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import (
    FAILING,
    OK,
    Deadline,
    ProbeTimeout,
    component,
    describe_os_error,
    format_seconds,
    host_port,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_wire import (
    SQLSTATE_WORDS,
    PgConnection,
    PgError,
    PgProtocolError,
    PgServerError,
)

REQUIRED_TABLES = ('installation_configs', 'ar_internal_metadata')

STATE_QUERY = (
    "SELECT 1 AS alive,"
    " current_setting('server_version') AS server_version,"
    " (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector_version,"
    " to_regclass('public.installation_configs') IS NOT NULL AS installation_configs,"
    " to_regclass('public.ar_internal_metadata') IS NOT NULL AS ar_internal_metadata,"
    " to_regclass('public.schema_migrations') IS NOT NULL AS schema_migrations"
)

# reads the server's extension directory: only asked when vector is not installed
VECTOR_AVAILABLE_COLUMN = "(SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS vector_available"
ENVIRONMENT_COLUMN = "(SELECT value FROM ar_internal_metadata WHERE key = 'environment') AS environment"
SCHEMA_VERSION_COLUMN = "(SELECT max(version) FROM schema_migrations) AS schema_version"


def describe_pg_error(exc, where, user, database, timeout):
    """Plain words for a PostgreSQL failure; never includes the password."""
    if isinstance(exc, PgServerError):
        words = SQLSTATE_WORDS.get(exc.sqlstate)
        if exc.sqlstate == '28P01':
            return 'authentication failed for user %s (wrong password)' % user
        if exc.sqlstate == '28000':
            return 'authentication failed for user %s: %s' % (user, exc.message)
        if exc.sqlstate == '3D000':
            return 'database %s does not exist on %s' % (database, where)
        if words:
            return '%s (SQLSTATE %s: %s)' % (words, exc.sqlstate, exc.message)
        return 'server error SQLSTATE %s: %s' % (exc.sqlstate, exc.message)
    if isinstance(exc, PgProtocolError):
        return '%s: %s' % (where, exc)
    if isinstance(exc, (OSError, ProbeTimeout)):
        return describe_os_error(exc, where, timeout)
    return '%s: %s' % (where, exc)


def _true(value):
    return value in ('t', 'true', '1')


def probe_postgres(host, port, user, password, database, timeout=5.0, sslmode='prefer', require_vector=True,
                   require_prepared=True, ca_file=None):
    """Connect, SELECT 1, check vector and Chatwoot's tables; return a component entry."""
    deadline = Deadline(timeout)
    where = host_port(host, port) if not host.startswith('/') else '%s/.s.PGSQL.%s' % (host, port)
    details = {
        'address': where,
        'database': database,
        'user': user,
        'server_version': None,
        'ssl': None,
        'ssl_mode': sslmode,
        'ssl_ca_file': ca_file,
        'auth_method': None,
        'vector_extension': None,
        'tables': {},
        'environment': None,
        'schema_version': None,
        # What waiting cannot change (a refused login, a missing extension), as opposed to a server starting up.
        'drift': None,
    }
    problems = []
    try:
        with PgConnection(host, port, user, password, database, timeout=timeout, sslmode=sslmode,
                          deadline=deadline, ca_file=ca_file) as conn:
            details['ssl'] = conn.ssl_in_use
            details['auth_method'] = conn.auth_method
            row = conn.query(STATE_QUERY)[0]
            values = dict(zip(row.columns, row.rows[0]))
            details['server_version'] = values['server_version']
            details['vector_extension'] = values['vector_version']
            details['tables'] = dict((name, _true(values[name])) for name in REQUIRED_TABLES)
            columns = []
            if require_vector and not values['vector_version']:
                columns.append(VECTOR_AVAILABLE_COLUMN)
            if _true(values['ar_internal_metadata']):
                columns.append(ENVIRONMENT_COLUMN)
            if _true(values['schema_migrations']):
                columns.append(SCHEMA_VERSION_COLUMN)
            if columns:
                row = conn.query('SELECT ' + ', '.join(columns))[0]
                values.update(zip(row.columns, row.rows[0]))
                details['environment'] = values.get('environment')
                details['schema_version'] = values.get('schema_version')
    except ProbeTimeout:
        return component(FAILING, 'no answer from %s within %s s (timeout)' % (where, format_seconds(timeout)),
                         deadline.elapsed_ms(), **details)
    except (OSError, PgError) as exc:
        if isinstance(exc, PgServerError) and exc.sqlstate in ('28P01', '28000'):
            details['drift'] = 'authentication'
        return component(FAILING, describe_pg_error(exc, where, user, database, timeout),
                         deadline.elapsed_ms(), **details)

    if require_vector and not details['vector_extension']:
        details['drift'] = 'vector_missing'
        if values.get('vector_available'):
            problems.append("extension vector is not installed in database %s (available %s: a superuser must "
                            "run CREATE EXTENSION vector, or db:chatwoot_prepare as one)"
                            % (database, values['vector_available']))
        else:
            problems.append('extension vector is not installed in database %s and the server does not offer it '
                            '(Chatwoot >= 4.0 needs a PostgreSQL with pgvector, e.g. pgvector/pgvector images)'
                            % database)
    missing = [name for name in REQUIRED_TABLES if require_prepared and not details['tables'][name]]
    if missing:
        problems.append('database %s is not prepared: table %s missing (run rails db:chatwoot_prepare)'
                        % (database, ', '.join(missing)))
    if problems:
        return component(FAILING, '; '.join(problems), deadline.elapsed_ms(), **details)
    reason = 'PostgreSQL %s on %s: database %s %s, vector %s' % (
        details['server_version'], where, database, 'prepared' if require_prepared else 'answers (preparation not required)',
        details['vector_extension'] or 'not required')
    return component(OK, reason, deadline.elapsed_ms(), **details)
