# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a deploy would take that is not its own (chatwoot_host_info's ``survey``), changing nothing.

Private to the sinapum.chatwoot collection: no API promise.
The containers holding the names the role gives its own (and those an interrupted adoption moved aside), and the files
at the paths it writes that it did not write. With adoption asked, also what the running stack is made of (its
containers' environment, mounts, networks, ports, its version from ``/api``) and its env file, read the way Compose
reads it: secrets included, so only a task with no_log may ask for it.
The engine is reached through callables (the module binds them to the Docker socket), so that every rule here is
unit-tested on Docker's inspect data alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

try:
    from urllib.parse import unquote, urlsplit
except ImportError:  # pragma: no cover
    unquote = urlsplit = None

from ansible_collections.sinapum.chatwoot.plugins.module_utils._env_file import parse_env

MOVED = '-before-adoption'
# Where the role mounts each service's data (the paths Chatwoot's own compose file uses).
DATA_PATHS = {'postgres': '/var/lib/postgresql/data', 'redis': '/data', 'rails': '/app/storage',
              'sidekiq': '/app/storage'}
# Set by Docker or the image for every container, never by the operator.
RUNTIME_ENV = frozenset(['PATH', 'HOSTNAME', 'HOME', 'TERM'])


def empty_survey():
    """The survey's shape when it was not asked, or no engine answers."""
    return {'asked': False, 'engine': False, 'mine': [], 'foreign': {}, 'moved': {}, 'files': {}, 'env_file': {}}


def env_dict(entries):
    return dict(e.split('=', 1) for e in entries or [] if '=' in e)


def looks_at_files(files, record, marker):
    """For each path that exists: whether the role wrote it, by its marker or (older files) by the record's checksums;
    and its text, which the caller drops after reading the env file."""
    try:
        with open(record, 'rb') as handle:
            record_text = handle.read().decode('utf-8', 'replace')
    except (OSError, TypeError):
        record_text = ''
    seen = {}
    for path in files:
        if not os.path.lexists(path):
            continue
        entry = {'managed': False}
        if os.path.isfile(path):
            with open(path, 'rb') as handle:
                data = handle.read()
            entry['managed'] = marker.encode('utf-8') in data or hashlib.sha1(data).hexdigest() in record_text
            entry['content'] = data.decode('utf-8', 'replace')
        seen[path] = entry
    return seen


def summary(info):
    labels = info['Config'].get('Labels') or {}
    return {
        'name': info['Name'].lstrip('/'),
        'id': info['Id'],
        'project': labels.get('com.docker.compose.project', ''),
        'service': labels.get('com.docker.compose.service', ''),
        'working_dir': labels.get('com.docker.compose.project.working_dir', ''),
        'config_files': [f for f in labels.get('com.docker.compose.project.config_files', '').split(',') if f],
        'status': info['State']['Status'],
        'running': bool(info['State']['Running']),
        'image': info['Config'].get('Image', ''),
        'image_id': info.get('Image', ''),
        'volumes': sorted(m['Name'] for m in info.get('Mounts') or [] if m.get('Type') == 'volume'),
    }


def postgres_login(app, pg_env):
    """Where and as whom the old web logs in to Postgres, as Chatwoot resolves it: DATABASE_URL first, then the
    POSTGRES_* variables, then config/database.yml's production defaults."""
    url = urlsplit(app['DATABASE_URL']) if app.get('DATABASE_URL') else None
    from_url = {
        'host': (url.hostname or '') if url else '',
        'user': unquote(url.username or '') if url else '',
        'database': url.path.lstrip('/') if url else '',
        'password': unquote(url.password or '') if url else '',
    }
    defaults = {'user': 'chatwoot_prod', 'database': 'chatwoot_production'} if app else {
        'user': pg_env.get('POSTGRES_USER', 'postgres'), 'database': pg_env.get('POSTGRES_DB', '')}
    return {
        'postgres_host': from_url['host'] or app.get('POSTGRES_HOST', 'localhost'),
        'postgres_user': from_url['user'] or app.get('POSTGRES_USERNAME') or defaults['user'],
        'postgres_database': from_url['database'] or app.get('POSTGRES_DATABASE') or defaults['database'],
        'postgres_password': from_url['password'] or app.get('POSTGRES_PASSWORD') or pg_env.get('POSTGRES_PASSWORD', ''),
    }


def _names(info):
    """The names a container answers to on its networks: its own, its service's, its aliases."""
    own = [info['Name'].lstrip('/'), (info['Config'].get('Labels') or {}).get('com.docker.compose.service', '')]
    for net in (info['NetworkSettings'].get('Networks') or {}).values():
        own += net.get('Aliases') or []
    return sorted(set(n for n in own if n))


def _redis_requirepass(info):
    words = ' '.join(info['Config'].get('Cmd') or []).split()
    if '--requirepass' in words and words.index('--requirepass') + 1 < len(words):
        return words[words.index('--requirepass') + 1].strip('\'"')
    return ''


def stack(found, components, app_image_env, api, pg_version):
    """What the running stack is made of, in the role's terms."""
    by = dict((c, found[n]) for c, n in components.items() if n in found)
    app = {}
    differ = []
    for c in ('sidekiq', 'rails'):  # web's values win where the two differ
        if c not in by:
            continue
        image_env = env_dict(app_image_env.get(by[c]['Image'], []))
        env = dict((k, v) for k, v in env_dict(by[c]['Config'].get('Env')).items()
                   if k not in RUNTIME_ENV and image_env.get(k) != v)
        differ += [k for k, v in env.items() if k in app and app[k] != v]
        app.update(env)
    mounts = {}
    for c, info in by.items():
        for m in info.get('Mounts') or []:
            if m.get('Destination') == DATA_PATHS.get(c):
                mounts[c] = {'type': m.get('Type', ''), 'name': m.get('Name', ''), 'source': m.get('Source', '')}
    networks = dict((c, sorted((info['NetworkSettings'].get('Networks') or {}).keys())) for c, info in by.items())
    ports = dict((c, sorted('%s:%s->%s' % (b.get('HostIp') or '0.0.0.0', b.get('HostPort'), p)
                            for p, binds in (info['HostConfig'].get('PortBindings') or {}).items() for b in binds or []))
                 for c, info in by.items())
    pg_env = env_dict(by['postgres']['Config'].get('Env')) if 'postgres' in by else {}
    requirepass = _redis_requirepass(by['redis']) if 'redis' in by else ''
    redis_url = urlsplit(app.get('REDIS_URL', 'redis://127.0.0.1:6379'))
    read = postgres_login(app, pg_env)
    read.update({
        'postgres_names': _names(by['postgres']) if 'postgres' in by else [],
        'redis_host': redis_url.hostname or '',
        'redis_names': _names(by['redis']) if 'redis' in by else [],
        'env': app,
        'env_differ': sorted(set(differ)),
        'redis_password': app.get('REDIS_PASSWORD') or unquote(redis_url.password or '') or requirepass,
        'mounts': mounts,
        'networks': networks,
        'ports': ports,
        'restart': dict((c, (info['HostConfig'].get('RestartPolicy') or {}).get('Name', '')) for c, info in by.items()),
        'version': api.get('version', ''),
        'api': api,
        'pg_data_version': pg_version,
    })
    return read


def setting_value(text):
    """An installation_configs row's value as Chatwoot reads it (app/models/installation_config.rb: a hash serialized
    by YAML into the jsonb column), as text: "true", "false", another value, or "" for no row."""
    text = (text or '').strip()
    if text.startswith('{'):  # a hash stored as JSON itself
        try:
            value = json.loads(text).get('value', '')
        except (ValueError, AttributeError):
            return ''
    else:
        match = re.search(r'^:?value: *(.*?) *$', text, re.M)
        value = match.group(1).strip('\'"') if match else ''
    return str(value).lower() if isinstance(value, bool) else str(value)


def setting_query(name):
    """What Chatwoot reads for the installation setting NAME: its row (the environment only seeds a missing one,
    lib/global_config_service.rb)."""
    return "SELECT serialized_value #>> '{}' FROM installation_configs WHERE name = '%s'" % name


def _api(run_in, rails):
    """The old web's /api answer, or {'error': why not}."""
    code, out, err = run_in(rails, ['wget', '-q', '-T', '10', '-O', '-', '--header', 'X-Forwarded-Proto: https',
                                    'http://127.0.0.1:3000/api'], 30)
    if code != 0:
        return {'error': (err or out).strip()[:300]}
    try:
        return json.loads(out)
    except ValueError:
        return {'error': 'not JSON: ' + out.strip()[:200]}


def survey(params, engine, inspect, image_env, run_in):
    """The whole survey.

    ``params``: project, compose_file, record, marker, adopt, files (the env file first), components
    (component -> container name). ``engine``: whether a Docker engine answered. ``inspect(name)``: a container's
    inspect data, or None. ``image_env(image)``: an image's Config.Env list. ``run_in(container, argv, timeout)``:
    (exit code, stdout, stderr) as text, exit code None when it could not be run.
    """
    files = list(params['files'])
    components = dict(params['components'])
    out = empty_survey()
    out.update(asked=True, files=looks_at_files(files, params['record'], params['marker']))
    adopting = bool(params['adopt'])
    # The first file is the env file: an unmanaged one is read when adopting (it may be all there is to adopt).
    env_entry = out['files'].get(files[0]) if files else None
    if adopting and env_entry and not env_entry['managed'] and 'content' in env_entry:
        out['env_file'] = parse_env(env_entry['content'])
    for entry in out['files'].values():
        entry.pop('content', None)
    if not engine:
        return out
    out['engine'] = True
    found, moved = {}, {}
    for name in list(components.values()) + [n + MOVED for n in components.values()]:
        info = inspect(name)
        if info is None:
            continue
        labels = info['Config'].get('Labels') or {}
        if name.endswith(MOVED):
            moved[name[:-len(MOVED)]] = info
        elif labels.get('com.docker.compose.project') == params['project'] and \
                labels.get('com.docker.compose.project.config_files') == params['compose_file']:
            out['mine'].append(name)
        else:
            found[name] = info
    out['foreign'] = dict((n, summary(i)) for n, i in found.items())
    out['moved'] = dict((n, summary(i)) for n, i in moved.items())
    if not adopting or not (found or moved):
        return out
    # The stack to read: the one running under the names, else the one an interrupted adoption moved aside.
    source = found or moved
    app_images = set(i['Image'] for c, i in ((c, source.get(n)) for c, n in components.items())
                     if i and c in ('rails', 'sidekiq'))
    app_image_env = dict((image, image_env(image)) for image in app_images)
    rails = source.get(components.get('rails', ''))
    api = _api(run_in, rails['Name'].lstrip('/')) if rails and rails['State']['Running'] else {}
    pg_version = ''
    postgres = source.get(components.get('postgres', ''))
    if postgres and postgres['State']['Running']:
        code, text, dummy = run_in(postgres['Name'].lstrip('/'), ['cat', DATA_PATHS['postgres'] + '/PG_VERSION'], 60)
        pg_version = text.strip() if code == 0 else ''
    out['stack'] = stack(source, components, app_image_env, api, pg_version)
    if pg_version:
        login = out['stack']
        code, text, dummy = run_in(postgres['Name'].lstrip('/'), [
            'psql', '--username', login['postgres_user'], '--dbname', login['postgres_database'], '--no-psqlrc',
            '-tAc', setting_query('ENABLE_ACCOUNT_SIGNUP')], 60)
        out['stack']['account_signup'] = setting_value(text if code == 0 else '')
    out['stack']['inspect'] = list(source.values())
    return out
