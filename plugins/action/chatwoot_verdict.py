# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chatwoot_verdict action, documented in plugins/modules/chatwoot_verdict.py: a check's problems stop the run,
its warnings are shown, in one step that templates the check once."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = dict(
    verdict=dict(type='dict', required=True, options=dict(
        problems=dict(type='list', elements='str', default=[]),
        warnings=dict(type='list', elements='str', default=[]),
    )),
)


def judge(verdict):
    """The result for VERDICT (problems and warnings, lists of lines): failed with the problems, else the warnings
    shown. Always msg (and changed); the lines are not repeated beside it, which a failure would print twice."""
    problems, warnings = list(verdict['problems']), list(verdict['warnings'])
    result = dict(changed=False, msg='')
    if problems:
        result.update(failed=True, msg='\n'.join(problems))
    elif warnings:
        # Shown as a debug task's message is, at every verbosity.
        result.update(msg='\n'.join(warnings), _ansible_verbose_always=True)
    return result


class ActionModule(ActionBase):
    """Fail with the verdict's problems, or show its warnings."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result.update(judge(args['verdict']))
        return result
