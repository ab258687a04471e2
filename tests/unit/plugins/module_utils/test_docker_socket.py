# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Docker Engine API client over a unix socket (a fake engine here; the real one in the integration tests)."""

from __future__ import annotations

import pytest

import health_servers as hs
from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import (
    DockerError,
    container_state,
    describe_stopped,
    valid_container_name,
)


def test_running_exited_restarting_missing(fake_docker):
    engine = fake_docker({
        'worker': hs.container_json('worker'),
        'dead-worker': hs.container_json('dead-worker', status='exited', exit_code=137, oom=True),
        'looping': hs.container_json('looping', status='restarting', exit_code=1, restarting=True),
    })
    state = container_state(engine.socket_path, 'worker')
    assert state['running'] and state['status'] == 'running' and state['name'] == 'worker'
    state = container_state('unix://' + engine.socket_path, 'dead-worker')
    assert not state['running'] and state['exit_code'] == 137
    assert describe_stopped(state) == ('container dead-worker is exited (exit code 137, killed for lack of memory, '
                                       'since 2026-11-25T10:05:00.000000000Z)')
    state = container_state(engine.socket_path, 'looping')
    assert not state['running'] and state['restarting']
    assert describe_stopped(state).startswith('container looping is restarting (exit code 1')
    state = container_state(engine.socket_path, 'nope')
    assert state == {'name': 'nope', 'exists': False, 'status': 'missing', 'running': False}
    assert describe_stopped(state) == 'container nope does not exist'


def test_engine_errors(fake_docker, tmp_path):
    engine = fake_docker(status_override=500)
    with pytest.raises(DockerError, match='HTTP 500: permission denied by test'):
        container_state(engine.socket_path, 'worker')
    with pytest.raises(FileNotFoundError):
        container_state(str(tmp_path / 'no.sock'), 'worker')


def test_container_names():
    assert valid_container_name('chatwoot-sidekiq-1') and valid_container_name('/chatwoot_worker.1')
    assert not valid_container_name('../etc') and not valid_container_name('a b') and not valid_container_name('')
