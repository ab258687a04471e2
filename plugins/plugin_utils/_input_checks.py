# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chatwoot role's checks of its variables, before anything on the host changes: every mistake at once, each
named by its variable with what is allowed, and the warnings about values used as given.

Reached through the input_checks filter (roles/chatwoot/tasks/preflight.yml) with the values of INPUTS, read by name.
Values may come from -e as strings ("true", "3001"), so numbers and booleans are checked by what they convert to, as
Ansible's int and bool filters convert them. Controller-side: the files named (certificates, CAs) are the
controller's.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import yaml

from ansible_collections.sinapum.chatwoot.plugins.filter.closest_name import closest_name
from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import COMPONENTS, PlanError, components_wanted

# The groups of checks, in the order their messages come (names: chatwoot_* variables the role does not know). The
# deploy asks for DEPLOY (its backup before an upgrade
# and the schedule it installs included); an adoption for the inputs, the secrets, mail and storage (its settings come
# from the stack it takes over); the Day-2 entry points for theirs (layout: where the backups, state and data are).
GROUPS = ('names', 'inputs', 'secrets', 'registry', 'proxy', 'services', 'mail', 'admin',
          'layout', 'backup', 'bundled_db', 'restore', 'logs', 'runner', 'remove')
DEPLOY = ('names', 'inputs', 'secrets', 'registry', 'proxy', 'services', 'mail', 'admin', 'layout', 'backup')

# What the checks read, by name: the role's variables and its facts about Chatwoot (vars/main.yml) they are held to.
INPUTS = (
    'chatwoot_version', 'chatwoot_allow_floating_tag', 'chatwoot_image_repository', 'chatwoot_postgres_image',
    'chatwoot_redis_image', 'chatwoot_image_registry', 'chatwoot_pull_policy', 'chatwoot_pull_retries',
    'chatwoot_pull_delay', 'chatwoot_project_dir', 'chatwoot_state_dir', 'chatwoot_project_name',
    'chatwoot_container_prefix', 'chatwoot_network_name', 'chatwoot_postgres_volume', 'chatwoot_redis_volume',
    'chatwoot_storage_volume', 'chatwoot_restart_policy', 'chatwoot_rails_port', 'chatwoot_postgres_port',
    'chatwoot_redis_port', 'chatwoot_rails_bind_address', 'chatwoot_postgres_bind_address',
    'chatwoot_redis_bind_address', 'chatwoot_rails_publish', 'chatwoot_postgres_publish', 'chatwoot_redis_publish',
    'chatwoot_frontend_url', 'chatwoot_force_ssl', 'chatwoot_enable_account_signup', 'chatwoot_postgres_user',
    'chatwoot_postgres_database', 'chatwoot_log_level', 'chatwoot_sidekiq_concurrency',
    'chatwoot_active_storage_service', 'chatwoot_extra_env', 'chatwoot_services_wait_timeout',
    'chatwoot_health_wait_timeout', 'chatwoot_health_heartbeat_threshold', 'chatwoot_failure_log_lines',
    'chatwoot_postgres_password_rotate', 'chatwoot_postgres_password', 'chatwoot_redis_password',
    'chatwoot_secret_key_base', 'chatwoot_active_record_encryption_primary_key',
    'chatwoot_active_record_encryption_deterministic_key', 'chatwoot_active_record_encryption_key_derivation_salt',
    'chatwoot_image_registry_username', 'chatwoot_image_registry_password', 'chatwoot_proxy_enabled',
    'chatwoot_proxy_image', 'chatwoot_proxy_hostname', 'chatwoot_proxy_tls', 'chatwoot_proxy_tls_certificate',
    'chatwoot_proxy_tls_key', 'chatwoot_proxy_acme_email', 'chatwoot_proxy_http_port', 'chatwoot_proxy_https_port',
    'chatwoot_components', 'chatwoot_external_postgres_host', 'chatwoot_external_postgres_port',
    'chatwoot_external_postgres_sslmode', 'chatwoot_external_postgres_ca_file', 'chatwoot_external_redis_ca_file',
    'chatwoot_external_redis_url', 'chatwoot_mail_warning', 'chatwoot_admin_email', 'chatwoot_admin_password',
    'chatwoot_admin_name', 'chatwoot_account_name', 'chatwoot_installation_config', 'chatwoot_platform_app',
    'chatwoot_rotate_tokens', 'chatwoot_backup_dir', 'chatwoot_backup_keep', 'chatwoot_backup_schedule',
    'chatwoot_backup_fetch', 'chatwoot_backup_fetch_dir', 'chatwoot_restore_backup', 'chatwoot_logs_service',
    'chatwoot_logs_lines', 'chatwoot_runner_code', 'chatwoot_remove_data', 'chatwoot_remove_data_confirm',
    'inventory_hostname', 'chatwoot_unknown_variables',
    '__chatwoot_variable_names', '__chatwoot_argument_specs_file', '__chatwoot_playbook_vars',
    '__chatwoot_floating_tags', '__chatwoot_ref_re', '__chatwoot_reserved_env', '__chatwoot_secret_specs',
    '__chatwoot_storage_needs', '__chatwoot_known_env', '__chatwoot_known_env_libraries',
    '__chatwoot_known_env_prefixes', '__chatwoot_installation_config_names', '__chatwoot_installation_config_booleans',
)

TAG_RE = r'^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z'
REPO_RE = r'^[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*\Z'
REGISTRY_RE = r'^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*/?\Z'
NAME_RE = r'^[A-Za-z0-9][A-Za-z0-9_.-]*\Z'
PATH_RE = r'^(/[A-Za-z0-9._-]+)+\Z'
IPV4_RE = r'^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z'
PG_IDENT_RE = r'^[a-z_][a-z0-9_]{0,62}\Z'
BOOL_RE = r'^(true|false|yes|no|on|off|1|0)\Z'
INT_RE = r'^[0-9]+\Z'
ENV_NAME_RE = r'^[A-Z_][A-Z0-9_]*\Z'
PROJECT_NAME_RE = r'^[a-z0-9][a-z0-9_-]*\Z'
SYSTEM_DIRS = ('/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/opt', '/proc', '/root', '/run', '/sbin', '/srv',
               '/sys', '/tmp', '/usr', '/var', '/var/lib')
