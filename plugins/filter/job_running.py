# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The job_running filter; its documentation is in job_running.yml beside this file."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

# What roles/chatwoot/files/host_job.sh prints last, and only then, for a job that has not ended yet. Anything before
# it is not the job's (a login shell's greeting over ssh): the three lines at the end decide.
RUNNING = re.compile(r'(?:\A|\n)job=(?P<job>/\S+)\nrunning=(?P<running>[0-9]+)\nwaited=(?P<waited>-?[0-9]+)\Z')


def job_running(round_result):
    """{'job', 'running', 'waited'} of a round whose job still runs, {} for a round that saw it end."""
    if isinstance(round_result, dict):
        if 'stdout' not in round_result:
            raise AnsibleFilterError('job_running: the round has no output (was it skipped?)')
        round_result = round_result['stdout']
    if isinstance(round_result, (list, tuple)):
        round_result = '\n'.join(str(line) for line in round_result)
    if not isinstance(round_result, str):
        raise AnsibleFilterError('job_running: the input must be a registered round or its output, got %s'
                                 % type(round_result).__name__)
    said = RUNNING.search(round_result.replace('\r\n', '\n').strip())
    return said.groupdict() if said else {}


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {'job_running': job_running}
