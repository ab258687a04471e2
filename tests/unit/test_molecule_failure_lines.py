# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/run-molecule.sh, run for real on a stand-in `molecule` that fails a scenario: each real failure comes out on
one line, task and message, which tests/run's summary (the part CI shows) keeps; a failure a rescue took over does
not. CI once showed only "fatal: [chatwoot-upgrade]: FAILED! =>", with its message on the lines after it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What `molecule test` printed when a converge failed after a verify-style failure that a rescue took over
# (molecule/callback_plugins/sinapum_rescued.py prints those as "rescued:").
LOG = '''\
INFO     [upgrade > converge] Executing
TASK [Expected to fail: a broken build] ****************************************
rescued: [chatwoot-upgrade]: failed, the block's rescue takes over =>
    changed: false
    msg: provoked on purpose
TASK [sinapum.chatwoot.chatwoot : Pull the images] *****************************
fatal: [chatwoot-upgrade]: FAILED! =>
    changed: false
    msg: |-
        Pulling registry:5000/chatwoot/chatwoot:v9.9.9 failed: manifest unknown
        and a second line
TASK [sinapum.chatwoot.chatwoot : Wait for systemd] ****************************
fatal: [chatwoot-other]: FAILED! =>
    changed: false
    msg: degraded
PLAY RECAP *********************************************************************
'''


def summary_pattern():
    """tests/run's failure_lines, as the script has it."""
    text = (ROOT / 'tests' / 'run').read_text()
    return re.search(r"^failure_lines='(.*)'$", text, re.M).group(1)


def run_failing_scenario(tmp_path):
    (tmp_path / 'tests').mkdir()
    shutil.copy(ROOT / 'tests' / 'run-molecule.sh', tmp_path / 'tests' / 'run-molecule.sh')
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (tmp_path / 'log.txt').write_text(LOG)
    fake = bin_dir / 'molecule'
    fake.write_text('#!/bin/sh\ncat "%s"\nexit 2\n' % (tmp_path / 'log.txt'))
    fake.chmod(0o755)
    env = dict(os.environ, PATH='%s:%s' % (bin_dir, os.environ['PATH']))
    return subprocess.run(['bash', str(tmp_path / 'tests' / 'run-molecule.sh'), 'upgrade'], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_each_real_failure_is_one_line_with_its_task_and_message(tmp_path):
    run = run_failing_scenario(tmp_path)
    assert run.returncode == 1, run
    lines = [line for line in run.stdout.splitlines() if line.startswith('molecule upgrade: FAILED in ')]
    assert lines == [
        'molecule upgrade: FAILED in TASK [sinapum.chatwoot.chatwoot : Pull the images]: '
        'Pulling registry:5000/chatwoot/chatwoot:v9.9.9 failed: manifest unknown',
        'molecule upgrade: FAILED in TASK [sinapum.chatwoot.chatwoot : Wait for systemd]: degraded',
    ], run.stdout


def test_the_run_summary_keeps_them_and_not_the_rescued_one(tmp_path):
    run = run_failing_scenario(tmp_path)
    # With grep -E, as tests/run reads the stage's log.
    kept = subprocess.run(['grep', '-E', summary_pattern()], input=run.stdout, capture_output=True, text=True,
                          check=False).stdout.splitlines()
    assert any('manifest unknown' in line for line in kept), kept
    assert any(line.endswith('Wait for systemd]: degraded') for line in kept), kept
    assert not any('provoked on purpose' in line for line in kept), kept
