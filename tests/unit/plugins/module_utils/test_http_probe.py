# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The web probe against real HTTP servers shaped like Chatwoot's /health and /api."""

from __future__ import annotations

import ssl
import threading
from http.server import ThreadingHTTPServer

import pytest

import health_servers as hs
from ansible_collections.sinapum.chatwoot.plugins.module_utils._http_probe import (
    WebUrlError,
    parse_web_url,
    probe_web,
)


def test_healthy_reads_version_and_reuses_one_connection(web):
    app = web('ok')
    result = probe_web(app.url, 3)
    assert result['status'] == 'ok', result
    assert result['version'] == '4.15.1'
    assert result['reason'] == 'Chatwoot 4.15.1 answers on 127.0.0.1:%d' % app.port
    assert result['health']['status_code'] == 200 and result['health']['body_status'] == 'woot'
    assert result['api']['data_services'] == 'ok' and result['api']['queue_services'] == 'ok'
    assert [path for path, dummy in app.requests] == ['/health', '/api']


@pytest.mark.parametrize('mode,words', [
    ('data_failing', '/api reports data_services failing (the app cannot reach PostgreSQL)'),
    ('queue_failing', '/api reports queue_services failing (the app cannot reach Redis)'),
    ('error500', '/api answered HTTP 500'),
    ('not_chatwoot', "/api answered 200 without Chatwoot's JSON"),
])
def test_api_failures_are_told_apart(web, mode, words):
    result = probe_web(web(mode).url, 3)
    assert result['status'] == 'failing'
    assert result['reason'].startswith(words), result['reason']


def test_a_500_is_reported_as_seen_without_a_cause(web):
    result = probe_web(web('error500').url, 3)
    assert result['reason'] == '/api answered HTTP 500'
    assert result['api']['status_code'] == 500


def test_the_host_header_is_the_one_given(web):
    app = web('ok')
    result = probe_web(app.url, 3, host='chatwoot.example.test')
    assert result['status'] == 'ok' and result['host'] == 'chatwoot.example.test'
    assert [headers['Host'] for dummy, headers in app.requests] == ['chatwoot.example.test'] * 2
    app.requests[:] = []
    result = probe_web(app.url, 3)
    assert result['host'] is None
    assert [headers['Host'] for dummy, headers in app.requests] == ['127.0.0.1:%d' % app.port] * 2


def test_a_release_without_a_liveness_endpoint_is_judged_by_api_alone(web):
    # Chatwoot before 4.11.0 has no /health (config/routes.rb): the caller says so with an empty liveness path
    app = web('old')
    result = probe_web(app.url, 3, liveness_path='')
    assert result['status'] == 'ok', result['reason']
    assert result['health'] is None
    assert [path for path, dummy in app.requests] == ['/api']


def test_a_liveness_endpoint_that_is_not_there_fails(web):
    app = web('old')
    result = probe_web(app.url, 3)
    assert result['status'] == 'failing'
    assert result['reason'] == ('/health answered HTTP 404 (Chatwoot has /health from 4.11.0 on; for an older release '
                                'set web_liveness_path to an empty string)')
    assert result['health']['status_code'] == 404


def test_force_ssl_redirect_is_reported_not_followed(web):
    app = web('force_ssl')
    result = probe_web(app.url, 3)
    assert result['status'] == 'failing'
    assert '/health redirected (301) to https://chatwoot.example.test/health' in result['reason']
    assert 'web_forwarded_proto_https=true' in result['reason']
    assert all(path in ('/health', '/api') for path, dummy in app.requests)
    app.requests[:] = []
    result = probe_web(app.url, 3, forwarded_proto_https=True)
    assert result['status'] == 'ok', result
    assert all(headers.get('X-Forwarded-Proto') == 'https' for dummy, headers in app.requests)


def test_slower_than_the_timeout(web):
    app = web('slow', slow_seconds=1.5)
    result = probe_web(app.url, 0.5)
    assert result['status'] == 'failing'
    assert result['reason'] == '/health: no answer from 127.0.0.1:%d within 0.5 s (timeout)' % app.port
    assert result['latency_ms'] < 1400


def test_refused_and_silent():
    port = hs.free_port()
    result = probe_web('http://127.0.0.1:%d' % port, 1)
    assert result['status'] == 'failing'
    assert result['reason'] == '/health: connection refused on 127.0.0.1:%d (nothing listens there)' % port
    silent = hs.SilentServer()
    try:
        result = probe_web('http://127.0.0.1:%d' % silent.port, 0.3)
    finally:
        silent.stop()
    assert 'within 0.3 s (timeout)' in result['reason']


def test_https_with_self_signed_certificate(tmp_path, web):
    pair = hs.make_cert(str(tmp_path))
    if pair is None:
        pytest.skip('openssl is not installed')
    app = web('ok')
    handler = app.server.RequestHandlerClass
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*pair)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = 'https://127.0.0.1:%d' % server.server_address[1]
        result = probe_web(url, 3)
        assert result['status'] == 'failing' and 'certificate verify failed' in result['reason']
        result = probe_web(url, 3, validate_certs=False)
        assert result['status'] == 'ok', result
    finally:
        server.shutdown()
        server.server_close()


def test_parse_web_url():
    assert parse_web_url('https://chat.example.test/base/')['port'] == 443
    assert parse_web_url('http://127.0.0.1:3001')['base_path'] == ''
    for bad in ('ftp://x', '127.0.0.1:3001', 'http://', 'http://h:99999'):
        with pytest.raises(WebUrlError):
            parse_web_url(bad)
