#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The documentation of the chatwoot_render action plugin (plugins/action/chatwoot_render.py), which runs on the
# controller: there is no module code.
from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_render
short_description: Render templates on the controller into strings, with their SHA-1 checksums
version_added: 1.0.0
description:
  - Renders each template named in O(templates) with the task's variables, as the P(ansible.builtin.template#lookup)
    lookup renders it with its default options (the same text, C(ansible_managed) and the C(template_*) variables
    included, includes looked up beside the template first), and returns the texts and their SHA-1 checksums.
    Nothing is written anywhere; the caller writes the text where it belongs (the sinapum.chatwoot.chatwoot role
    compares the checksums with the files on the host, and hands the text to M(sinapum.chatwoot.chatwoot_files)
    only when they differ).
  - The lookup copies every variable of the host, deeply, before each template it renders; this action copies the
    mapping only, as M(ansible.builtin.template) does (the deep copy is about a quarter of a re-run's render on
    ansible-core 2.19).
  - Templates are found as M(ansible.builtin.template) finds its O(ansible.builtin.template#module:src), in the
    C(templates) directory of the role that runs the task first.
  - The result holds the rendered text, which may hold secrets, so give the task C(no_log) when it does.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
  - sinapum.chatwoot.controller_action
options:
  templates:
    description:
      - The templates to render, each under the key its text is returned by.
      - A value is a template's file name, as M(ansible.builtin.template) takes its O(ansible.builtin.template#module:src).
    type: dict
    required: true
seealso:
  - plugin: ansible.builtin.template
    plugin_type: lookup
  - module: ansible.builtin.template
"""

EXAMPLES = r"""
- name: Render .env and the compose file
  sinapum.chatwoot.chatwoot_render:
    templates:
      env: env.j2
      compose: docker-compose.yml.j2
  register: rendered
  no_log: true

- name: Say whether the compose file on the host is the one rendered
  ansible.builtin.debug:
    msg: "{{ 'current' if compose_stat.stat.checksum | default('') == rendered.sha1.compose else 'differs' }}"
"""

RETURN = r"""
content:
  description: Each template's text, under its key in O(templates).
  returned: always
  type: dict
  sample: {"compose": "# Ansible managed\nservices:\n  postgres: ...\n"}
sha1:
  description: The SHA-1 checksum of each text (of its UTF-8 bytes), under its key in O(templates).
  returned: always
  type: dict
  sample: {"compose": "1e5d8a0e0fb2c3b1a6d7e9c0f1a2b3c4d5e6f708"}
"""
