# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a Docker Compose style ``.env`` file (Chatwoot's deployment settings).

Private to the sinapum.chatwoot collection: no API promise.
Rules followed (those of Compose's env files): ``KEY=VALUE`` per line, blank lines and lines
starting with ``#`` ignored, an optional leading ``export``, single quotes keep the text
literally, double quotes understand ``\\n``, ``\\t``, ``\\"`` and ``\\\\``, an unquoted value
ends at `` #`` (inline comment) and loses surrounding spaces. ``${VAR}`` is not expanded.
"""

from __future__ import annotations

import re

try:
    from urllib.parse import urlsplit, unquote
except ImportError:  # pragma: no cover
    urlsplit = unquote = None

_KEY = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]*$')
_DQ_ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', '$': '$'}

TRUE_WORDS = ('1', 'true', 'yes', 'on', 'y', 't')


def _unquote_double(text):
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '\\' and i + 1 < len(text) and text[i + 1] in _DQ_ESCAPES:
            out.append(_DQ_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return ''.join(out)


def parse_env(text):
    """Parse the text of an env file into a dict (later keys win)."""
    result = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith('#'):
            continue
        if line.startswith('export ') or line.startswith('export\t'):
            line = line[7:].lstrip()
        if '=' not in line:
            continue
        key, value = line.split('=', 1)
        key = key.strip()
        if not _KEY.match(key):
            continue
        value = value.lstrip()
        if value[:1] in ('"', "'"):
            quote_char = value[0]
            body = value[1:]
            # a quoted value may span lines: keep reading until the closing quote
            while True:
                end = _closing_quote(body, quote_char)
                if end >= 0 or i >= len(lines):
                    break
                body += '\n' + lines[i]
                i += 1
            if end < 0:
                end = len(body)
            body = body[:end]
            value = _unquote_double(body) if quote_char == '"' else body
        else:
            hash_at = value.find(' #')
            if hash_at < 0:
                hash_at = value.find('\t#')
            if hash_at >= 0:
                value = value[:hash_at]
            value = value.strip()
        result[key] = value
    return result


def _closing_quote(body, quote_char):
    i = 0
    while i < len(body):
        if quote_char == '"' and body[i] == '\\':
            i += 2
            continue
        if body[i] == quote_char:
            return i
        i += 1
    return -1


def read_env_file(path):
    """Return the env file as a dict, or None when it does not exist.

    Other I/O errors (permission denied, a directory) are raised as OSError.
    """
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    return parse_env(raw.decode('utf-8', errors='replace'))


def to_bool(value, default=False):
    if value is None:
        return default
    value = str(value).strip().lower()
    if value == '':
        return default
    return value in TRUE_WORDS


def url_host(url):
    """The host of a URL as Ruby's URI.parse(url).host gives it - case kept, no port, brackets kept around an IPv6
    address - or None. Chatwoot compares it with request.host as it is."""
    netloc = urlsplit(url or '').netloc.rsplit('@', 1)[-1]
    if netloc.startswith('['):
        return netloc[:netloc.find(']') + 1] or None
    return netloc.partition(':')[0] or None


def parse_database_url(url):
    """Split Chatwoot's DATABASE_URL into user, password, database (host is the in-network name)."""
    parts = urlsplit(url)
    if parts.scheme not in ('postgres', 'postgresql'):
        return {}
    out = {}
    if parts.username:
        out['user'] = unquote(parts.username)
    if parts.password is not None:
        out['password'] = unquote(parts.password)
    database = parts.path.lstrip('/')
    if database:
        out['database'] = unquote(database)
    return out


def parse_redis_url(url):
    """Split a REDIS_URL into tls, username, password and db (host is the in-network name)."""
    parts = urlsplit(url)
    if parts.scheme not in ('redis', 'rediss'):
        return {}
    out = {'tls': parts.scheme == 'rediss', 'host': parts.hostname}
    if parts.username:
        out['username'] = unquote(parts.username)
    if parts.password:
        out['password'] = unquote(parts.password)
    database = parts.path.lstrip('/')
    if database.isdigit():
        out['db'] = int(database)
    return out


def deployment_settings(env):
    """Extract what the health probes need from a parsed Chatwoot env file.

    Follows Chatwoot: DATABASE_URL wins over the POSTGRES_* variables, REDIS_PASSWORD
    wins over a password inside REDIS_URL, an empty REDIS_PASSWORD means no AUTH; with
    REDIS_SENTINELS the sentinels name the master (see sentinel_settings).
    """
    env = env or {}
    settings = {
        'postgres_user': env.get('POSTGRES_USERNAME') or None,
        'postgres_password': env.get('POSTGRES_PASSWORD'),
        'postgres_database': env.get('POSTGRES_DATABASE') or None,
        'redis_password': None,
        'redis_username': None,
        'redis_tls': None,
        'redis_db': None,
        'redis_host': None,
        # Chatwoot.redis_ssl_verify_mode (config/application.rb): VERIFY_NONE only for exactly 'none'.
        'redis_verify': env.get('REDIS_OPENSSL_VERIFY_MODE') != 'none',
        'force_ssl': to_bool(env.get('FORCE_SSL'), False),
        # the hosts Chatwoot takes as its own (app/helpers/domain_helper.rb): no portals lookup before /api
        'frontend_host': url_host(env.get('FRONTEND_URL')),
        'helpcenter_host': url_host(env.get('HELPCENTER_URL')),
    }
    if env.get('DATABASE_URL'):
        from_url = parse_database_url(env['DATABASE_URL'])
        for key in ('user', 'password', 'database'):
            if key in from_url:
                settings['postgres_' + key] = from_url[key]
    if env.get('REDIS_URL'):
        from_url = parse_redis_url(env['REDIS_URL'])
        for key in ('username', 'password', 'tls', 'db', 'host'):
            if key in from_url:
                settings['redis_' + key] = from_url[key]
    if env.get('REDIS_PASSWORD'):
        settings['redis_password'] = env['REDIS_PASSWORD']
    settings.update(sentinel_settings(env))
    if settings['redis_sentinels']:
        # Redis::Config.sentinel_config replaces REDIS_URL by redis://<master name>: its user, password, database and
        # scheme no longer count; the master is asked with REDIS_PASSWORD alone, in database 0, without TLS.
        settings.update(redis_password=env.get('REDIS_PASSWORD') or None, redis_username=None, redis_db=0,
                        redis_tls=False, redis_host=None)
    return settings


DEFAULT_SENTINEL_PORT = 26379


def sentinel_settings(env):
    """Chatwoot's Redis Sentinel settings (lib/redis/config.rb): ``redis_sentinels`` a list of (host, port), None
    without REDIS_SENTINELS; ``redis_sentinel_master`` the master's name; ``redis_sentinel_password`` what the
    sentinels are asked with (REDIS_SENTINEL_PASSWORD, REDIS_PASSWORD when that is not set at all, None for none)."""
    listed = env.get('REDIS_SENTINELS') or ''
    if not listed.strip():
        return {'redis_sentinels': None, 'redis_sentinel_master': None, 'redis_sentinel_password': None}
    sentinels = []
    for item in listed.split(','):
        # "host1:port1, host2:port2": split on ':' and stripped, the port 26379 when left out
        parts = [part.strip() for part in item.split(':')]
        if not parts[0]:
            continue
        port = parts[1] if len(parts) > 1 and parts[1] else DEFAULT_SENTINEL_PORT
        sentinels.append((parts[0], int(port) if str(port).isdigit() else port))
    password = env['REDIS_SENTINEL_PASSWORD'] if 'REDIS_SENTINEL_PASSWORD' in env else env.get('REDIS_PASSWORD')
    return {'redis_sentinels': sentinels,
            'redis_sentinel_master': env.get('REDIS_SENTINEL_MASTER_NAME', 'mymaster'),
            'redis_sentinel_password': password or None}
