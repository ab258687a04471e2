#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_label
short_description: Create, update or delete a label of a Chatwoot account
version_added: 1.1.0
description:
  - Makes a label of a Chatwoot account exist, or deletes it, through the Application API with an administrator's
    token.
  - B(How the label is found.) By O(title). Chatwoot stores titles in lower case and keeps them unique in an account,
    so V(Cliente-VIP) and V(cliente-vip) are the same label; the module compares in lower case.
  - A title is letters and digits, then letters, digits, C(_) or C(-), at least two characters and no spaces
    (Chatwoot's rule); another title is refused before anything changes.
  - Deleting a label also removes it from conversations, later, in Chatwoot's worker.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sinapum.chatwoot.chatwoot_api
  - sinapum.chatwoot.chatwoot_api.application
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Before and after of O(description), O(color) and O(show_on_sidebar).
  platform:
    platforms: posix
options:
  title:
    description:
      - The label's title (stored in lower case).
    type: str
    required: true
  description:
    description:
      - What the label means.
    type: str
  color:
    description:
      - The label's color, C(#rrggbb) (Chatwoot's default is C(#1f93ff)).
    type: str
  show_on_sidebar:
    description:
      - List the label in the dashboard's sidebar.
    type: bool
  state:
    description:
      - V(present) makes the label exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: A label for important customers
  sinapum.chatwoot.chatwoot_label:
    title: cliente-vip
    description: Clientes com contrato premium
    color: "#d97706"
    show_on_sidebar: true
"""

RETURN = r"""
label:
  description: The label as Chatwoot shows it after the task (before it, in check mode); C({}) when absent.
  returned: always
  type: dict
  sample: {id: 1, title: cliente-vip, description: Clientes com contrato premium, color: "#d97706", show_on_sidebar: true}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "label 'cliente-vip' created (id 1)"
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    BadInput,
    Resource,
    connection_argument_spec,
    reconcile_resource,
    run_module,
)

LABELS = Resource('labels', 'label', 'title', ('description', 'color', 'show_on_sidebar'), 'label')
# lib/regex_helper.rb UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE: [\p{L}\p{N}]+[\p{L}\p{N}_-]+
TITLE_RE = re.compile(r'\A[^\W_]+[\w-]+\Z', re.UNICODE)
COLOR_RE = re.compile(r'\A#[0-9A-Fa-f]{6}\Z')


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        title=dict(type='str', required=True),
        description=dict(type='str'),
        color=dict(type='str'),
        show_on_sidebar=dict(type='bool'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    return spec


def reconcile(client, params, check_mode, result):
    title = params['title'].lower()  # Label's before_validation: title.downcase
    if not TITLE_RE.match(title):
        raise BadInput('title %r is not one Chatwoot accepts: letters and digits, then letters, digits, _ or -, at '
                       'least two characters, no spaces' % params['title'])
    if params['color'] is not None and not COLOR_RE.match(params['color']):
        raise BadInput('color %r is not #rrggbb' % params['color'])
    wanted = dict(description=params['description'], color=params['color'], show_on_sidebar=params['show_on_sidebar'])
    reconcile_resource(client, params, check_mode, result, LABELS, title, wanted, 'label')


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', label={}, diff=dict(before={}, after={}))
    run_module(module, APPLICATION,
               lambda client, result: reconcile(client, module.params, module.check_mode, result), result)


if __name__ == '__main__':
    main()
