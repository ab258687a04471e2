#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_canned_response
short_description: Create, update or delete a canned response of a Chatwoot account
version_added: 1.1.0
description:
  - Makes a canned response (a reply agents insert by typing C(/) and its short code) exist, or deletes it, through
    the Application API. Any member of the account may, agents included.
  - B(How it is found.) By O(short_code), which Chatwoot keeps unique in an account (exactly as written).
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
    details: Before and after of O(content).
  platform:
    platforms: posix
options:
  short_code:
    description:
      - The short code.
    type: str
    required: true
  content:
    description:
      - The reply. Required when the canned response is created.
    type: str
  state:
    description:
      - V(present) makes the canned response exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: A greeting
  sinapum.chatwoot.chatwoot_canned_response:
    short_code: oi
    content: Olá! Em que podemos ajudar?
"""

RETURN = r"""
canned_response:
  description: The canned response (Chatwoot's row) after the task (before it, in check mode); C({}) when absent.
  returned: always
  type: dict
  sample: {id: 1, account_id: 1, short_code: oi, content: "Olá! Em que podemos ajudar?"}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "canned response 'oi' created (id 1)"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    BadInput,
    Resource,
    connection_argument_spec,
    reconcile_resource,
    run_module,
)

CANNED = Resource('canned_responses', 'canned_response', 'short_code', ('content',), 'canned response',
                  required=('content',))


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        short_code=dict(type='str', required=True),
        content=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    return spec


def reconcile(client, params, check_mode, result):
    if not params['short_code'].strip():
        raise BadInput('short_code must not be blank')
    if params['state'] == 'present' and params['content'] is not None and not params['content'].strip():
        raise BadInput('content must not be blank (Chatwoot refuses it)')
    reconcile_resource(client, params, check_mode, result, CANNED, params['short_code'],
                       dict(content=params['content']), 'canned_response')


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', canned_response={}, diff=dict(before={}, after={}))
    run_module(module, APPLICATION,
               lambda client, result: reconcile(client, module.params, module.check_mode, result), result)


if __name__ == '__main__':
    main()
