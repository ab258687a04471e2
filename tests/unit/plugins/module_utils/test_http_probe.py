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
from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import FAILING, OK, component, skipped
from ansible_collections.sinapum.chatwoot.plugins.module_utils._http_probe import (
    FALLBACK_HOST,
    WebUrlError,
    add_seen_cause,
    choose_host,
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
    ('data_failing', '/api reports data_services failing (the app cannot reach PostgreSQL, or, if this Host'),
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
    assert result['health'] is None and result['api'] is None


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


def test_the_default_host_is_web_urls_unless_chatwoot_takes_it_as_its_own():
    target = parse_web_url('http://127.0.0.1:3001')
    # without the env file Chatwoot's own hosts (FRONTEND_URL's, HELPCENTER_URL's) are unknown
    assert choose_host(target, None, None) == (None, None)
    assert choose_host(target, None, ('chatwoot.example.test', None)) == (None, True)
    # Chatwoot's own host would run no query before /api: another one is sent
    assert choose_host(target, None, ('127.0.0.1', None)) == (FALLBACK_HOST, True)
    assert choose_host(target, None, (None, '127.0.0.1')) == (FALLBACK_HOST, True)
    assert choose_host(parse_web_url('http://[::1]:3001'), None, ('[::1]', None)) == (FALLBACK_HOST, True)
    # web_host as given; compared as Rails' request.host: without its port, the case kept
    assert choose_host(target, 'chatwoot.example.test:443', ('chatwoot.example.test', None)) == \
        ('chatwoot.example.test:443', False)
    assert choose_host(target, 'Chatwoot.example.test', ('chatwoot.example.test', None)) == \
        ('Chatwoot.example.test', True)
    assert choose_host(target, 'portal.example.test', None) == ('portal.example.test', None)
    assert FALLBACK_HOST.endswith('.invalid')  # RFC 2606: never a portal's custom domain


@pytest.mark.parametrize('lookup,words', [
    (True, '/api reports data_services failing (the app cannot reach PostgreSQL)'),
    (False, "/api reports data_services failing (with this Host, FRONTEND_URL's or HELPCENTER_URL's, Chatwoot runs no "
            "query first and only asks whether the pooled connection it got is connected: on a fresh or restarted web "
            "that reads failing while PostgreSQL is fine; see web_host)"),
    (None, "/api reports data_services failing (the app cannot reach PostgreSQL, or, if this Host is FRONTEND_URL's "
           "or HELPCENTER_URL's, the pooled connection it got is not connected yet; see web_host)"),
])
def test_data_services_failing_means_what_the_host_makes_it_mean(web, lookup, words):
    app = web('data_failing')
    own = {True: ('chatwoot.example.test', None), False: ('127.0.0.1', None), None: None}[lookup]
    host = '127.0.0.1' if lookup is False else None
    result = probe_web(app.url, 3, host=host, chatwoot_hosts=own)
    assert result['reason'] == words
    assert result['portals_lookup'] is lookup


def _web_500(lookup=True):
    return component(FAILING, '/health answered HTTP 503; /api answered HTTP 500', 1.0,
                     api={'status_code': 500}, portals_lookup=lookup)


def _postgres(server_version=None, tables=None, reason='connection refused on 127.0.0.1:5435 (nothing listens there)'):
    return component(FAILING, reason, 1.0, server_version=server_version, tables=tables or {})


REFUSED = 'connection refused on 127.0.0.1:5435 (nothing listens there)'
LOOKUP = ('Chatwoot looks this Host up in its portals table before it answers /api, and a database it cannot query '
          'makes that a 500')
NOAUTH = ('the redis probe was refused too: Redis wants a password and none is set (NOAUTH), an error Chatwoot '
          'answers /api with a 500')


@pytest.mark.parametrize('web_entry,postgres,redis,reason', [
    # seen by the postgres probe: no answer, or a database without Chatwoot's tables
    (_web_500(), _postgres(), None,
     '/health answered HTTP 503; /api answered HTTP 500 (the postgres probe failed too: %s; %s)' % (REFUSED, LOOKUP)),
    (_web_500(), _postgres('16.4', {'installation_configs': False}, 'database chatwoot is not prepared'), None,
     '/health answered HTTP 503; /api answered HTTP 500 (the postgres probe failed too: database chatwoot is not '
     'prepared; %s)' % LOOKUP),
    (_web_500(None), _postgres(), None,
     '/health answered HTTP 503; /api answered HTTP 500 (the postgres probe failed too: %s)' % REFUSED),
    # seen by the redis probe: NOAUTH, and both at once
    (_web_500(), component(OK), component(FAILING, 'x', auth_error='password_required'),
     '/health answered HTTP 503; /api answered HTTP 500 (%s)' % NOAUTH),
    (_web_500(False), _postgres(), component(FAILING, 'x', auth_error='password_required'),
     '/health answered HTTP 503; /api answered HTTP 500 (the postgres probe failed too: %s; %s)' % (REFUSED, NOAUTH)),
    # nothing that explains a 500: a database answering with vector missing only, a wrong Redis password (WRONGPASS
    # is a 200 with queue_services failing), parts not probed, parts that are fine
    (_web_500(), _postgres('16.4', {'installation_configs': True}, 'extension vector is not installed'),
     component(FAILING, 'x', auth_error='wrong_password'), '/health answered HTTP 503; /api answered HTTP 500'),
    (_web_500(), skipped('not requested'), skipped('not requested'), '/health answered HTTP 503; /api answered HTTP 500'),
    (_web_500(), component(OK), component(OK, auth_error=None), '/health answered HTTP 503; /api answered HTTP 500'),
    # a wrong Redis password behind queue_services failing
    (component(FAILING, '/api reports queue_services failing (the app cannot reach Redis)', 1.0,
               api={'status_code': 200, 'queue_services': 'failing'}), component(OK),
     component(FAILING, 'x', auth_error='wrong_password'),
     '/api reports queue_services failing (the app cannot reach Redis; the redis probe was refused the password too)'),
    (component(FAILING, '/api reports queue_services failing (the app cannot reach Redis)', 1.0,
               api={'status_code': 200, 'queue_services': 'failing'}), component(OK),
     component(FAILING, 'x', auth_error=None), '/api reports queue_services failing (the app cannot reach Redis)'),
])
def test_a_cause_is_added_only_when_another_probe_saw_it(web_entry, postgres, redis, reason):
    assert add_seen_cause(web_entry, postgres, redis)['reason'] == reason


def test_a_healthy_or_skipped_web_is_left_alone():
    for entry in (component(OK, 'fine', api={'status_code': 200}), skipped('not requested')):
        assert add_seen_cause(dict(entry), _postgres(), component(FAILING, 'x', auth_error='password_required')) == entry
