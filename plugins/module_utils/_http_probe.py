# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Probe Chatwoot's web process over HTTP with http.client (standard library only).

Private to the sinapum.chatwoot collection: no API promise.
``GET /health`` is liveness (200 ``{"status":"woot"}`` since Chatwoot 4.11, touching neither
database nor Redis); ``GET /api`` is readiness: it answers 200 even when failing and says so in
``data_services`` / ``queue_services``, and answers 500 when Redis refuses the app's password.
/api runs Chatwoot's switch_locale first, which looks a Host that is not FRONTEND_URL's up in the
database: with the database down that is a 500 too, so /api is asked with FRONTEND_URL's host.
Redirects are reported, never followed: with FORCE_SSL every request is redirected to https
unless ``X-Forwarded-Proto: https`` is sent.
"""

from __future__ import annotations

import json
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


def probe_web(web_url, timeout, forwarded_proto_https=False, validate_certs=True, liveness_path='/health', host=None):
    """Check liveness (``liveness_path``, none when empty) and readiness (/api); return a component entry.
    ``host`` is sent as the Host header (the one of ``web_url`` when None)."""
    target = parse_web_url(web_url)
    where = host_port(target['host'], target['port'])
    deadline = Deadline(timeout)
    headers = {}
    if forwarded_proto_https:
        headers['X-Forwarded-Proto'] = 'https'
    if host:
        headers['Host'] = host
    details = {
        'url': web_url,
        'host': host or None,
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
            if data_services != 'ok':
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


def add_seen_cause(web, redis):
    """Name the cause of a 500 from /api, but only one another probe has seen: Redis refusing authentication
    (ApiController#redis_status rescues only Redis::CannotConnectError, so Chatwoot answers a 500)."""
    api = web.get('api') or {}
    if web['status'] != FAILING or api.get('status_code') != 500 or not (redis or {}).get('auth_error'):
        return web
    web['reason'] = web['reason'].replace(
        '/api answered HTTP 500', '/api answered HTTP 500 (the redis probe was refused authentication too, and Chatwoot '
        'answers /api with a 500 when Redis refuses it)', 1)
    return web
