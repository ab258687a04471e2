#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_info
short_description: Read what a Chatwoot account has (agents, inboxes, teams, webhooks, labels, canned responses)
version_added: 1.1.0
description:
  - Reads one Chatwoot account through the Application API and returns its agents, inboxes, teams, webhooks, labels
    and canned responses as Chatwoot answers them, each list taken out of its own answer shape.
  - Secrets Chatwoot shows an administrator (the webhooks' C(secret), the API inboxes' C(hmac_token) and C(secret), the
    e-mail inboxes' IMAP and SMTP passwords, the widgets' C(hmac_token)) are replaced by C(********).
  - The module only reads.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sinapum.chatwoot.chatwoot_api
  - sinapum.chatwoot.chatwoot_api.application
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode reads the same.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  gather:
    description:
      - What to read. Webhooks are read only by an account's administrators (Chatwoot answers 401 to agents).
    type: list
    elements: str
    choices: [agents, inboxes, teams, webhooks, labels, canned_responses]
    default: [agents, inboxes, teams, webhooks, labels, canned_responses]
  members:
    description:
      - Also read each inbox's and each team's members (one more request per inbox and per team), as lists of
        e-mail addresses in a key C(members) of each inbox and team.
    type: bool
    default: false
seealso:
  - module: sinapum.chatwoot.chatwoot_inbox
  - module: sinapum.chatwoot.chatwoot_agent
"""

EXAMPLES = r"""
- name: What the first account of a host deployed by the role has
  sinapum.chatwoot.chatwoot_info:
  register: chatwoot

- name: The inboxes and their members, with an explicit token
  sinapum.chatwoot.chatwoot_info:
    api_url: https://support.sinapum.example
    api_token: "{{ vault_chatwoot_admin_token }}"
    account_id: 2
    gather: [inboxes]
    members: true
  register: account
"""

RETURN = r"""
account_id:
  description: The account read.
  returned: always
  type: int
  sample: 1
agents:
  description: The account's users with their role (Chatwoot's agent objects), by name.
  returned: always
  type: list
  elements: dict
  sample: [{id: 1, name: Administrator, email: admin@sinapum.example, role: administrator, confirmed: true}]
inboxes:
  description: The inboxes visible to the token's user, by name.
  returned: always
  type: list
  elements: dict
  sample: [{id: 3, name: WhatsApp, channel_type: Channel::Api, webhook_url: "http://evolution:8080/chatwoot"}]
teams:
  description: The teams.
  returned: always
  type: list
  elements: dict
webhooks:
  description: The account's webhooks (URL, subscriptions, inbox), their secrets masked.
  returned: always
  type: list
  elements: dict
labels:
  description: The labels, by title.
  returned: always
  type: list
  elements: dict
canned_responses:
  description: The canned responses (C(short_code), C(content)).
  returned: always
  type: list
  elements: dict
msg:
  description: What was read, or why it failed.
  returned: always
  type: str
  sample: "read agents (2), inboxes (3), teams (1), webhooks (1), labels (0), canned_responses (0)"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    account_path,
    connection_argument_spec,
    items,
    masked,
    run_module,
)

KINDS = ('agents', 'inboxes', 'teams', 'webhooks', 'labels', 'canned_responses')
SECRETS = frozenset(('secret', 'hmac_token', 'imap_password', 'smtp_password'))


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        gather=dict(type='list', elements='str', choices=list(KINDS), default=list(KINDS)),
        members=dict(type='bool', default=False),
    )
    return spec


def gather(client, params, result):
    read = []
    for kind in KINDS:
        if kind not in params['gather']:
            continue
        objects = [masked(o, SECRETS) for o in items(kind, client.get(account_path(params, kind)))]
        if params['members'] and kind == 'inboxes':
            for inbox in objects:
                answer = client.get(account_path(params, 'inbox_members', inbox['id']))
                inbox['members'] = sorted(a['email'] for a in items('inbox_members', answer))
        if params['members'] and kind == 'teams':
            for team in objects:
                answer = client.get(account_path(params, 'teams', team['id'], 'team_members'))
                team['members'] = sorted(a['email'] for a in items('team_members', answer))
        result[kind] = objects
        read.append('%s (%d)' % (kind, len(objects)))
    result['msg'] = 'read ' + ', '.join(read)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', account_id=module.params['account_id'],
                  **dict((kind, []) for kind in KINDS))

    def handler(client, result):
        result['account_id'] = module.params['account_id']
        gather(client, module.params, result)

    run_module(module, APPLICATION, handler, result)


if __name__ == '__main__':
    main()
