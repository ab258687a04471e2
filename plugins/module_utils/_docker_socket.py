# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ask the Docker Engine API about one container over its unix socket (http.client only).

Private to the sinapum.chatwoot collection: no API promise.
Only ``GET /containers/NAME/json`` is used (unversioned path: the engine answers with its own
API version), to tell whether a worker container is running, and if not its state and exit code.
"""

from __future__ import annotations

import json
import re
import socket

try:
    import http.client as http_client
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    http_client = quote = None

CONTAINER_NAME = re.compile(r'^/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$')


class DockerError(Exception):
    """The engine could not be asked (socket missing, permission denied, bad answer)."""


class _UnixHTTPConnection(http_client.HTTPConnection):
    def __init__(self, path, timeout):
        http_client.HTTPConnection.__init__(self, 'localhost', timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except Exception:
            sock.close()
            raise
        self.sock = sock


def socket_path(value):
    """Accept ``/path/docker.sock`` or ``unix:///path/docker.sock``."""
    if value.startswith('unix://'):
        value = value[len('unix://'):]
    return value


def valid_container_name(name):
    return bool(CONTAINER_NAME.match(name or ''))


def inspect_container(path, name, timeout=5.0):
    """Return the engine's JSON for the container, or None when it does not exist."""
    conn = _UnixHTTPConnection(socket_path(path), timeout)
    try:
        conn.request('GET', '/containers/%s/json' % quote(name.lstrip('/'), safe=''),
                     headers={'Host': 'docker', 'Accept': 'application/json'})
        response = conn.getresponse()
        body = response.read(4 * 1024 * 1024)
    finally:
        conn.close()
    if response.status == 404:
        return None
    if response.status != 200:
        message = ''
        try:
            message = json.loads(body.decode('utf-8')).get('message', '')
        except (ValueError, UnicodeDecodeError, AttributeError):
            pass
        raise DockerError('the Docker engine answered HTTP %d%s' % (response.status, (': ' + message) if message else ''))
    try:
        return json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        raise DockerError('the Docker engine answered something that is not JSON')


def container_state(path, name, timeout=5.0):
    """Summarize a container's state: a dict with ``exists``, ``status``, ``running``, ``exit_code``…"""
    info = inspect_container(path, name, timeout)
    if info is None:
        return {'name': name, 'exists': False, 'status': 'missing', 'running': False}
    state = info.get('State') or {}
    health = state.get('Health') or {}
    return {
        'name': (info.get('Name') or name).lstrip('/'),
        'exists': True,
        'id': (info.get('Id') or '')[:12],
        'image': (info.get('Config') or {}).get('Image'),
        'status': state.get('Status') or ('running' if state.get('Running') else 'unknown'),
        'running': bool(state.get('Running')) and not state.get('Restarting') and not state.get('Paused'),
        'restarting': bool(state.get('Restarting')),
        'paused': bool(state.get('Paused')),
        'oom_killed': bool(state.get('OOMKilled')),
        'exit_code': state.get('ExitCode'),
        'error': state.get('Error') or None,
        'started_at': state.get('StartedAt'),
        'finished_at': state.get('FinishedAt'),
        'restart_count': info.get('RestartCount'),
        'health': health.get('Status'),
    }


def describe_stopped(state):
    """Plain words for a container that is not running."""
    if not state.get('exists'):
        return 'container %s does not exist' % state['name']
    words = 'container %s is %s' % (state['name'], state.get('status'))
    extra = []
    if state.get('exit_code') is not None and state.get('status') in ('exited', 'dead', 'restarting'):
        extra.append('exit code %s' % state['exit_code'])
    if state.get('oom_killed'):
        extra.append('killed for lack of memory')
    if state.get('error'):
        extra.append(state['error'])
    if state.get('finished_at') and not state['finished_at'].startswith('0001-'):
        extra.append('since %s' % state['finished_at'])
    if state.get('restart_count'):
        extra.append('%s restarts' % state['restart_count'])
    if extra:
        words += ' (%s)' % ', '.join(extra)
    return words