# Where a backup, the state or data a Day-2 run deletes may not be.
DAY2_SYSTEM_DIRS = SYSTEM_DIRS + ('/var/backups', '/var/lib/docker', '/var/log', '/mnt', '/media')
SCHEDULE_RE = r'^[A-Za-z0-9 *:/.,~+_-]*\Z'
# A .env value is one line, and a C string cannot hold NUL.
LINE_BREAK_RE = r'[\n\r\x00]'
# FRONTEND_URL as Chatwoot uses it: links are FRONTEND_URL + "/app/...", the request's host is compared with
# URI.parse(FRONTEND_URL).host (app/controllers/concerns/domain_helper.rb), and Chatwoot answers at the root of its
# host. So scheme, host and port, nothing else: a path (even a lone /) breaks every link, a space makes URI.parse
# raise, user info has no place.
URL_RE = (r'^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?'
          r'(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*)(:[0-9]{1,5})?\Z')
HOSTNAME_RE = (r'^(?=.{1,253}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)'
               r'(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z')
HOST_RE = (r'^(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*'
           r'|\[?[0-9A-Fa-f:.]+\]?)\Z')
REDIS_URL_RE = r'^rediss?://([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[0-9]{1,2})?\Z'
PEM_BEGIN = '-----BEGIN CERTIFICATE-----'
# Chatwoot reads these as booleans (config/environments/production.rb, config/storage.yml).
MAIL_BOOL_RE = r'^(true|false|True|False|1|0)\Z'
MAIL_BOOLEANS = ('SMTP_ENABLE_STARTTLS_AUTO', 'SMTP_SSL', 'SMTP_TLS', 'STORAGE_FORCE_PATH_STYLE')
# ValidEmail2::Address#valid? (gem valid_email2 5.2.6, which AccountBuilder asks through
# Account::SignUpEmailValidationService) on a plain address, and devise's email_regexp: a dot-atom local part that
# neither starts nor ends with a dot; a domain with a dot, no "..", no "-.", not starting with "." or "-", none of
# + ! _ / ' ` or spaces.
EMAIL_RE = (r"^(?!\.)(?!.*\.\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+(?<!\.)@(?![.-])(?!.*\.\.)(?!.*-\.)"
            r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
# devise (config/initializers/devise.rb: password_length 6..128) and devise-secure_password as Chatwoot configures it
# (config/initializers/secure_password.rb): one upper-case letter, one lower-case, one digit, one special character
# of the gem's list, and no character outside those classes.
PW_SPECIAL = r'''[ !@#$%^&*()_+=\[\]{}|"/\\.,`<>:;?~'-]'''
PW_CHARS_RE = r'^([A-Za-z0-9]|' + PW_SPECIAL + r'){6,128}\Z'
ONE_LINE_RE = r'^[^\n\r\x00]{1,255}\Z'
SECRET_CONTROL_RE = r'[\x00-\x1f\x7f]'

_TRUE = ('true', 'yes', 'on', '1')


def _text(value):
    """Jinja's string filter."""
    return value if isinstance(value, str) else str(value)


def _cut(value, length):
    """Jinja's truncate(LENGTH): as it is if at most 5 characters longer, else cut at a word and ended with '...'."""
    text = _text(value)
    if len(text) <= length + 5:
        return text
    return text[:length - 3].rsplit(' ', 1)[0] + '...'


def _int(value):
    """Ansible's int filter: the number, or 0 for what is none."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return 0


def _true(value):
    """Ansible's bool filter on the values BOOL_RE allows."""
    return value is True or _text(value).lower() in _TRUE


def _match(pattern, value):
    return isinstance(value, str) and re.match(pattern, value) is not None


def _whole(value, low=None, high=None):
    """A whole number (as a number or its digits), within LOW..HIGH."""
    if not _match(INT_RE, _text(value)):
        return False
    number = int(_text(value))
    return (low is None or number >= low) and (high is None or number <= high)


def _flag(value):
    """true or false, in any of the spellings -e and YAML give."""
    return _match(BOOL_RE, _text(value).lower())


def _pem_file(path):
    """A readable file on the controller holding a PEM certificate."""
    if not isinstance(path, str) or not os.path.isfile(path):
        return False
    try:
        with open(path, 'r', encoding='utf-8', errors='replace') as handle:
            return PEM_BEGIN in handle.read()
    except OSError:
        return False


def _spec_options(path):
    """Every option of every entry point of the role's meta/argument_specs.yml."""
    try:
        with open(path, 'r', encoding='utf-8') as handle:
            specs = yaml.load(handle, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))['argument_specs']
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise PlanError('cannot read the argument specs in %s: %s' % (path, exc)) from exc
    return [name for entry in specs.values() for name in (entry.get('options') or {})]


