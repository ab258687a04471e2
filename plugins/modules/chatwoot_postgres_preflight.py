#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_postgres_preflight
short_description: Tell whether Chatwoot can use a PostgreSQL server as it is, and what a DBA must run if not
version_added: 1.0.0
description:
  - Logs in to a PostgreSQL server (typically an external or managed one) with the role Chatwoot will use and
    asks, without changing anything, what C(db:chatwoot_prepare) will need there.
  - The database must exist, or the role must be allowed to create it (C(CREATEDB)).
  - Each extension Chatwoot's C(db/schema.rb) enables - C(pg_stat_statements), C(pg_trgm), C(pgcrypto) and
    C(vector) (pgvector; Chatwoot 4.0 and later) - must be installed in the database already, or be available on
    the server and creatable by the role - a superuser, or the extension trusted (C(pg_trgm) and C(pgcrypto) are,
    since PostgreSQL 13; C(pg_stat_statements) and C(vector) are not) and the role allowed to CREATE in the
    database.
  - When something is missing, RV(problems) says what in plain words and RV(dba_commands) lists the statements
    a database administrator runs once (C(CREATE DATABASE ... OWNER ...), then C(CREATE EXTENSION) for each
    extension the role cannot create itself).
  - Like M(sinapum.chatwoot.chatwoot_health), it speaks PostgreSQL's wire protocol with the Python standard library
    only; nothing needs installing on the managed host.
author:
  - SinapUm engineers (@sinapum)
requirements:
  - Nothing beyond the Python standard library that Ansible itself needs.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode asks the same questions.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  host:
    description: Address of the PostgreSQL server, as the managed host reaches it.
    type: str
    required: true
  port:
    description: Its port.
    type: int
    default: 5432
  user:
    description: The role Chatwoot logs in with.
    type: str
    required: true
  password:
    description: That role's password.
    type: str
    required: true
  database:
    description: The database Chatwoot uses (C(POSTGRES_DATABASE)).
    type: str
    required: true
  ssl_mode:
    description:
      - libpq's C(sslmode), with libpq's meaning. V(disable), V(allow) (plain text, TLS when the server refuses
        that), V(prefer) (TLS, plain text when TLS fails), V(require) (TLS), V(verify-ca) (TLS, and the certificate
        verified with the CA of O(ca_file)) or V(verify-full) (and the certificate must name O(host)).
      - As libpq, a root certificate (O(ca_file), else C(~/.postgresql/root.crt) when it exists) makes every mode
        that uses TLS verify the chain, and only that file is trusted, not the system's CAs.
    type: str
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
    default: prefer
  ca_file:
    description:
      - libpq's C(sslrootcert) - a PEM file on the managed host with the CA that signed the server's certificate.
      - V(verify-ca) and V(verify-full) need one. Without this option libpq's default, C(~/.postgresql/root.crt) of
        the user the module runs as, is used when it exists; when it does not, the task fails before connecting, as
        libpq would.
    type: path
  timeout:
    description: Seconds for each network operation.
    type: float
    default: 5.0
  fail_on_not_ready:
    description:
      - Fail when the server is not ready for Chatwoot. By default the answer is data (RV(ready)), and the caller
        decides.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Ask the managed database whether Chatwoot can use it
  sinapum.chatwoot.chatwoot_postgres_preflight:
    host: chatwoot-db.example.internal
    user: chatwoot
    password: "{{ vault_chatwoot_postgres_password }}"
    database: chatwoot
    ssl_mode: require
  register: db

- name: The same over TLS, the certificate verified with the site's CA and checked against the host name
  sinapum.chatwoot.chatwoot_postgres_preflight:
    host: chatwoot-db.example.internal
    user: chatwoot
    password: "{{ vault_chatwoot_postgres_password }}"
    database: chatwoot
    ssl_mode: verify-full
    ca_file: /etc/ssl/private-ca/postgres-ca.pem
  register: db

- name: Stop with what the DBA must run
  ansible.builtin.assert:
    that: db.ready
    fail_msg: "{{ db.problems | join('; ') }}. As a DBA: {{ db.dba_commands | join(' ') }}"
