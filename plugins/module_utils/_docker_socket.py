# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ask the Docker Engine API over its unix socket (http.client only).

Private to the sinapum.chatwoot collection: no API promise.
Unversioned paths: the engine answers with its own API version, and every call used here exists in every API
version Compose v2 runs on. Read-only calls (``GET /version``, ``/containers/NAME/json``, ``/images/NAME/json``,
``/volumes/NAME``, ``/networks/NAME``, ``/images/json``) and processes run inside a container
(``POST /containers/NAME/exec``, then ``/exec/ID/start`` and ``GET /exec/ID/json``), as ``docker exec`` does.
"""

from __future__ import annotations

import json
import re
import socket
import time

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


def _request(path, method, url, body=None, timeout=5.0, limit=4 * 1024 * 1024):
    """One HTTP exchange with the engine: (status, body bytes)."""
    conn = _UnixHTTPConnection(socket_path(path), timeout)
    headers = {'Host': 'docker', 'Accept': 'application/json'}
    data = None
    if body is not None:
        data = json.dumps(body).encode('utf-8')
        headers['Content-Type'] = 'application/json'
    try:
        conn.request(method, url, body=data, headers=headers)
        response = conn.getresponse()
        answer = response.read(limit)
    finally:
        conn.close()
    return response.status, answer


def _error(status, body):
    message = ''
    try:
        message = json.loads(body.decode('utf-8')).get('message', '')
    except (ValueError, UnicodeDecodeError, AttributeError):
        pass
    return DockerError('the Docker engine answered HTTP %d%s' % (status, (': ' + message) if message else ''))


def _json(body):
    try:
        return json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        raise DockerError('the Docker engine answered something that is not JSON')


def get_json(path, url, timeout=5.0):
    """GET ``url``; the decoded JSON, or None when the engine answers 404 (no such object)."""
    status, body = _request(path, 'GET', url, timeout=timeout)
    if status == 404:
        return None
    if status != 200:
        raise _error(status, body)
    return _json(body)


def _object_url(kind, name):
    return '/%s/%s' % (kind, quote(name, safe=''))


def inspect_container(path, name, timeout=5.0):
    """Return the engine's JSON for the container, or None when it does not exist."""
    return get_json(path, _object_url('containers', name.lstrip('/')) + '/json', timeout)


def inspect_image(path, name, timeout=5.0):
    """Return the engine's JSON for the image (a reference or an ID), or None when there is no such image."""
    return get_json(path, _object_url('images', name) + '/json', timeout)


def engine_version(path, timeout=5.0):
    """The engine's ``GET /version`` (``Version``, ``ApiVersion``...)."""
    answer = get_json(path, '/version', timeout)
    if not isinstance(answer, dict):
        raise DockerError('the Docker engine has no /version')
    return answer


def inspect_volume(path, name, timeout=5.0):
    """The volume's JSON, or None when there is none of that name."""
    return get_json(path, _object_url('volumes', name), timeout)


def inspect_network(path, name, timeout=5.0):
    """The network's JSON, or None when no network has that name. The engine also finds a network by (a prefix of)
    its ID: only a network answering to the very name, or whose full ID it is, counts."""
    answer = get_json(path, _object_url('networks', name), timeout)
    if answer is None or name not in (answer.get('Name'), answer.get('Id')):
        return None
    return answer


def list_images(path, timeout=5.0):
    """Every local image (``GET /images/json``): a list of dicts with ``Id``, ``RepoTags``, ``RepoDigests``."""
    answer = get_json(path, '/images/json', timeout)
    return answer if isinstance(answer, list) else []


def familiar_reference(reference):
    """A reference as the engine lists it in RepoTags/RepoDigests: Docker Hub's ``docker.io/`` and ``library/``
    left out, ``:latest`` added when it names neither a tag nor a digest."""
    ref = reference
    for prefix in ('docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/'):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    name = ref.split('@', 1)[0]
    if '@' not in ref and ':' not in name.rsplit('/', 1)[-1]:
        ref += ':latest'
    return ref


def image_ids(images, references):
    """Map each reference to the ID of the local image it names ('' when none): by tag, or by digest for a
    reference that pins one (``repo@sha256:...``; a tag beside the digest does not count, as for the engine)."""
    by_ref = {}
    for image in images:
        for ref in (image.get('RepoTags') or []) + (image.get('RepoDigests') or []):
            if ref and not ref.startswith('<none>'):
                by_ref.setdefault(ref, image.get('Id') or '')
    out = {}
    for reference in references:
        ref = familiar_reference(reference)
        if '@' in ref:
            name, digest = ref.split('@', 1)
            last = name.rsplit('/', 1)
            if ':' in last[-1]:
                name = name[:name.rindex(':')]
            ref = name + '@' + digest
        out[reference] = by_ref.get(ref, '')
    return out


def _demultiplex(raw):
    """Split Docker's multiplexed stream (8-byte headers: stream type, 3 zero bytes, big-endian size) into
    (stdout, stderr) bytes."""
    out, err = [], []
    i = 0
    while i + 8 <= len(raw):
        kind = raw[i:i + 1]
        size = int.from_bytes(raw[i + 4:i + 8], 'big')
        chunk = raw[i + 8:i + 8 + size]
        (err if kind == b'\x02' else out).append(chunk)
        i += 8 + size
    return b''.join(out), b''.join(err)


def exec_run(path, container, argv, env=None, timeout=10.0):
    """Run ``argv`` in a running container as ``docker exec`` does (no TTY, no stdin) and wait for it: returns
    (exit code, stdout bytes, stderr bytes). ``env`` (a dict) is given in the exec's configuration, never in argv:
    the engine does not show it in ``GET /exec/ID/json`` nor in the process list."""
    create = {'AttachStdout': True, 'AttachStderr': True, 'Tty': False, 'Cmd': list(argv),
              'Env': ['%s=%s' % (key, value) for key, value in sorted((env or {}).items())]}
    status, body = _request(path, 'POST', _object_url('containers', container.lstrip('/')) + '/exec', create, timeout)
    if status != 201:
        raise _error(status, body)
    exec_id = _json(body).get('Id') or ''
    # The engine takes the connection over and streams until the process ends, then closes it: read to the end.
    status, raw = _request(path, 'POST', '/exec/%s/start' % quote(exec_id, safe=''), {'Detach': False, 'Tty': False},
                           timeout, limit=None)
    if status != 200:
        raise _error(status, raw)
    stdout, stderr = _demultiplex(raw)
    state = {}
    # The exit code is set just after the streams close: ask again briefly while the engine still says running.
    for dummy in range(50):
        state = get_json(path, '/exec/%s/json' % quote(exec_id, safe=''), timeout) or {}
        if not state.get('Running'):
            break
        time.sleep(0.02)
    code = state.get('ExitCode')
    if state.get('Running') or code is None:
        raise DockerError('the process run in container %s did not end' % container)
    return code, stdout, stderr


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
        # the ID of the image it was created from, as `docker inspect --format '{{.Image}}'` gives it
        'image_id': info.get('Image') or '',
        'compose_project': ((info.get('Config') or {}).get('Labels') or {}).get('com.docker.compose.project') or '',
        'compose_service': ((info.get('Config') or {}).get('Labels') or {}).get('com.docker.compose.service') or '',
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
