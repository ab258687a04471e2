#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_team
short_description: Create, update or delete a team of a Chatwoot account and its members
version_added: 1.1.0
description:
  - Makes a team of a Chatwoot account exist with its members, or deletes it, through the Application API with an
    administrator's token.
  - B(How the team is found.) By O(name). Chatwoot stores team names in lower case and keeps them unique in an
    account, so V(Suporte N1) and V(suporte n1) are the same team; the module compares in lower case and the result
    shows Chatwoot's name.
  - O(members) is the whole set of the team's agents (Chatwoot replaces the set); every member must be an agent of the
    account (see M(sinapum.chatwoot.chatwoot_agent)), which is checked before anything changes; in check mode an
    address that is no agent yet is shown as a member to be, since an earlier task of the run may add it.
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
    details: Before and after of O(description), O(allow_auto_assign) and the members.
  platform:
    platforms: posix
options:
  name:
    description:
      - The team's name (stored in lower case).
    type: str
    required: true
  description:
    description:
      - What the team does.
    type: str
  allow_auto_assign:
    description:
      - Assign the team's conversations to its agents automatically (Chatwoot's default is V(true)).
    type: bool
  members:
    description:
      - The e-mail addresses of the team's agents, as a whole (V([]) for none). Omitted, the members are left as they
        are.
    type: list
    elements: str
  state:
    description:
      - V(present) makes the team exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sinapum.chatwoot.chatwoot_agent
"""

EXAMPLES = r"""
- name: The first-line support team
  sinapum.chatwoot.chatwoot_team:
    name: Suporte N1
    description: Primeiro atendimento
    members: [ana@sinapum.example, bruno@sinapum.example]
"""

RETURN = r"""
team:
  description: The team as Chatwoot shows it after the task (before it, in check mode); C({}) when absent.
  returned: always
  type: dict
  sample: {id: 1, name: suporte n1, description: Primeiro atendimento, allow_auto_assign: true, account_id: 1,
           is_member: false}
members:
  description: The e-mail addresses of the team's agents after the task (before it, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ana@sinapum.example, bruno@sinapum.example]
msg:
  description: What was done.
  returned: always
  type: str
  sample: "team 'suporte n1' created (id 1); members set: ana@sinapum.example, bruno@sinapum.example"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    Resource,
    account_path,
    agent_ids,
    connection_argument_spec,
    emails_of,
    items,
    reconcile_resource,
    run_module,
)

TEAMS = Resource('teams', 'team', 'name', ('description', 'allow_auto_assign'), 'team')


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        allow_auto_assign=dict(type='bool'),
        members=dict(type='list', elements='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    return spec


def team_members(client, params, team_id):
    return emails_of(items('team_members', client.get(account_path(params, 'teams', team_id, 'team_members'))))


def reconcile(client, params, check_mode, result):
    name = params['name'].lower()  # Team's before_validation: name.downcase
    members = agent_ids(client, params, None if params['state'] == 'absent' else params['members'], check_mode)
    wanted = dict(description=params['description'], allow_auto_assign=params['allow_auto_assign'])
    team = reconcile_resource(client, params, check_mode, result, TEAMS, name, wanted, 'team')
    had = team_members(client, params, team['id']) if team and team.get('id') else []
    result['members'] = had
    if members is None or sorted(members) == had:
        return
    result['changed'] = True
    result['diff']['before']['members'] = had
    result['diff']['after']['members'] = sorted(members)
    done = 'members set: ' + (', '.join(sorted(members)) or 'none')
    if check_mode or not team:
        result['msg'] += '; ' + done + (' (would be)' if check_mode else '')
        return
    # PATCH replaces the whole set and answers it (TeamMembersController#update); POST answers only the users added.
    answer = client.patch(account_path(params, 'teams', team['id'], 'team_members'),
                          {'user_ids': sorted(members.values())})
    result['members'] = emails_of(items('team_members', answer))
    result['msg'] += '; ' + done


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', team={}, members=[], diff=dict(before={}, after={}))
    run_module(module, APPLICATION,
               lambda client, result: reconcile(client, module.params, module.check_mode, result), result)


if __name__ == '__main__':
    main()
