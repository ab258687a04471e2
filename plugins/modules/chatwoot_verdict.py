#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The documentation of the chatwoot_verdict action plugin (plugins/action/chatwoot_verdict.py), which runs on the
# controller: there is no module code.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_verdict
short_description: Stop with a check's problems, or show its warnings, in one step
version_added: 1.0.0
description:
  - Takes the result of a check of the variables - its problems, which must stop the run, and its warnings, values
    used as given that the user should know about - and fails the task with every problem, one line each, or, when
    there is none, shows the warnings as M(ansible.builtin.debug) shows a message. With neither, the task is ok and
    shows nothing.
  - One task where M(ansible.builtin.fail) and a M(ansible.builtin.debug) loop take two, and the check, often the costly
    part, is templated once.
  - The sinapum.chatwoot.chatwoot role gives it the filter P(sinapum.chatwoot.input_checks#filter)'s answer before
    anything on the host is changed.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
  - sinapum.chatwoot.controller_action
options:
  verdict:
    description:
      - The check's answer.
    type: dict
    required: true
    suboptions:
      problems:
        description:
          - What must stop the run, one line each. Any fails the task.
        type: list
        elements: str
        default: []
      warnings:
        description:
          - What is used as given but deserves a word, one line each. Shown when there is no problem.
        type: list
        elements: str
        default: []
seealso:
  - module: ansible.builtin.assert
  - module: ansible.builtin.fail
"""

EXAMPLES = r"""
- name: Check the chatwoot variables
  sinapum.chatwoot.chatwoot_verdict:
    verdict: "{{ chatwoot_settings | sinapum.chatwoot.input_checks(['layout', 'deploy']) }}"

- name: Stop on a problem found by hand
  sinapum.chatwoot.chatwoot_verdict:
    verdict:
      problems: "{{ ['chatwoot_backup_dir is inside chatwoot_project_dir'] if inside else [] }}"
"""

RETURN = r"""
msg:
  description: The problems, one line each, when there is any; else the warnings, one line each; else empty.
  returned: always
  type: str
  sample: "warning: chatwoot_redis_password is weak (12 characters): it is used as given."
"""
