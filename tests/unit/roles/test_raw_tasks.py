# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles run some host-side scripts with ansible.builtin.raw (no module Python on the host) and read their output.
Over ssh, raw asks for a terminal (-tt) unless ansible_ssh_use_tty is false, and through a terminal the script's stderr
lands in stdout with CRLF line ends: every raw task must say ansible_ssh_use_tty: false, itself or in a block around
it. Measured on an ssh host: stdout "out\\r\\nerr\\r\\n" with the terminal, "out\\n" without."""

from __future__ import annotations

import pathlib

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
TASK_FILES = sorted((REPO / 'roles').glob('*/tasks/*.yml')) + sorted((REPO / 'playbooks').glob('*.yml'))


def raw_tasks(tasks, inherited, where):
    """(where, task, whether ansible_ssh_use_tty is false for it) of each raw task, blocks walked."""
    found = []
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        no_tty = inherited or (task.get('vars') or {}).get('ansible_ssh_use_tty') is False
        for key in ('block', 'rescue', 'always'):
            found += raw_tasks(task.get(key), no_tty, where)
        for play_key in ('tasks', 'pre_tasks', 'post_tasks', 'handlers'):
            found += raw_tasks(task.get(play_key), no_tty, where)
        if 'ansible.builtin.raw' in task or 'raw' in task:
            found.append((where, task.get('name', '?'), no_tty))
    return found


def all_raw_tasks():
    found = []
    for path in TASK_FILES:
        found += raw_tasks(yaml.safe_load(path.read_text()), False, str(path.relative_to(REPO)))
    return found


def test_the_roles_have_raw_tasks_to_check():
    # The rule below would hold vacuously if the walk found none: the lock, the engine probe and others are raw.
    assert len(all_raw_tasks()) >= 5


@pytest.mark.parametrize('where, name, no_tty', all_raw_tasks(), ids=lambda value: str(value)[:60])
def test_every_raw_task_asks_for_no_terminal(where, name, no_tty):
    assert no_tty, '%s: "%s" is ansible.builtin.raw without ansible_ssh_use_tty: false' % (where, name)
