# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters on chatwoot_host_info's read and on the role's variables: each is a decision of
module_utils/_deploy_plan.py (or plugin_utils/_input_checks.py), whose PlanError a playbook sees as a filter error
that names the filter."""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.sinapum.chatwoot.plugins.module_utils import _deploy_plan


def plan_filter(name, module=_deploy_plan):
    """The decision MODULE.NAME (module_utils/_deploy_plan.py's unless told) as a filter."""
    decision = getattr(module, name)

    @functools.wraps(decision)
    def run(*args, **kwargs):
        try:
            return decision(*args, **kwargs)
        except _deploy_plan.PlanError as exc:
            raise AnsibleFilterError('%s: %s' % (name, exc)) from exc
    return run
