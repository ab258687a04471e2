# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Probe Chatwoot's web process over HTTP with http.client (standard library only).

Private to the sinapum.chatwoot collection: no API promise.
``GET /health`` is liveness (200 ``{"status":"woot"}`` since Chatwoot 4.11, touching neither
database nor Redis); ``GET /api`` is readiness: it answers 200 even when failing and says so in
``data_services`` / ``queue_services`` (app/controllers/api_controller.rb @ v4.15.1).
``data_services`` is ``connection.active?``, which runs no query and never connects: on Rails 7.1 a pooled
connection is created unconnected, so it reads failing on a fresh web, or after a database restart, until a query
connected that connection. Before /api answers, switch_locale looks a Host that is not FRONTEND_URL's nor
HELPCENTER_URL's up in ``portals`` (app/controllers/concerns/switch_locale.rb, app/helpers/domain_helper.rb): a query
on the request's own connection, which connects it (or reconnects it once). So /api is asked with such a Host (see
choose_host): ``data_services`` is then a true check of web to database, and a database it cannot query is a 500.
Redirects are reported, never followed: with FORCE_SSL every request is redirected to https
unless ``X-Forwarded-Proto: https`` is sent.
"""

from __future__ import annotations

import json
import re
import ssl
import time

try:
    import http.client as http_client
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    http_client = urlsplit = None

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

MAX_BODY = 256 * 1024
USER_AGENT = 'sinapum.chatwoot.chatwoot_health'
# The Host sent when web_url's host is one Chatwoot takes as its own: .invalid (RFC 2606) is never a portal's domain.
FALLBACK_HOST = 'chatwoot-health.invalid'


class WebUrlError(ValueError):
    """web_url is not an http(s) URL."""


def parse_web_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise WebUrlError('web_url must be an http:// or https:// URL with a host, got %r' % url)
    try:
        port = parts.port
    except ValueError:
        raise WebUrlError('web_url has an invalid port: %r' % url)
    if port is None:
        port = 443 if parts.scheme == 'https' else 80
    return {
        'scheme': parts.scheme,
        'host': parts.hostname,
        'port': port,
        'base_path': parts.path.rstrip('/'),
        'netloc': parts.netloc.rsplit('@', 1)[-1],
    }


class WebClient(object):
    """Keep-alive GETs against one origin, each bounded by the probe's deadline."""

    def __init__(self, target, timeout, deadline, validate_certs=True, headers=None):
        self.target = target
        self.timeout = float(timeout)
        self.deadline = deadline
        self.headers = {'User-Agent': USER_AGENT, 'Accept': 'application/json'}
        self.headers.update(headers or {})
        self.validate_certs = validate_certs
        self._conn = None

    def _budget(self):
        return min(self.timeout, self.deadline.remaining())

    def _connection(self):
        if self._conn is None:
            budget = self._budget()
            if self.target['scheme'] == 'https':
                context = ssl.create_default_context()
                if not self.validate_certs:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                self._conn = http_client.HTTPSConnection(self.target['host'], self.target['port'],
                                                         timeout=budget, context=context)
            else:
                self._conn = http_client.HTTPConnection(self.target['host'], self.target['port'], timeout=budget)
        return self._conn

    def get(self, path):
        """Return (status, headers dict lower-cased, body bytes, elapsed ms)."""
        started = time.monotonic()
        url = self.target['base_path'] + path
        for attempt in (1, 2):
            conn = self._connection()
            fresh = conn.sock is None
            try:
                budget = self._budget()
                conn.timeout = budget
                if conn.sock is not None:
                    conn.sock.settimeout(budget)
                conn.request('GET', url, headers=self.headers)
                if conn.sock is not None:
                    conn.sock.settimeout(self._budget())
                response = conn.getresponse()
                body = response.read(MAX_BODY)
                headers = dict((k.lower(), v) for k, v in response.getheaders())
                if response.will_close:
                    self.close()
                return response.status, headers, body, round((time.monotonic() - started) * 1000.0, 1)
            except (http_client.RemoteDisconnected, http_client.BadStatusLine, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server had closed: retry once on a new one
                self.close()
                if fresh or attempt == 2:
                    raise
        raise ProbeTimeout('unreachable')  # pragma: no cover

    def close(self):
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def rails_host(header):
    """Rails' request.host for a Host header: the header without its port (action_dispatch/http/url.rb)."""
    return re.sub(r':\d+$', '', header)


def choose_host(target, host, chatwoot_hosts):
    """Return (the Host header to send, None for web_url's own; whether Chatwoot looks that Host up in portals
    before /api answers, None when its own hosts are unknown). ``chatwoot_hosts`` holds the hosts of FRONTEND_URL
    and HELPCENTER_URL (None each when unset), or is None without the env file. Chatwoot compares them with
    request.host as they are (DomainHelper.chatwoot_domain?)."""
    own = '[%s]' % target['host'] if ':' in target['host'] else target['host']
    if not host and chatwoot_hosts is not None and own in chatwoot_hosts:
        host = FALLBACK_HOST
    if chatwoot_hosts is None:
        return host or None, None
    return host or None, rails_host(host or own) not in chatwoot_hosts


DATA_FAILING = {
    True: '/api reports data_services failing (the app cannot reach PostgreSQL)',
    False: "/api reports data_services failing (with this Host, FRONTEND_URL's or HELPCENTER_URL's, Chatwoot runs no "
           "query first and only asks whether the pooled connection it got is connected: on a fresh or restarted web "
           "that reads failing while PostgreSQL is fine; see web_host)",
    None: "/api reports data_services failing (the app cannot reach PostgreSQL, or, if this Host is FRONTEND_URL's "
          "or HELPCENTER_URL's, the pooled connection it got is not connected yet; see web_host)",
}


def _json(body):
    try:
        value = json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _redirect_reason(path, status, headers, forwarded):
    location = headers.get('location', '')
    reason = '%s redirected (%d) to %s' % (path, status, location or 'no Location')
    if location.startswith('https://') and not forwarded:
        reason += ' (FORCE_SSL is on: set web_forwarded_proto_https=true to send X-Forwarded-Proto: https)'
    else:
        reason += ' (not followed)'
    return reason


def probe_web(web_url, timeout, forwarded_proto_https=False, validate_certs=True, liveness_path='/health', host=None,
              chatwoot_hosts=None):
    """Check liveness (``liveness_path``, none when empty) and readiness (/api); return a component entry.
    ``host`` is sent as the Host header; when None, the one choose_host picks with ``chatwoot_hosts``."""
    target = parse_web_url(web_url)
    where = host_port(target['host'], target['port'])
    deadline = Deadline(timeout)
    host, portals_lookup = choose_host(target, host, chatwoot_hosts)
    headers = {}
    if forwarded_proto_https:
        headers['X-Forwarded-Proto'] = 'https'
    if host:
        headers['Host'] = host
    details = {
        'url': web_url,
        'host': host,
        'portals_lookup': portals_lookup,
        'forwarded_proto_https': bool(forwarded_proto_https),
        'version': None,
        'health': None,
        'api': None,
    }
    client = WebClient(target, timeout, deadline, validate_certs, headers)
    current = liveness_path or '/api'
    problems = []
    try:
        if liveness_path:
            status, resp_headers, body, elapsed = client.get(liveness_path)
            details['health'] = {'path': liveness_path, 'status_code': status, 'ms': elapsed}
            if status in (301, 302, 303, 307, 308):
                problems.append(_redirect_reason(liveness_path, status, resp_headers, forwarded_proto_https))
            elif status == 404 and liveness_path == '/health':
                problems.append('/health answered HTTP 404 (Chatwoot has /health from 4.11.0 on; for an older release '
                                'set web_liveness_path to an empty string)')
            elif status != 200:
                problems.append('%s answered HTTP %d' % (liveness_path, status))
            else:
                payload = _json(body)
                details['health']['body_status'] = payload.get('status') if payload else None
        current = '/api'
        status, resp_headers, body, elapsed = client.get('/api')
        details['api'] = {'status_code': status, 'ms': elapsed}
        payload = _json(body)
        if status == 200 and payload is not None:
            details['version'] = payload.get('version')
            data_services = payload.get('data_services')
            queue_services = payload.get('queue_services')
            details['api'].update({'data_services': data_services, 'queue_services': queue_services,
                                   'timestamp': payload.get('timestamp')})
            if data_services == 'failing':
                problems.append(DATA_FAILING[portals_lookup])
            elif data_services != 'ok':
                problems.append('/api reports data_services %s (the app cannot reach PostgreSQL)' % data_services)
            if queue_services != 'ok':
                problems.append('/api reports queue_services %s (the app cannot reach Redis)' % queue_services)
        elif status == 200:
            problems.append('/api answered 200 without Chatwoot\'s JSON (is this Chatwoot?)')
        elif status in (301, 302, 303, 307, 308):
            problems.append(_redirect_reason('/api', status, resp_headers, forwarded_proto_https))
        else:
            problems.append('/api answered HTTP %d' % status)
    except ProbeTimeout:
        problems.append('%s: no answer from %s within %s s (timeout)' % (current, where, format_seconds(timeout)))
    except (OSError, http_client.HTTPException) as exc:
        if isinstance(exc, http_client.HTTPException) and not isinstance(exc, OSError):
            problems.append('%s: %s gave a broken HTTP answer (%s)' % (current, where, type(exc).__name__))
        else:
            problems.append('%s: %s' % (current, describe_os_error(exc, where, timeout)))
    finally:
        client.close()
    if problems:
        return component(FAILING, '; '.join(problems), deadline.elapsed_ms(), **details)
    reason = 'answers on %s' % where
    if details['version']:
        reason = 'Chatwoot %s answers on %s' % (details['version'], where)
    return component(OK, reason, deadline.elapsed_ms(), **details)


# Redis errors other than WRONGPASS that escape ApiController#redis_status (it rescues only Redis::CannotConnectError;
# redis-rb 5.0.6 lib/redis/client.rb maps WRONGPASS, and no other reply, to it): Chatwoot answers /api with a 500.
REDIS_500 = {
    'password_required': 'the redis probe was refused too: Redis wants a password and none is set (NOAUTH)',
    'no_password_configured': 'the redis probe was refused too: a password is set and Redis has none configured',
}


def _postgres_unusable(postgres):
    """The postgres probe got no answer to a query (down, refusing the login, no such database) or found the database
    without Chatwoot's tables: either makes the portals lookup fail."""
    if not postgres or postgres['status'] != FAILING:
        return False
    return postgres.get('server_version') is None or not all((postgres.get('tables') or {}).values())


def add_seen_cause(web, postgres, redis):
    """Name the cause of what /api answered, but only one another probe of the same call has seen: for a 500, the
    postgres probe failing (the portals lookup runs first) or Redis answering NOAUTH or "called without any password
    configured"; for queue_services failing, Redis refusing the password."""
    api = web.get('api') or {}
    redis = redis or {}
    if web['status'] != FAILING:
        return web
    if api.get('status_code') == 500:
        causes = []
        if _postgres_unusable(postgres):
            cause = 'the postgres probe failed too: %s' % postgres['reason']
            if web.get('portals_lookup') is True:
                cause += ('; Chatwoot looks this Host up in its portals table before it answers /api, and a database '
                          'it cannot query makes that a 500')
            causes.append(cause)
        if redis.get('auth_error') in REDIS_500:
            causes.append(REDIS_500[redis['auth_error']] + ', an error Chatwoot answers /api with a 500')
        if causes:
            web['reason'] = web['reason'].replace(
                '/api answered HTTP 500', '/api answered HTTP 500 (%s)' % '; '.join(causes), 1)
    elif api.get('queue_services') == 'failing' and redis.get('auth_error') == 'wrong_password':
        web['reason'] = web['reason'].replace(
            '(the app cannot reach Redis)', '(the app cannot reach Redis; the redis probe was refused the password too)',
            1)
    return web
