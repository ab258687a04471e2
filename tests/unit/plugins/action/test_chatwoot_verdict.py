# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_verdict: the verdict's problems fail the task, else its warnings are shown; through ansible-playbook too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.sinapum.chatwoot.plugins.action.chatwoot_verdict import judge

REPO = Path(__file__).resolve().parents[4]
KEYS = {'changed', 'msg'}


def test_problems_fail_with_every_line_and_hide_the_warnings():
    result = judge({'problems': ['chatwoot_rails_port: 70000 ...', 'chatwoot_version: 3.0.0 ...'], 'warnings': ['warning: weak']})
    assert result['failed'] is True
    assert result['msg'] == 'chatwoot_rails_port: 70000 ...\nchatwoot_version: 3.0.0 ...'
    assert '_ansible_verbose_always' not in result and 'weak' not in result['msg']


def test_warnings_alone_are_shown_at_every_verbosity():
    result = judge({'problems': [], 'warnings': ['warning: a', 'warning: b']})
    assert 'failed' not in result
    assert result['msg'] == 'warning: a\nwarning: b' and result['_ansible_verbose_always'] is True


def test_neither_shows_nothing_and_the_shape_never_changes():
    quiet = judge({'problems': [], 'warnings': []})
    assert quiet == {'changed': False, 'msg': ''}
    for verdict in ({'problems': ['p'], 'warnings': []}, {'problems': [], 'warnings': ['w']}):
        assert KEYS <= set(judge(verdict))


def _play(tmp_path, verdict):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Judge', 'sinapum.chatwoot.chatwoot_verdict': {'verdict': verdict}}]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / '.ansible' / 'collections'), ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_NOCOLOR='1', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default', ANSIBLE_CALLBACK_RESULT_FORMAT='json')
    return subprocess.run([str(Path(sys.executable).parent / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                           str(playbook)], capture_output=True, text=True, env=env, cwd=tmp_path, check=False)


@pytest.mark.parametrize('verdict, rc, shown, hidden', [
    ({'problems': ['chatwoot_rails_port: no'], 'warnings': ['warning: weak']}, 2, 'chatwoot_rails_port: no', 'warning: weak'),
    ({'warnings': ['warning: chatwoot_redis_password is weak']}, 0, 'warning: chatwoot_redis_password is weak', 'FAILED'),
    ({}, 0, 'ok: [localhost]', '"msg"'),
])
def test_through_ansible_playbook(tmp_path, verdict, rc, shown, hidden):
    run = _play(tmp_path, verdict)
    assert run.returncode == rc, run.stdout + run.stderr
    assert shown in run.stdout and hidden not in run.stdout, run.stdout


def test_a_verdict_that_is_not_a_mapping_is_refused(tmp_path):
    run = _play(tmp_path, ['not', 'a', 'dict'])
    assert run.returncode == 2 and 'verdict' in run.stdout + run.stderr, run.stdout + run.stderr
