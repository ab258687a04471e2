# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters on chatwoot_host_info's read and on the role's variables: each is a decision of
module_utils/_deploy_plan.py (or plugin_utils/_input_checks.py), whose PlanError a playbook sees as a filter error
that names the filter."""

from __future__ import annotations

import importlib

from ansible.errors import AnsibleFilterError

_PLUGINS = 'ansible_collections.sinapum.chatwoot.plugins.'


def plan_filter(name, module='module_utils._deploy_plan'):
    """The decision NAME of MODULE (module_utils/_deploy_plan.py unless told, relative to plugins/) as a filter.

    The module is imported when the filter first runs, not when its file is loaded: Ansible runs each task in a process
    of its own, which loads every filter file of the collection (from source, with what they import) as soon as the task
    names any one of them, and the decisions are most of that code (_input_checks.py alone about 15 ms to compile)."""
    def run(*args, **kwargs):
        plan = importlib.import_module(_PLUGINS + 'module_utils._deploy_plan')
        decisions = importlib.import_module(_PLUGINS + module)
        try:
            return getattr(decisions, name)(*args, **kwargs)
        except plan.PlanError as exc:
            raise AnsibleFilterError('%s: %s' % (name, exc)) from exc
    run.__name__ = run.__qualname__ = name
    return run
