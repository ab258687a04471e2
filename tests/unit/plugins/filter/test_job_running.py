# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sinapum.chatwoot.job_running: a round of host_job.sh read as "still running" or "ended"."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.job_running import FilterModule, job_running

RUNNING = 'job=/run/lock/sinapum-chatwoot/p.lock.prepare.Ab12Cd\nrunning=2\nwaited=61\n'
SAID = {'job': '/run/lock/sinapum-chatwoot/p.lock.prepare.Ab12Cd', 'running': '2', 'waited': '61'}


def test_a_round_that_saw_the_job_running_gives_its_directory_attempt_and_time():
    assert job_running({'stdout': RUNNING, 'stdout_lines': RUNNING.splitlines()}) == SAID
    assert job_running(RUNNING) == SAID
    assert job_running(RUNNING.splitlines()) == SAID
    assert job_running(RUNNING.replace('\n', '\r\n')) == SAID  # raw over ssh with a terminal
    # A login shell's greeting before the script's lines (raw over ssh) does not hide them.
    assert job_running('Welcome to host\n' + RUNNING) == SAID


@pytest.mark.parametrize('ended', [
    '',
    'image chatwoot/chatwoot:v4.15.1=sha256:0123\n',
    # The job's own output is never read as the round's, even when a line of it looks like one.
    'Migrating\nrunning=3\n',
    RUNNING + 'Created database chatwoot_production\n',
    'job=relative/dir\nrunning=1\nwaited=3\n',
    'job=/run/lock/x\nrunning=1\n',
    'xjob=/run/lock/x\nrunning=1\nwaited=3\n',
])
def test_any_other_output_is_an_ended_job(ended):
    assert job_running({'stdout': ended}) == {}


@pytest.mark.parametrize('bad', [None, 3, {'skipped': True}])
def test_what_is_not_a_round_is_an_error_that_names_the_filter(bad):
    with pytest.raises(AnsibleFilterError, match='job_running: '):
        job_running(bad)


def test_the_filter_is_registered_by_its_name():
    assert FilterModule().filters()['job_running'] is job_running