"""

RETURN = r"""
ready:
  description: Whether db:chatwoot_prepare can do its work on this server with this role.
  type: bool
  returned: always
reachable:
  description: Whether the role could log in at all.
  type: bool
  returned: always
problems:
  description: What stands in the way, in plain words; empty when ready.
  type: list
  elements: str
  returned: always
dba_commands:
  description: Statements (psql syntax) an administrator runs once to make the server ready; empty when none help.
  type: list
  elements: str
  returned: always
  sample: ['CREATE DATABASE "chatwoot" OWNER "chatwoot";', '\connect "chatwoot"',
           'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;', 'CREATE EXTENSION IF NOT EXISTS vector;']
server_version:
  description: The server's version; null when not reached.
  type: str
  returned: always
ssl:
  description: Whether the connection was encrypted; null when not reached.
  type: bool
  returned: always
database_exists:
  description: Whether the database exists; null when not known.
  type: bool
  returned: always
superuser:
  description: Whether the role is a superuser; null when not reached.
  type: bool
  returned: always
can_create_database:
  description: Whether the role may create databases; null when not reached.
  type: bool
  returned: always
vector_installed:
  description: The version of vector installed in the database; null when none.
  type: str
  returned: always
vector_available:
  description: The version of vector the server offers; null when none.
  type: str
  returned: always
can_create_vector:
  description: Whether the role may create the extension in the database; null when not reached.
  type: bool
  returned: always
extensions:
  description:
    - For each extension Chatwoot's schema enables (C(pg_stat_statements), C(pg_trgm), C(pgcrypto), C(vector)), its
      C(installed) version (null when not installed), the C(available) version the server offers (null when none),
      whether that version is C(trusted), and whether the role C(can_create) it in the database.
    - Empty when the server was not reached.
  type: dict
  returned: always
  sample:
    vector: {installed: null, available: 0.8.0, trusted: false, can_create: false}
    pg_trgm: {installed: null, available: '1.6', trusted: true, can_create: true}
prepared:
  description:
    - Whether C(db:chatwoot_prepare) has ever run on the database (Rails' C(ar_internal_metadata) table is there);
      null when not known.
  type: bool
  returned: always
msg:
  description: One line saying the verdict.
  type: str
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import scrub
from ansible_collections.sinapum.chatwoot.plugins.module_utils._postgres_preflight import check_postgres, empty_result
from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import LIBPQ_SSLMODES, CaFileError, libpq_root_cert


def argument_spec():
    return dict(
        host=dict(type='str', required=True),
        port=dict(type='int', default=5432),
        user=dict(type='str', required=True),
        password=dict(type='str', required=True, no_log=True),
        database=dict(type='str', required=True),
        ssl_mode=dict(type='str', choices=list(LIBPQ_SSLMODES), default='prefer'),
        ca_file=dict(type='path'),
        timeout=dict(type='float', default=5.0),
        fail_on_not_ready=dict(type='bool', default=False),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    p = module.params
    try:
        root_cert = libpq_root_cert(p['ssl_mode'], p['ca_file'], mode_option='ssl_mode', ca_option='ca_file')
    except CaFileError as exc:
        result = empty_result()
        result.update(changed=False, msg=str(exc))
        module.fail_json(**result)
    result = check_postgres(p['host'], p['port'], p['user'], p['password'], p['database'],
                            timeout=p['timeout'], sslmode=p['ssl_mode'], ca_file=root_cert)
    result['changed'] = False
    if result['ready']:
        to_create = [name for name, entry in sorted(result['extensions'].items()) if not entry['installed']]
        result['msg'] = 'PostgreSQL %s on %s:%s is ready for Chatwoot (database %s, %s)' % (
            result['server_version'], p['host'], p['port'], p['database'],
            ('extensions %s to be created by db:chatwoot_prepare' % ', '.join(to_create)) if to_create
            else 'every extension installed')
    else:
        result['msg'] = '; '.join(result['problems'])
    result = scrub(result, [p['password']])
    if p['fail_on_not_ready'] and not result['ready']:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