class _Checks:
    """The checks of one run: each failed check adds (variable, what is allowed), each warning its words."""

    def __init__(self, values, groups):
        missing = [name for name in INPUTS if name not in values]
        if missing:
            raise PlanError('the values of %s are missing (input_checks reads every name of INPUTS)' % ', '.join(missing))
        self.v = values
        self.inputs_checked = 'inputs' in groups
        self.problems = []
        self.warnings = []
        self.components = components_wanted(values['chatwoot_components'])
        self.postgres_local = 'postgres' in self.components
        self.redis_local = 'redis' in self.components
        self.app = [name for name in self.components if name in ('rails', 'sidekiq')]

    def need(self, ok, var, msg):
        if not ok:
            self.problems.append((var, msg))

    def published_ports(self):
        v = self.v
        return ([_int(v['chatwoot_rails_port'])] if _true(v['chatwoot_rails_publish']) else []) \
            + ([_int(v['chatwoot_postgres_port'])] if _true(v['chatwoot_postgres_publish']) else []) \
            + ([_int(v['chatwoot_redis_port'])] if _true(v['chatwoot_redis_publish']) else [])

    def names(self):
        # A chatwoot_* variable the role does not know is most likely a typo (chatwoot_rails_prot: 3005), and Ansible
        # would deploy on the default as if it were not there. Every chatwoot_* variable the host sees, from the
        # inventory, the play or -e, is compared with the role's argument specs and the playbooks' own; group names
        # (chatwoot_database, ...) are not variables and never come up.
        v = self.v
        mode = v['chatwoot_unknown_variables']
        if mode not in ('refuse', 'warn'):
            self.need(False, 'chatwoot_unknown_variables', 'must be refuse or warn, got %s' % _cut(mode, 40))
            return
        known = set(_spec_options(v['__chatwoot_argument_specs_file'])) | set(v['__chatwoot_playbook_vars'])
        unknown = sorted(name for name in v['__chatwoot_variable_names'] if name not in known)
        if not unknown:
            return
        # Compared without the prefix every name shares, which would make any two names look alike.
        stems = [name[len('chatwoot_'):] if name.startswith('chatwoot_') else name for name in known]
        words = []
        for name in unknown:
            near = closest_name(name[len('chatwoot_'):], stems)
            words.append(name + (' (did you mean chatwoot_%s?)' % near if near else ''))
        if mode == 'refuse':
            self.need(False, ', '.join(words),
                      'not a variable of the sinapum.chatwoot.chatwoot role, so it would change nothing. Correct the name, '
                      'or set chatwoot_unknown_variables=warn if your playbook uses such names of its own. Nothing was '
                      'changed.')
        else:
            self.warnings.append('warning: %s: not a variable of the sinapum.chatwoot.chatwoot role, so it changes '
                                 'nothing.' % ', '.join(words))

    def _project_name(self):
        self.need(_match(PROJECT_NAME_RE, self.v['chatwoot_project_name']), 'chatwoot_project_name',
                  'must be a Compose project name (lower-case letters, digits, _ -), got %s'
                  % _cut(self.v['chatwoot_project_name'], 80))

    def _database_names(self):
        self.need(_match(PG_IDENT_RE, self.v['chatwoot_postgres_user'])
                  and _match(PG_IDENT_RE, self.v['chatwoot_postgres_database']),
                  'chatwoot_postgres_user, chatwoot_postgres_database',
                  'must be PostgreSQL names (lower-case letters, digits, _; at most 63)')

    def inputs(self):
        self._images()
        self._layout()
        self._ports()
        self._app()

    def _images(self):
        v, need = self.v, self.need
        version = v['chatwoot_version']
        need(_match(TAG_RE, version), 'chatwoot_version',
             'must be an image tag such as v4.15.1 (letters, digits, _ . -), got %s' % _cut(version, 80))
        need(_true(v['chatwoot_allow_floating_tag']) or _text(version).lower() not in v['__chatwoot_floating_tags'],
             'chatwoot_version',
             "'%s' moves under you: pin a release such as v4.15.1, or set chatwoot_allow_floating_tag=true to accept "
             "it on purpose" % _text(version))
        # Chatwoot 4's database needs the vector extension (pgvector), which the role checks the Postgres image and
        # an external server for, and the health check requires; Chatwoot 3 has neither that schema nor these
        # healthchecks. A tag that names no version (latest, a build of your own) counts as the newest.
        number = re.match(r'v?([0-9]+(\.[0-9]+){0,2})', _text(version))
        need(number is None or [int(part) for part in number.group(1).split('.')] >= [4], 'chatwoot_version',
             "%s is older than Chatwoot 4.0, which this collection does not deploy: its Postgres checks, schema (with "
             "the pgvector extension) and healthchecks are Chatwoot 4's. Choose a 4.x release such as v4.15.1"
             % _cut(version, 40))
        need(_flag(v['chatwoot_allow_floating_tag']), 'chatwoot_allow_floating_tag', 'must be true or false')
        need(_match(REPO_RE, v['chatwoot_image_repository']), 'chatwoot_image_repository',
             'must be a repository name without tag, such as chatwoot/chatwoot, got %s'
             % _cut(v['chatwoot_image_repository'], 80))
        for var, example in (('chatwoot_postgres_image', 'pgvector/pgvector:pg16'), ('chatwoot_redis_image', 'redis:7-alpine')):
            need(_match(v['__chatwoot_ref_re'], v[var]), var,
                 'must be an image reference such as %s, got %s' % (example, _cut(v[var], 80)))
        registry = v['chatwoot_image_registry']
        need(registry == '' or _match(REGISTRY_RE, registry), 'chatwoot_image_registry',
             'must be empty or a registry host[:port][/path] such as registry.internal:5000, got %s' % _cut(registry, 80))
        need(v['chatwoot_pull_policy'] in ('missing', 'always'), 'chatwoot_pull_policy',
             'must be missing or always, got %s' % _text(v['chatwoot_pull_policy']))
        need(_whole(v['chatwoot_pull_retries'], 1), 'chatwoot_pull_retries', 'must be a whole number of at least 1')
        need(_whole(v['chatwoot_pull_delay']), 'chatwoot_pull_delay',
             'must be a whole number of seconds (0 or more), got %s' % _cut(v['chatwoot_pull_delay'], 40))

    def _layout(self):
        v, need = self.v, self.need
        project, state = v['chatwoot_project_dir'], v['chatwoot_state_dir']
        need(_match(PATH_RE, project) and '/..' not in project and '/./' not in project + '/' and project not in SYSTEM_DIRS,
             'chatwoot_project_dir',
             'must be an absolute path of its own (letters, digits, . _ -), not a system directory, got %s'
             % _cut(project, 80))
        need(_match(PATH_RE, state) and '/..' not in state and state not in SYSTEM_DIRS and state != project,
             'chatwoot_state_dir',
             'must be an absolute path of its own, different from chatwoot_project_dir, got %s' % _cut(state, 80))
        self._project_name()
        need(_match(NAME_RE, v['chatwoot_container_prefix']), 'chatwoot_container_prefix',
             'must be a container name prefix (letters, digits, _ . -), got %s' % _cut(v['chatwoot_container_prefix'], 80))
        need(_match(NAME_RE, v['chatwoot_network_name']), 'chatwoot_network_name',
             'must be a Docker network name, got %s' % _cut(v['chatwoot_network_name'], 80))
        volumes = [v['chatwoot_postgres_volume'], v['chatwoot_redis_volume'], v['chatwoot_storage_volume']]
        need(all(_match(NAME_RE, volume) for volume in volumes) and len(set(volumes)) == 3,
             'chatwoot_postgres_volume, chatwoot_redis_volume, chatwoot_storage_volume',
             'must be three different Docker volume names (letters, digits, _ . -)')
        need(v['chatwoot_restart_policy'] in ('always', 'unless-stopped', 'on-failure', 'no'), 'chatwoot_restart_policy',
             'must be always, unless-stopped, on-failure or no, got %s' % _text(v['chatwoot_restart_policy']))

    def _ports(self):
        v, need = self.v, self.need
        ports = [v['chatwoot_rails_port'], v['chatwoot_postgres_port'], v['chatwoot_redis_port']]
        need(all(_whole(port, 1, 65535) for port in ports), 'chatwoot_rails_port, chatwoot_postgres_port, chatwoot_redis_port',
             'must be whole numbers from 1 to 65535, got %s' % _text(ports))
        published = self.published_ports()
        need(len(set(published)) == len(published), 'chatwoot_rails_port, chatwoot_postgres_port, chatwoot_redis_port',
             'published ports must differ from each other, got %s' % _text(published))
        need(all(_match(IPV4_RE, v[var]) for var in ('chatwoot_rails_bind_address', 'chatwoot_postgres_bind_address',
                                                     'chatwoot_redis_bind_address')),
             'chatwoot_rails_bind_address, chatwoot_postgres_bind_address, chatwoot_redis_bind_address',
             'must be IPv4 addresses such as 127.0.0.1 (loopback only) or 0.0.0.0 (every interface)')
        need(all(_flag(v[var]) for var in ('chatwoot_rails_publish', 'chatwoot_postgres_publish', 'chatwoot_redis_publish')),
             'chatwoot_rails_publish, chatwoot_postgres_publish, chatwoot_redis_publish', 'must be true or false')

    def _url_problems(self, url):
        """Why chatwoot_frontend_url is not scheme, host and port only, in the words its message lists."""
        port = re.search(r'^[^/]*//[^/?#]*:([0-9]{1,5})\Z', url)
        return [words for bad, words in (
            (re.search(r'[\s\x00-\x1f\x7f]', url), 'it has spaces or control characters'),
            (not re.match(r'^https?://', url), 'its scheme is not http or https'),
            (re.match(r'^[^/]*//([^/?#]*@)?(:|/|[?]|#|$)', url), 'it names no host'),
            (re.search(r'^[^/]*//[^/?#]*@', url), 'it has a user or password (user@host)'),
            (re.search(r'^[^/]*//[^/?#]*[/?#]', url),
             'it has a path, query or fragment (Chatwoot answers at the root of its host: no trailing / either)'),
            (port is not None and not 1 <= int(port.group(1)) <= 65535, 'its port is not from 1 to 65535'),
        ) if bad]

    def _app(self):
        v, need = self.v, self.need
        url = _text(v['chatwoot_frontend_url'])
        problems = self._url_problems(url)
        need(_match(URL_RE, v['chatwoot_frontend_url']) and not problems, 'chatwoot_frontend_url',
             "must be the public URL of Chatwoot, http(s)://host[:port] and nothing more, such as "
             "https://chat.example.com, got '%s'%s" % (_cut(url, 80), (': ' + ', '.join(problems)) if problems else ''))
        need(_flag(v['chatwoot_force_ssl']) and _flag(v['chatwoot_enable_account_signup']),
             'chatwoot_force_ssl, chatwoot_enable_account_signup', 'must be true or false')
        need(not _true(v['chatwoot_force_ssl']) or url.startswith('https://'), 'chatwoot_force_ssl',
             'is true, so chatwoot_frontend_url must start with https://')
        self._database_names()
        need(v['chatwoot_log_level'] in ('debug', 'info', 'warn', 'error', 'fatal'), 'chatwoot_log_level',
             'must be debug, info, warn, error or fatal, got %s' % _text(v['chatwoot_log_level']))
        need(_whole(v['chatwoot_sidekiq_concurrency'], 1, 100), 'chatwoot_sidekiq_concurrency',
             'must be a whole number from 1 to 100')
        need(v['chatwoot_active_storage_service'] in ('local', 'amazon', 'google', 'microsoft', 's3_compatible'),
             'chatwoot_active_storage_service',
             'must be local, amazon, google, microsoft or s3_compatible, got %s' % _text(v['chatwoot_active_storage_service']))
        env, reserved = v['chatwoot_extra_env'], v['__chatwoot_reserved_env']
        need(isinstance(env, dict)
             and all(_match(ENV_NAME_RE, name) and name not in reserved for name in env)
             and all(isinstance(value, (str, int, float)) for value in env.values())
             and not any(re.search(LINE_BREAK_RE, _text(value)) for value in env.values()),
             'chatwoot_extra_env',
             'must be a dictionary of NAME: value with upper-case names not set by the role itself (%s), and '
             'single-line values (strings, numbers or booleans; no line break or NUL: a variable holds one line). '
             'Quotes, $, \\, # and spaces are fine: they reach Chatwoot as given' % ', '.join(reserved))
        need(all(_whole(v[var], 1) for var in ('chatwoot_services_wait_timeout', 'chatwoot_health_wait_timeout',
                                               'chatwoot_health_heartbeat_threshold')),
             'chatwoot_services_wait_timeout, chatwoot_health_wait_timeout, chatwoot_health_heartbeat_threshold',
             'must be whole numbers of seconds above 0')
        need(_whole(v['chatwoot_failure_log_lines'], 1), 'chatwoot_failure_log_lines',
             'must be a whole number of at least 1 (log lines shown per service on failure), got %s'
             % _cut(v['chatwoot_failure_log_lines'], 40))
        rotate = v['chatwoot_postgres_password_rotate']
        need(_flag(rotate), 'chatwoot_postgres_password_rotate', 'must be true or false')
        need(not _true(rotate) or _text(v['chatwoot_postgres_password']) != '',
             'chatwoot_postgres_password_rotate',
             'is true, so chatwoot_postgres_password must be the new password (the run sets it in Postgres, then in .env)')

    def secrets(self):
        # An imposed secret is often one a running server already has (adopting an install, a managed Redis): not the
        # operator's to choose. So any printable text of any length is taken (Chatwoot reads SECRET_KEY_BASE and the
        # ACTIVE_RECORD_ENCRYPTION keys from its environment as they are, and the passwords through URLs: env.j2),
        # and a weak one is only warned about. A line break, a tab or a NUL cannot be: .env holds one line, and C
        # strings end at NUL.
        bad, weak = [], []
        for name, spec in self.v['__chatwoot_secret_specs'].items():
            value = self.v[spec['var']]
            if not (value == '' or (isinstance(value, str) and not re.search(SECRET_CONTROL_RE, value))):
                bad.append(spec['var'])
            elif value != '' and (len(value) < (32 if name == 'secret_key_base' else 16) or len(set(value)) < 8):
                weak.append(spec['var'])
        self.need(not bad, ', '.join(bad),
                  'leave it empty to have a secret generated on the host, or give it as text (quoted in YAML, so that '
                  'it is not read as a number) on one line: any printable characters, quotes, $, \\, # and spaces '
                  'included, but no line break, tab or other control character')
        if weak:
            self.warnings.append(
                'warning: %s %s weak (shorter than 16 characters, 32 for chatwoot_secret_key_base, or fewer than 8 '
                'different ones). Used as given; change it where it is used when you can (for Postgres with '
                'chatwoot_postgres_password_rotate).' % (', '.join(weak), 'is' if len(weak) == 1 else 'are'))

    def registry(self):
        v = self.v
        user, password, registry = (v['chatwoot_image_registry_username'], v['chatwoot_image_registry_password'],
                                    v['chatwoot_image_registry'])
        self.need(isinstance(user, str) and isinstance(password, str) and (user != '') == (password != '')
                  and (user == '' or _text(registry) != '') and not re.search(r'[\s:]', user),
                  'chatwoot_image_registry_username, chatwoot_image_registry_password',
                  "give both (a user name without spaces or colons, and its password, from ansible-vault) or neither; "
                  "they log in to chatwoot_image_registry, which must then be set too (now '%s')" % _cut(registry, 80))

    def proxy(self):
        # FRONTEND_URL is what Chatwoot puts in links, mail and CSRF checks, so it must be the proxy's address.
        v, need = self.v, self.need
        if not _true(v['chatwoot_proxy_enabled']):
            return
        tls = _text(v['chatwoot_proxy_tls'])
        scheme = 'http' if tls == 'none' else 'https'
        port = v['chatwoot_proxy_http_port'] if tls == 'none' else v['chatwoot_proxy_https_port']
        http, https = v['chatwoot_proxy_http_port'], v['chatwoot_proxy_https_port']
        ports_ok = all(_match(r'^[0-9]+\Z', _text(p)) and 1 <= int(_text(p)) <= 65535 for p in (http, https))
        others = self.published_ports()
        need(_match(v['__chatwoot_ref_re'], v['chatwoot_proxy_image']), 'chatwoot_proxy_image',
             'must be an image reference such as caddy:2.10, got %s' % _cut(v['chatwoot_proxy_image'], 80))
        need(_match(HOSTNAME_RE, v['chatwoot_proxy_hostname']), 'chatwoot_proxy_hostname',
             "must be the public host name the proxy answers for, such as chat.example.com, got '%s'"
             % _cut(v['chatwoot_proxy_hostname'], 80))
        need(tls in ('files', 'acme', 'none'), 'chatwoot_proxy_tls',
             'must be files (chatwoot_proxy_tls_certificate + _key), acme (Caddy obtains one) or none, got %s' % _cut(tls, 40))
        certificate, key = v['chatwoot_proxy_tls_certificate'], v['chatwoot_proxy_tls_key']
        need(tls != 'files' or all(isinstance(path, str) and path != '' and os.path.isfile(path) for path in (certificate, key)),
             'chatwoot_proxy_tls_certificate, chatwoot_proxy_tls_key',
             "with chatwoot_proxy_tls=files both must name readable files on the controller (PEM certificate chain and "
             "key), got '%s' and '%s'" % (_cut(certificate, 80), _cut(key, 80)))
        need(tls != 'acme' or _match(r'^[^@\s]+@[^@\s]+\.[^@\s]+\Z', _text(v['chatwoot_proxy_acme_email'])),
             'chatwoot_proxy_acme_email',
             'with chatwoot_proxy_tls=acme the certificate authority needs a contact address, such as ops@example.com')
        need(ports_ok and _int(http) != _int(https), 'chatwoot_proxy_http_port, chatwoot_proxy_https_port',
             'must be two different ports from 1 to 65535, got %s and %s' % (_text(http), _text(https)))
        need(not ports_ok or not {_int(http), _int(https)} & set(others),
             'chatwoot_proxy_http_port, chatwoot_proxy_https_port',
             'clash with a port already published by this project: %s' % ', '.join(str(p) for p in others))
        need(tls != 'acme' or (_int(http) == 80 and _int(https) == 443), 'chatwoot_proxy_http_port, chatwoot_proxy_https_port',
             'with chatwoot_proxy_tls=acme the certificate authority reaches the host on ports 80 and 443 only')
        url = urlsplit(_text(v['chatwoot_frontend_url']))
        try:
            url_port = url.port or (443 if url.scheme == 'https' else 80)
        except ValueError:
            url_port = None
        hostname = _text(v['chatwoot_proxy_hostname'])
        need(url.scheme == scheme and url.hostname == hostname.lower() and url_port == _int(port), 'chatwoot_frontend_url',
             "must be the proxy's address, %s://%s%s, got %s: Chatwoot builds links, mail and websocket addresses from it"
             % (scheme, hostname, '' if _int(port) in (80, 443) else ':%s' % _text(port),
                _cut(v['chatwoot_frontend_url'], 80)))
        need(tls != 'none' or not _true(v['chatwoot_force_ssl']), 'chatwoot_force_ssl',
             'is true while chatwoot_proxy_tls=none: the proxy would forward plain HTTP and Rails would redirect every '
             'request. Terminate TLS in the proxy (files or acme), or set chatwoot_force_ssl=false')

    def _must_share(self):
        """What another host must hold the same value of: set in the inventory (from vault), since each host would
        otherwise generate its own. Postgres' and Redis' passwords are shared unless this host runs them and every user
        of them; the application keys unless web and worker run together here."""
        both = len(self.app) == 2
        return ([] if self.postgres_local and both else ['chatwoot_postgres_password']) \
            + ([] if self.redis_local and both else ['chatwoot_redis_password']) \
            + (['chatwoot_secret_key_base', 'chatwoot_active_record_encryption_primary_key',
                'chatwoot_active_record_encryption_deterministic_key',
                'chatwoot_active_record_encryption_key_derivation_salt'] if len(self.app) == 1 else [])

    def services(self):
        v, need = self.v, self.need
        given = v['chatwoot_components']
        given = given if isinstance(given, (list, tuple)) else []
        need(given and all(_text(name) in COMPONENTS for name in given)
             and len(given) == len({_text(name) for name in given}), 'chatwoot_components',
             'must list the services this host runs, some of postgres, redis, rails, sidekiq (or leave it to the '
             'inventory groups chatwoot_database, chatwoot_web and chatwoot_worker), got %s'
             % _cut(v['chatwoot_components'], 80))
        need(not _true(v['chatwoot_proxy_enabled']) or 'rails' in self.components, 'chatwoot_proxy_enabled',
             'the proxy stands in front of web, so it runs only on a host that runs rails')
        need(self.postgres_local or _match(HOST_RE, v['chatwoot_external_postgres_host']), 'chatwoot_external_postgres_host',
             "this host does not run postgres, so it needs the address of the Postgres it uses (a host name or IP "
             "address), got '%s'" % _cut(v['chatwoot_external_postgres_host'], 80))
        need(self.postgres_local or (_match(r'^[0-9]{1,5}\Z', _text(v['chatwoot_external_postgres_port']))
                                     and 1 <= _int(v['chatwoot_external_postgres_port']) <= 65535),
             'chatwoot_external_postgres_port',
             'must be a port from 1 to 65535, got %s' % _cut(v['chatwoot_external_postgres_port'], 40))
        sslmode = v['chatwoot_external_postgres_sslmode']
        need(sslmode in ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'),
             'chatwoot_external_postgres_sslmode',
             "must be one of libpq's modes disable, allow, prefer, require, verify-ca, verify-full, got %s" % _cut(sslmode, 40))
        for var in ('chatwoot_external_postgres_ca_file', 'chatwoot_external_redis_ca_file'):
            need(v[var] == '' or _pem_file(v[var]), var,
                 "must be empty or name a PEM file of CA certificates on the controller, got '%s'" % _cut(v[var], 80))
        need(self.postgres_local or sslmode not in ('verify-ca', 'verify-full')
             or _text(v['chatwoot_external_postgres_ca_file']) != '', 'chatwoot_external_postgres_ca_file',
             "chatwoot_external_postgres_sslmode=%s verifies the server's certificate, and libpq needs the CA that "
             "signed it: set chatwoot_external_postgres_ca_file to its PEM file on the controller (the image has no "
             "~/.postgresql/root.crt, so without one web never gets past its wait for Postgres)" % _text(sslmode))
        redis_url = v['chatwoot_external_redis_url']
        need(self.redis_local or _match(REDIS_URL_RE, redis_url), 'chatwoot_external_redis_url',
             "this host does not run redis, so it needs the URL of the Redis it uses: redis://host:port/db, or "
             "rediss:// for TLS, with the password in chatwoot_redis_password and not in the URL, got '%s'"
             % _cut(re.sub(r'//[^@/]*@', '//(hidden)@', _text(redis_url)), 80))
        unset = [var for var in self._must_share() if _text(v[var]) == '']
        need(not unset, ', '.join(unset),
             'this host runs %s, and shares these secrets with the hosts that run the rest: set them to the same values '
             'for all of them (from ansible-vault), or each host would generate its own' % ', '.join(self.components))
        if len(self.app) == 1 and v['chatwoot_active_storage_service'] == 'local':
            self.warnings.append(
                'warning: chatwoot_active_storage_service=local keeps uploads in a volume of this host, which runs only '
                '%s: web and worker on different hosts must share them through a cloud store (amazon, google, '
                'microsoft or s3_compatible), or attachments the one saves the other cannot read.' % self.app[0])

    def mail(self):
        # Mail and file storage are set through chatwoot_extra_env, under Chatwoot's own names: what a setting needs
        # is checked here, so a missing bucket or a port that is not a number is named now rather than in a stack
        # trace from the worker when the first mail or upload happens.
        v, need = self.v, self.need
        env = v['chatwoot_extra_env'] if isinstance(v['chatwoot_extra_env'], dict) else {}
        given = [name for name, value in env.items() if value != '']
        service = v['chatwoot_active_storage_service']
        missing = [name for name in v['__chatwoot_storage_needs'].get(_text(service), []) if name not in given]
        need(not missing, 'chatwoot_extra_env',
             "chatwoot_active_storage_service=%s needs %s (Chatwoot's config/storage.yml reads them)"
             % (_text(service), ', '.join(missing)))
        need('SMTP_PORT' not in env or (_match(r'^[0-9]{1,5}\Z', _text(env['SMTP_PORT']))
                                        and 1 <= _int(env['SMTP_PORT']) <= 65535),
             'chatwoot_extra_env.SMTP_PORT', 'must be a port from 1 to 65535, got %s' % _cut(env.get('SMTP_PORT', ''), 40))
        need(_text(env.get('SMTP_AUTHENTICATION', 'plain')) in ('plain', 'login', 'cram_md5'),
             'chatwoot_extra_env.SMTP_AUTHENTICATION',
             'must be plain, login or cram_md5, got %s' % _cut(env.get('SMTP_AUTHENTICATION', ''), 40))
        need(_text(env.get('SMTP_OPENSSL_VERIFY_MODE', 'peer')) in ('none', 'peer', 'client_once', 'fail_if_no_peer_cert'),
             'chatwoot_extra_env.SMTP_OPENSSL_VERIFY_MODE', 'must be none, peer, client_once or fail_if_no_peer_cert')
        need(all(_match(MAIL_BOOL_RE, _text(env[name])) for name in MAIL_BOOLEANS if name in env), 'chatwoot_extra_env',
             'SMTP_ENABLE_STARTTLS_AUTO, SMTP_SSL, SMTP_TLS and STORAGE_FORCE_PATH_STYLE must be true or false')
        need(('SMTP_USERNAME' in given) == ('SMTP_PASSWORD' in given), 'chatwoot_extra_env',
             'SMTP_USERNAME and SMTP_PASSWORD go together (give both or neither)')
        need('SMTP_USERNAME' not in given or 'SMTP_ADDRESS' in given, 'chatwoot_extra_env',
             'SMTP_USERNAME is set but SMTP_ADDRESS, the server it logs in to, is not')
        need('MAILER_SENDER_EMAIL' not in env or _match(
            r'^([^<>]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)\Z', _text(env['MAILER_SENDER_EMAIL'])),
            'chatwoot_extra_env.MAILER_SENDER_EMAIL',
            "must be an address, or a name and an address such as 'Support <support@example.com>', got %s"
            % _cut(env.get('MAILER_SENDER_EMAIL', ''), 80))
        need('STORAGE_ENDPOINT' not in given or _match(r'^https?://[^\s/]+', _text(env['STORAGE_ENDPOINT'])),
             'chatwoot_extra_env.STORAGE_ENDPOINT', "must be the service's http(s):// URL")
        need('GCS_CREDENTIALS' not in given or isinstance(env['GCS_CREDENTIALS'], dict)
             or _text(env['GCS_CREDENTIALS']).strip().startswith('{'), 'chatwoot_extra_env.GCS_CREDENTIALS',
             "must be the service account's JSON key itself (its content, not a path)")
        if _true(v['chatwoot_mail_warning']) and _text(env.get('SMTP_ADDRESS', '')) == '':
            self.warnings.append(
                'warning: chatwoot_extra_env has no SMTP_ADDRESS, so Chatwoot will hand mail to a sendmail the image '
                'does not have: invitations, password resets and notifications will not leave. Set SMTP_ADDRESS (and '
                'SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, MAILER_SENDER_EMAIL) to send mail.')
        # Only named: nothing is refused on them (they reach .env as given).
        known = set(v['__chatwoot_known_env']) | set(v['__chatwoot_known_env_libraries'])
        prefixes = '^(' + '|'.join(v['__chatwoot_known_env_prefixes']) + ')'
        unknown = [name for name in env if name not in known and not _match(prefixes, name)]
        if unknown:
            self.warnings.append('warning: chatwoot_extra_env sets %s, which Chatwoot does not read (a typo?). They are '
                                 'written to .env all the same.' % ', '.join(_text(name) for name in unknown))

    def admin(self):
        # The administrator, the settings and the token for automation are checked with the rules Chatwoot itself
        # applies (see tasks/admin.yml), so a value Chatwoot would refuse stops the run before anything changes.
        v, need = self.v, self.need
        email, password = v['chatwoot_admin_email'], v['chatwoot_admin_password']
        need(isinstance(email, str) and (email == '' or _match(EMAIL_RE, email)), 'chatwoot_admin_email',
             "must be empty or an address Chatwoot accepts for its first administrator: local@domain with a dot in the "
             "domain (a@localhost is refused), no '..', no leading or trailing dot, no spaces, got %s" % _cut(email, 80))
        need(isinstance(password, str) and (password == '' or (
            _match(PW_CHARS_RE, password) and all(re.search(rule, password) for rule in ('[A-Z]', '[a-z]', '[0-9]', PW_SPECIAL)))),
            'chatwoot_admin_password',
            "breaks Chatwoot's password rules (value not shown): leave it empty to have one generated, or give 6 to 128 "
            "characters with at least one upper-case letter, one lower-case letter, one digit and one special "
            "character of  !@#$%^&*()_+-=[]{}|\"/\\.,`<>:;?~'  and no other character (no accents, no line breaks)")
        need(all(_match(ONE_LINE_RE, v[var]) and not _match(r'^\s*\Z', v[var]) for var in ('chatwoot_admin_name', 'chatwoot_account_name')),
             'chatwoot_admin_name, chatwoot_account_name', 'must be names of one line, 1 to 255 characters')
        config = v['chatwoot_installation_config']
        settings = config if isinstance(config, dict) else {}
        names, booleans = v['__chatwoot_installation_config_names'], v['__chatwoot_installation_config_booleans']
        unknown = sorted({_text(name) for name in settings if name not in names})
        need(isinstance(config, dict) and not unknown, 'chatwoot_installation_config',
             'must be a dictionary of installation settings Chatwoot %s knows (its config/installation_config.yml, e.g. '
             'INSTALLATION_NAME, BRAND_NAME, ENABLE_ACCOUNT_SIGNUP); unknown: %s'
             % (_text(v['chatwoot_version']), ', '.join(unknown) if isinstance(config, dict) else 'not a dictionary'))
        need(all(isinstance(value, bool) or _flag(value) for name, value in settings.items() if name in booleans),
             'chatwoot_installation_config',
             '%s: Chatwoot types these boolean, so their values must be true or false'
             % ', '.join(name for name in booleans if name in settings))
        need(all(_flag(v[var]) for var in ('chatwoot_enable_account_signup', 'chatwoot_platform_app', 'chatwoot_rotate_tokens')),
             'chatwoot_enable_account_signup, chatwoot_platform_app, chatwoot_rotate_tokens', 'must be true or false')
        need(_text(email) != '' or not _true(v['chatwoot_proxy_enabled']), 'chatwoot_admin_email',
             'is needed with chatwoot_proxy_enabled: the proxy publishes web beyond this host, and without an '
             "administrator Chatwoot's onboarding page would make whoever reaches it first SuperAdmin")

    # The Day-2 entry points' checks (backup, restore, logs, runner, remove).

    def _backs_up(self):
        return self.postgres_local and bool(self.app)

    def _bundled_db_words(self):
        return ("a backup is of the bundled Postgres and the uploads volume beside it, so it is made where postgres runs "
                "with web or worker, and %s runs %s: back up a split deployment's database and an external Postgres "
                "with their own tools (pg_dump), and keep uploads in a cloud store"
                % (_text(self.v['inventory_hostname']), ', '.join(self.components)))

    def layout(self):
        v, need = self.v, self.need
        backups, project, state = v['chatwoot_backup_dir'], _text(v['chatwoot_project_dir']), v['chatwoot_state_dir']
        around = [(a + '/').startswith(b + '/') for a, b in ((_text(backups), project), (_text(backups), _text(state)))]
        around += [(b + '/').startswith(a + '/') for a, b in ((_text(backups), project), (_text(backups), _text(state)))]
        need(_match(PATH_RE, backups) and '/..' not in backups and '/./' not in backups + '/'
             and backups not in DAY2_SYSTEM_DIRS and not any(around), 'chatwoot_backup_dir',
             'must be an absolute path of its own (letters, digits, . _ -), not a system directory and neither inside nor '
             'around chatwoot_project_dir or chatwoot_state_dir, got %s' % _cut(backups, 80))
        # The rest, where the deploy's own checks (inputs) have not said it already: the state directory again only
        # for the system directories a Day-2 run stays out of.
        if self.inputs_checked and any(var == 'chatwoot_state_dir' for var, _msg in self.problems):
            return
        need(_match(PATH_RE, state) and '/..' not in state and '/./' not in state + '/' and state not in DAY2_SYSTEM_DIRS,
             'chatwoot_state_dir', 'must be an absolute path of its own (no . or .. in it), got %s' % _cut(state, 80))
        if self.inputs_checked:
            return
        self._project_name()
        need(_match(NAME_RE, v['chatwoot_container_prefix']) and _match(NAME_RE, v['chatwoot_storage_volume']),
             'chatwoot_container_prefix, chatwoot_storage_volume',
             'must be a container name prefix and a volume name (letters, digits, _ . -)')
        self._database_names()

    def backup(self):
        v, need = self.v, self.need
        need(_whole(v['chatwoot_backup_keep'], 1), 'chatwoot_backup_keep',
             'must be a whole number of at least 1 (how many backups are kept), got %s' % _cut(v['chatwoot_backup_keep'], 40))
        schedule = v['chatwoot_backup_schedule']
        need(_match(SCHEDULE_RE, schedule), 'chatwoot_backup_schedule',
             "must be empty (no schedule) or a systemd OnCalendar spec such as daily or '*-*-* 03:30:00', got %s"
             % _cut(schedule, 80))
        need(_text(schedule) == '' or self._backs_up(), 'chatwoot_backup_schedule', self._bundled_db_words())
        need(_flag(v['chatwoot_backup_fetch']), 'chatwoot_backup_fetch', 'must be true or false')
        fetch_dir = v['chatwoot_backup_fetch_dir']
        need(isinstance(fetch_dir, str) and fetch_dir.strip() != '' and not re.search(LINE_BREAK_RE, fetch_dir),
             'chatwoot_backup_fetch_dir',
             'must be a directory on the controller (backups go to <it>/<inventory_hostname>/<timestamp>/)')

    def bundled_db(self):
        self.need(self._backs_up(), 'chatwoot_components', self._bundled_db_words())

    def restore(self):
        name = self.v['chatwoot_restore_backup']
        self.need(_match(NAME_RE, name) and not re.match(r'^\.+$', name), 'chatwoot_restore_backup',
                  'must be latest or the name of a directory in %s (such as 20260101T030000Z), got %s'
                  % (_text(self.v['chatwoot_backup_dir']), _cut(name, 80)))

    def logs(self):
        v, need = self.v, self.need
        services = self.components + (['proxy'] if _true(v['chatwoot_proxy_enabled']) else [])
        need(v['chatwoot_logs_service'] in services, 'chatwoot_logs_service',
             'must be one of %s, got %s' % (', '.join(services), _cut(v['chatwoot_logs_service'], 40)))
        need(_whole(v['chatwoot_logs_lines'], 1, 100000), 'chatwoot_logs_lines',
             'must be a whole number from 1 to 100000, got %s' % _cut(v['chatwoot_logs_lines'], 40))

    def runner(self):
        v, need = self.v, self.need
        need(isinstance(v['chatwoot_runner_code'], str) and v['chatwoot_runner_code'].strip() != '', 'chatwoot_runner_code',
             "must be the Ruby code rails runner runs in the web container, such as "
             "-e '{\"chatwoot_runner_code\": \"puts Account.count\"}' (make runner CODE='puts Account.count')")
        need('rails' in self.components, 'chatwoot_components',
             'rails runner runs in the web container, and %s runs %s: limit the run to a web host (-l)'
             % (_text(v['inventory_hostname']), ', '.join(self.components)))

    def remove(self):
        v, need = self.v, self.need
        data, confirm, name = v['chatwoot_remove_data'], v['chatwoot_remove_data_confirm'], v['chatwoot_project_name']
        need(_flag(data), 'chatwoot_remove_data', 'must be true or false')
        need((_flag(data) and _true(data)) == (_text(confirm) != '') and (not _true(data) or confirm == name),
             'chatwoot_remove_data, chatwoot_remove_data_confirm',
             "deleting the data of project %s on %s (its volumes, the project directory's .env, the secrets in %s and the "
             "backups in %s) needs both chatwoot_remove_data=true and chatwoot_remove_data_confirm=%s; got "
             "chatwoot_remove_data=%s and chatwoot_remove_data_confirm='%s'. Set neither to remove only the containers "
             "and keep the data. Nothing was changed."
             % (_text(name), _text(v['inventory_hostname']), _text(v['chatwoot_state_dir']), _text(v['chatwoot_backup_dir']),
                _text(name), _text(data), _cut(confirm, 40)))
        project = v['chatwoot_project_dir']
        need(_match(PATH_RE, project) and '/..' not in project and project not in DAY2_SYSTEM_DIRS, 'chatwoot_project_dir',
             'must be an absolute path of its own, not a system directory, got %s' % _cut(project, 80))
        need(all(_match(NAME_RE, v[var]) for var in ('chatwoot_postgres_volume', 'chatwoot_redis_volume', 'chatwoot_storage_volume')),
             'chatwoot_postgres_volume, chatwoot_redis_volume, chatwoot_storage_volume',
             'must be Docker volume names (letters, digits, _ . -)')


def input_checks(values, groups=None):
    """Check VALUES (the role's INPUTS by name) with the GROUPS of checks (None: a deploy's). Returns problems, one
    'variable: what is allowed' line per failed check in GROUPS order (none: the inputs are good; a line two groups
    give comes once), and warnings, one line each."""
    if not isinstance(values, dict):
        raise PlanError('the values must be a dict of the INPUTS by name, got %s' % type(values).__name__)
    groups = DEPLOY if groups is None else groups
    if isinstance(groups, str) or not isinstance(groups, (list, tuple)) or [group for group in groups if group not in GROUPS]:
        raise PlanError('the groups must be a list of some of %s, got %r' % (', '.join(GROUPS), groups))
    checks = _Checks(values, groups)
    for group in GROUPS:
        if group in groups:
            getattr(checks, group)()
    problems = []
    for line in ('%s: %s' % problem for problem in checks.problems):
        if line not in problems:
            problems.append(line)
    return {'problems': problems, 'warnings': checks.warnings}
