#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_agent
short_description: Add, change or remove an agent of a Chatwoot account
version_added: 1.1.0
description:
  - Makes a person an agent or administrator of one Chatwoot account, or removes them from it, through the
    Application API (C(/api/v1/accounts/<id>/agents)) with an administrator's token.
  - B(How the agent is found.) By O(email) among the account's members (Chatwoot keeps e-mail addresses unique and
    lower-cased).
  - When no user has that e-mail yet, Chatwoot creates one, unconfirmed, and sends them an invitation e-mail to set a
    password. To make a user with a password and no invitation, use M(sinapum.chatwoot.chatwoot_user) first. When a
    user of that e-mail exists (in another account, or made by M(sinapum.chatwoot.chatwoot_user)), Chatwoot adds that
    user; the module then sets O(name) if it differs.
  - O(name) is the user's, so changing it changes it in every account of the user.
  - Chatwoot Enterprise clears an agent's custom role on every change that does not name it; the module sends the
    agent's current custom role with each change, so it stays.
  - V(absent) removes the person from the account only; Chatwoot deletes a user left in no account, later, in its
    worker.
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
    details: Before and after of O(name), O(role) and O(auto_offline).
  platform:
    platforms: posix
options:
  email:
    description:
      - The agent's e-mail address.
    type: str
    required: true
  name:
    description:
      - The agent's full name. When the agent is created without one, Chatwoot names them after their e-mail's local
        part.
    type: str
  role:
    description:
      - The agent's role in the account. When omitted, a new member is an V(agent) and an existing one keeps their
        role.
    type: str
    choices: [agent, administrator]
  auto_offline:
    description:
      - Whether Chatwoot marks the agent offline when they leave the dashboard (Chatwoot's default is V(true)).
    type: bool
  state:
    description:
      - V(present) makes the person a member as described; V(absent) removes them from the account.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sinapum.chatwoot.chatwoot_user
  - module: sinapum.chatwoot.chatwoot_inbox
  - module: sinapum.chatwoot.chatwoot_team
"""

EXAMPLES = r"""
- name: Two agents of the first account of a host deployed by the role
  sinapum.chatwoot.chatwoot_agent:
    email: "{{ item.email }}"
    name: "{{ item.name }}"
    role: agent
  loop:
    - {email: ana@sinapum.example, name: Ana Souza}
    - {email: bruno@sinapum.example, name: Bruno Lima}

- name: Carla administers the account
  sinapum.chatwoot.chatwoot_agent:
    email: carla@sinapum.example
    role: administrator

- name: Bruno leaves it
  sinapum.chatwoot.chatwoot_agent:
    email: bruno@sinapum.example
    state: absent
"""

RETURN = r"""
agent:
  description: The agent as Chatwoot shows it after the task (before it, in check mode); C({}) when absent.
  returned: always
  type: dict
  sample: {id: 7, email: ana@sinapum.example, name: Ana Souza, role: agent, confirmed: false, auto_offline: true,
           availability_status: offline, account_id: 1}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "agent ana@sinapum.example added (id 7)"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    account_path,
    changes,
    check_email,
    connection_argument_spec,
    diff_of,
    items,
    run_module,
)

MANAGED = ('name', 'role', 'auto_offline')


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        email=dict(type='str', required=True),
        name=dict(type='str'),
        role=dict(type='str', choices=['agent', 'administrator']),
        auto_offline=dict(type='bool'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    return spec


def find_agent(client, params, email):
    agents = items('agents', client.get(account_path(params, 'agents')))
    return next((a for a in agents if (a.get('email') or '').lower() == email), None)


def update(client, params, agent, body):
    # Chatwoot Enterprise sets custom_role_id from the request on every update: send the current one back.
    return client.patch(account_path(params, 'agents', agent['id']),
                        {'agent': body, 'custom_role_id': agent.get('custom_role_id')})


def reconcile(client, params, check_mode, result):
    email = check_email('email', params['email'])
    current = find_agent(client, params, email)
    if params['state'] == 'absent':
        result['diff'] = diff_of(current and dict((k, current.get(k)) for k in MANAGED), None)
        if current is None:
            result['msg'] = 'agent %s absent' % email
            return
        result['changed'] = True
        result['agent'] = current
        if not check_mode:
            client.delete(account_path(params, 'agents', current['id']))
            result['agent'] = {}
        result['msg'] = 'agent %s %s' % (email, 'would be removed' if check_mode else 'removed')
        return

    wanted = dict((k, params[k]) for k in MANAGED)
    if current is None:
        result['changed'] = True
        result['diff'] = diff_of(None, dict(wanted, email=email))
        if check_mode:
            result['msg'] = 'agent %s would be added' % email
            return
        body = dict((k, v) for k, v in dict(wanted, email=email).items() if v is not None)
        agent = client.post(account_path(params, 'agents'), {'agent': body})
        if params['name'] is not None and agent.get('name') != params['name']:
            agent = update(client, params, agent, {'name': params['name']})  # an existing user kept their name
        result['agent'] = agent
        result['msg'] = 'agent %s added (id %s)' % (email, agent['id'])
        return

    differences = changes(current, wanted)
    result['agent'] = current
    result['diff'] = diff_of(current, dict((k, v[1]) for k, v in differences.items()))
    if not differences:
        result['msg'] = 'agent %s as wanted' % email
        return
    result['changed'] = True
    if check_mode:
        result['msg'] = 'agent %s would change: %s' % (email, ', '.join(sorted(differences)))
        return
    result['agent'] = update(client, params, current, dict((k, v[1]) for k, v in differences.items()))
    result['msg'] = 'agent %s changed: %s' % (email, ', '.join(sorted(differences)))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', agent={}, diff=dict(before={}, after={}))
    run_module(module, APPLICATION,
               lambda client, result: reconcile(client, module.params, module.check_mode, result), result)


if __name__ == '__main__':
    main()
