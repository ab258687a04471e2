# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Docker socket client's calls for chatwoot_host_info: /version, volumes, networks, images and exec, against a
fake engine on a real unix socket (tests/integration/test_chatwoot_host_info_engine.py asks the real one)."""

from __future__ import annotations

import struct

import pytest

import health_servers as hs
from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import (
    DockerError,
    _demultiplex,
    container_state,
    engine_version,
    exec_run,
    familiar_reference,
    image_ids,
    inspect_network,
    inspect_volume,
    list_images,
)


def frame(stream, text):
    data = text.encode()
    return struct.pack('>BxxxI', stream, len(data)) + data


def test_version_volume_network(fake_docker):
    engine = fake_docker(routes={
        ('GET', '/version'): (200, {'Version': '20.10.24', 'ApiVersion': '1.41'}),
        ('GET', '/volumes/pgdata'): (200, {'Name': 'pgdata', 'CreatedAt': '2026-11-30T10:00:00Z'}),
        ('GET', '/networks/sinapum_network'): (200, {'Name': 'sinapum_network', 'Id': 'ab' * 32}),
        # the engine finds a network by a prefix of its ID too: that is not a network of that name
        ('GET', '/networks/abab'): (200, {'Name': 'sinapum_network', 'Id': 'ab' * 32}),
    })
    assert engine_version(engine.socket_path)['Version'] == '20.10.24'
    assert inspect_volume(engine.socket_path, 'pgdata')['CreatedAt'] == '2026-11-30T10:00:00Z'
    assert inspect_volume(engine.socket_path, 'other') is None
    assert inspect_network(engine.socket_path, 'sinapum_network')['Id'] == 'ab' * 32
    assert inspect_network(engine.socket_path, 'abab') is None
    assert inspect_network(engine.socket_path, 'missing') is None


def test_an_error_other_than_404_is_raised(fake_docker):
    engine = fake_docker(routes={('GET', '/volumes/pgdata'): (500, {'message': 'volume plugin down'})})
    with pytest.raises(DockerError, match='HTTP 500: volume plugin down'):
        inspect_volume(engine.socket_path, 'pgdata')
    engine = fake_docker(routes={('GET', '/version'): (200, b'not json')})
    with pytest.raises(DockerError, match='not JSON'):
        engine_version(engine.socket_path)


def test_container_state_has_image_id_and_compose_labels(fake_docker):
    entry = hs.container_json('chatwoot_postgres')
    entry['Image'] = 'sha256:' + '1' * 64
    entry['Config']['Labels'] = {'com.docker.compose.project': 'chatwoot',
                                 'com.docker.compose.service': 'chatwoot_postgres'}
    entry['State']['Health'] = {'Status': 'healthy'}
    engine = fake_docker({'chatwoot_postgres': entry})
    state = container_state(engine.socket_path, 'chatwoot_postgres')
    assert (state['image_id'], state['compose_project'], state['compose_service'], state['health']) == (
        'sha256:' + '1' * 64, 'chatwoot', 'chatwoot_postgres', 'healthy')


@pytest.mark.parametrize('reference, familiar', [
    ('redis:8', 'redis:8'),
    ('redis', 'redis:latest'),
    ('docker.io/library/redis:8', 'redis:8'),
    ('docker.io/pgvector/pgvector:pg16', 'pgvector/pgvector:pg16'),
    ('127.0.0.1:5000/chatwoot/chatwoot', '127.0.0.1:5000/chatwoot/chatwoot:latest'),
    ('127.0.0.1:5000/chatwoot/chatwoot:v4.15.1', '127.0.0.1:5000/chatwoot/chatwoot:v4.15.1'),
    ('redis@sha256:' + 'a' * 64, 'redis@sha256:' + 'a' * 64),
])
def test_familiar_reference(reference, familiar):
    assert familiar_reference(reference) == familiar


def test_image_ids_by_tag_and_by_digest(fake_docker):
    images = [
        {'Id': 'sha256:' + '1' * 64, 'RepoTags': ['redis:8', '127.0.0.1:5000/redis:8'],
         'RepoDigests': ['redis@sha256:' + 'a' * 64]},
        {'Id': 'sha256:' + '2' * 64, 'RepoTags': ['chatwoot/chatwoot:latest'], 'RepoDigests': []},
        {'Id': 'sha256:' + '3' * 64, 'RepoTags': None, 'RepoDigests': ['<none>@<none>']},
        {'Id': 'sha256:' + '4' * 64, 'RepoTags': ['<none>:<none>']},
    ]
    engine = fake_docker(routes={('GET', '/images/json'): (200, images)})
    listed = list_images(engine.socket_path)
    wanted = ['redis:8', 'docker.io/library/redis:8', '127.0.0.1:5000/redis:8', 'chatwoot/chatwoot',
              'redis@sha256:' + 'a' * 64, 'redis:7@sha256:' + 'a' * 64, 'redis:7', '<none>:<none>']
    assert image_ids(listed, wanted) == {
        'redis:8': 'sha256:' + '1' * 64,
        'docker.io/library/redis:8': 'sha256:' + '1' * 64,
        '127.0.0.1:5000/redis:8': 'sha256:' + '1' * 64,
        'chatwoot/chatwoot': 'sha256:' + '2' * 64,
        'redis@sha256:' + 'a' * 64: 'sha256:' + '1' * 64,
        # a digest wins over the tag beside it, as for the engine
        'redis:7@sha256:' + 'a' * 64: 'sha256:' + '1' * 64,
        'redis:7': '',
        '<none>:<none>': '',
    }


def test_demultiplex_splits_stdout_and_stderr():
    raw = frame(1, 't\n') + frame(2, 'warning\n') + frame(1, 'more')
    assert _demultiplex(raw) == (b't\nmore', b'warning\n')
    assert _demultiplex(b'') == (b'', b'')


def test_exec_run_passes_env_apart_from_argv(fake_docker):
    engine = fake_docker(routes={
        ('POST', '/containers/chatwoot_postgres/exec'): (201, {'Id': 'e1'}),
        ('POST', '/exec/e1/start'): (200, frame(1, 't\n') + frame(2, 'note\n')),
        ('GET', '/exec/e1/json'): (200, {'Running': False, 'ExitCode': 0}),
    })
    code, out, err = exec_run(engine.socket_path, 'chatwoot_postgres', ['psql', '-c', 'SELECT 1'],
                              {'PGPASSWORD': 'Exec-S3cret'})
    assert (code, out, err) == (0, b't\n', b'note\n')
    method, path, body = engine.requests[0]
    assert (method, path) == ('POST', '/containers/chatwoot_postgres/exec')
    assert body['Cmd'] == ['psql', '-c', 'SELECT 1'] and body['Env'] == ['PGPASSWORD=Exec-S3cret']
    assert not body['Tty'] and body['AttachStdout'] and body['AttachStderr']
    assert engine.requests[1][2] == {'Detach': False, 'Tty': False}


def test_exec_run_refused_and_unended(fake_docker):
    paused = 'Container paused is paused, unpause the container before exec'
    engine = fake_docker(routes={
        ('POST', '/containers/paused/exec'): (409, {'message': paused}),
        ('POST', '/containers/hang/exec'): (201, {'Id': 'e2'}),
        ('POST', '/exec/e2/start'): (200, b''),
        ('GET', '/exec/e2/json'): (200, {'Running': True, 'ExitCode': None}),
    })
    with pytest.raises(DockerError, match='HTTP 409: Container paused is paused'):
        exec_run(engine.socket_path, 'paused', ['true'])
    with pytest.raises(DockerError, match='did not end'):
        exec_run(engine.socket_path, 'hang', ['true'])
