#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_account_user
short_description: Give a Chatwoot user a role in an account, or take it away, through the Platform API
version_added: 1.1.0
description:
  - Makes a user an agent or an administrator of an account, or removes them from it, through the Platform API with
    a Platform App's token. Rights in Chatwoot come from this role only (a SuperAdmin has no rights in an account it
    is not a member of).
  - The Platform App must be permitted on the account (it created it, or was permitted on it, as the role's app is on
    the first account); any existing user may be given a role.
  - B(How the user is found.) By O(user_id), or by O(user_email) through Chatwoot's find-or-create by e-mail (see
    M(sinapum.chatwoot.chatwoot_user); an existing user found that way is marked confirmed and permitted to the
    Platform App).
  - Chatwoot answers the membership's row; it keeps one row per user and account, and the module changes only the
    role.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sinapum.chatwoot.chatwoot_api
  - sinapum.chatwoot.chatwoot_api.platform
attributes:
  check_mode:
    support: partial
    details:
      - The membership is not changed; with O(user_email) the lookup by e-mail is made as in a real run (see
        M(sinapum.chatwoot.chatwoot_user)).
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  account_id:
    description:
      - The account.
    type: int
    required: true
  user_id:
    description:
      - The user's id.
    type: int
  user_email:
    description:
      - The user's e-mail address (the user must exist, see M(sinapum.chatwoot.chatwoot_user)).
    type: str
  role:
    description:
      - The user's role in the account.
    type: str
    choices: [agent, administrator]
    default: agent
  state:
    description:
      - V(present) makes the user a member with O(role); V(absent) removes them from the account.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sinapum.chatwoot.chatwoot_user
  - module: sinapum.chatwoot.chatwoot_account
  - module: sinapum.chatwoot.chatwoot_agent
"""

EXAMPLES = r"""
- name: The first administrator also administers the branch account
  sinapum.chatwoot.chatwoot_account_user:
    account_id: "{{ branch.account.id }}"
    user_email: admin@sinapum.example
    role: administrator

- name: Bruno leaves it
  sinapum.chatwoot.chatwoot_account_user:
    account_id: 2
    user_id: 9
    state: absent
"""

RETURN = r"""
account_user:
  description: The membership (Chatwoot's row) after the task (before it, in check mode); C({}) when absent.
  returned: always
  type: dict
  sample: {id: 4, account_id: 2, user_id: 1, role: administrator, availability: online, auto_offline: true}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "user 1 is administrator of account 2"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    PLATFORM,
    BadInput,
    check_email,
    connection_argument_spec,
    diff_of,
    find_user_by_email,
    items,
    platform_path,
    run_module,
)


def argument_spec():
    spec = connection_argument_spec(PLATFORM)
    spec.update(
        account_id=dict(type='int', required=True),
        user_id=dict(type='int'),
        user_email=dict(type='str'),
        role=dict(type='str', choices=['agent', 'administrator'], default='agent'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    return spec


def user_id_of(client, params):
    if params['user_id'] is not None:
        return params['user_id']
    email = check_email('user_email', params['user_email'])
    user = find_user_by_email(client, email)
    if user is None:
        raise BadInput('no user with e-mail %s (make it with sinapum.chatwoot.chatwoot_user)' % email)
    return user['id']


def reconcile(client, params, check_mode, result):
    if params['user_id'] is None:
        check_email('user_email', params['user_email'])
    path = platform_path('accounts', params['account_id'], 'account_users')
    rows = items('account_users', client.get(path))
    user_id = user_id_of(client, params)
    current = next((r for r in rows if r.get('user_id') == user_id), None)
    result['account_user'] = current or {}
    where = 'user %s %%s account %s' % (user_id, params['account_id'])
    if params['state'] == 'absent':
        result['diff'] = diff_of(current and dict(role=current['role']), None)
        if current is None:
            result['msg'] = where % 'is not a member of'
            return
        result['changed'] = True
        if not check_mode:
            client.delete(path, {'user_id': user_id})
            result['account_user'] = {}
        result['msg'] = where % ('would be removed from' if check_mode else 'removed from')
        return
    if current is not None and current.get('role') == params['role']:
        result['msg'] = where % ('is %s of' % params['role'])
        return
    result['changed'] = True
    result['diff'] = diff_of(current and dict(role=current['role']), dict(role=params['role']))
    if not check_mode:
        result['account_user'] = client.post(path, {'user_id': user_id, 'role': params['role']})
    result['msg'] = where % ('%s %s of' % ('would be' if check_mode else 'made', params['role']))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[('user_id', 'user_email')],
                           required_one_of=[('user_id', 'user_email')])
    result = dict(changed=False, msg='', account_user={}, diff=dict(before={}, after={}))
    run_module(module, PLATFORM, lambda client, result: reconcile(client, module.params, module.check_mode, result),
               result)


if __name__ == '__main__':
    main()
