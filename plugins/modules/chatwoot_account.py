#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_account
short_description: Create, update or delete a Chatwoot account through the Platform API
version_added: 1.1.0
description:
  - Makes a Chatwoot account exist with the given settings, or deletes it, through the Platform API with a Platform
    App's token.
  - B(How the account is found.) By O(id) when given; else by O(name) among the accounts the Platform App may act on
    (Chatwoot lists only those, the accounts it created and those it was permitted on, such as the first account of
    the P(sinapum.chatwoot.chatwoot#role) role). Chatwoot does not keep account names unique; when several match, the
    task fails and names their ids.
  - Only the options given are compared and changed; C(custom_attributes) and C(limits) are replaced as a whole, as
    Chatwoot replaces them.
  - B(Deletion is asynchronous in Chatwoot:) it answers at once and its worker deletes the account later. The module
    waits until the account is gone (O(wait)).
  - B(A known fault of Chatwoot 4.15.1:) deleting an account leaves the Platform App's permission on it behind, and
    from then on Chatwoot answers 500 to the list of accounts, so accounts can only be found by O(id). The failure
    says how to remove the stale rows.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sinapum.chatwoot.chatwoot_api
  - sinapum.chatwoot.chatwoot_api.platform
  - sinapum.chatwoot.chatwoot_api.wait
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Before and after of the options given.
  platform:
    platforms: posix
options:
  name:
    description:
      - The account's name. Required to create one; with O(id), the new name.
    type: str
  id:
    description:
      - The account's id. Takes precedence over O(name) to find it.
    type: int
  state:
    description:
      - V(present) makes the account exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  locale:
    description:
      - The account's language, as Chatwoot names it (V(en), V(pt_BR), ...).
    type: str
  domain:
    description:
      - The domain of the account's inbound e-mail (reply addresses), at most 100 characters.
    type: str
  support_email:
    description:
      - The sender address of the account's e-mails. When blank Chatwoot shows C(MAILER_SENDER_EMAIL) instead.
    type: str
  status:
    description:
      - V(suspended) locks every user out of the account.
    type: str
    choices: [active, suspended]
  custom_attributes:
    description:
      - The account's custom attributes, as a whole.
    type: dict
  limits:
    description:
      - Chatwoot Enterprise's usage limits, as a whole; numbers for the keys C(inboxes), C(agents),
        C(captain_responses), C(captain_documents) and C(emails) only.
    type: dict
seealso:
  - module: sinapum.chatwoot.chatwoot_account_user
"""

EXAMPLES = r"""
- name: An account for the branch office
  sinapum.chatwoot.chatwoot_account:
    name: SinapUm Filial
    locale: pt_BR
    support_email: suporte@filial.sinapum.example
  register: branch

- name: Suspend it
  sinapum.chatwoot.chatwoot_account:
    id: "{{ branch.account.id }}"
    status: suspended

- name: Delete it
  sinapum.chatwoot.chatwoot_account:
    id: "{{ branch.account.id }}"
    state: absent
"""

RETURN = r"""
account:
  description: The account as Chatwoot shows it after the task (before it, in check mode); C({}) when absent.
  returned: always
  type: dict
  sample: {id: 2, name: SinapUm Filial, locale: pt_BR, domain: null, support_email: suporte@filial.sinapum.example,
           features: {}, custom_attributes: {}, limits: {}, status: active}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "account 'SinapUm Filial' created (id 2)"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    PLATFORM,
    BadInput,
    ChatwootError,
    changes,
    connection_argument_spec,
    delete_and_wait,
    diff_of,
    find_one,
    items,
    platform_path,
    run_module,
    wait_argument_spec,
)

MANAGED = ('name', 'locale', 'domain', 'support_email', 'status', 'custom_attributes', 'limits')
LIMIT_KEYS = ('inboxes', 'agents', 'captain_responses', 'captain_documents', 'emails')
STALE_PERMISSIBLES = (
    "Chatwoot 4.15.1 answers 500 to this list once an account the Platform App could see was deleted (the deletion "
    "leaves the app's permission row behind). Give id: instead, or remove the stale rows: docker exec <web> bundle "
    "exec rails runner 'PlatformAppPermissible.where(permissible_type: \"Account\")"
    ".where.not(permissible_id: Account.select(:id)).delete_all'")


def argument_spec():
    spec = connection_argument_spec(PLATFORM)
    spec.update(
        name=dict(type='str'),
        id=dict(type='int'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        locale=dict(type='str'),
        domain=dict(type='str'),
        support_email=dict(type='str'),
        status=dict(type='str', choices=['active', 'suspended']),
        custom_attributes=dict(type='dict'),
        limits=dict(type='dict'),
    )
    spec.update(wait_argument_spec())
    return spec


def check_input(params):
    if params['id'] is None and not params['name']:
        raise BadInput('give the account\'s name (or its id)')
    if params['domain'] is not None and len(params['domain']) > 100:
        raise BadInput('domain is longer than 100 characters, which Chatwoot refuses')
    for key, value in (params['limits'] or {}).items():
        if key not in LIMIT_KEYS or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadInput('limits takes numbers for %s only (got %s: %r)' % (', '.join(LIMIT_KEYS), key, value))


def wanted_of(params):
    wanted = dict((k, params[k]) for k in MANAGED)
    if wanted['support_email'] == '':
        wanted['support_email'] = None  # blank shows the installation's sender: nothing to compare
    return wanted


def find(client, params):
    if params['id'] is not None:
        try:
            return client.get(platform_path('accounts', params['id']))
        except ChatwootError as exc:
            if exc.status == 404:
                return None
            raise
    try:
        accounts = items('accounts', client.get(platform_path('accounts')))
    except ChatwootError as exc:
        if exc.status == 500:
            raise ChatwootError(exc.method, exc.path, exc.status, exc.message + '. ' + STALE_PERMISSIBLES)
        raise
    return find_one(accounts, 'accounts', name=params['name'])


def reconcile(client, params, check_mode, result):
    check_input(params)
    current = find(client, params)
    if params['state'] == 'absent':
        result['diff'] = diff_of(current, None)
        if current is None:
            result['msg'] = 'account %s absent' % (params['id'] or repr(params['name']))
            return
        result['changed'] = True
        result['account'] = current
        if check_mode:
            result['msg'] = 'account %r (id %s) would be deleted' % (current['name'], current['id'])
            return
        delete_and_wait(client, platform_path('accounts', current['id']), params, 'account %s' % current['id'])
        result['account'] = {}
        result['msg'] = 'account %r (id %s) deleted' % (current['name'], current['id'])
        return

    wanted = wanted_of(params)
    if current is None:
        if params['id'] is not None:
            raise BadInput('no account with id %s (the Platform API cannot create one with a given id)' % params['id'])
        result['changed'] = True
        result['diff'] = diff_of(None, wanted)
        if check_mode:
            result['msg'] = 'account %r would be created' % params['name']
            return
        body = dict((k, v) for k, v in wanted.items() if v is not None)
        result['account'] = client.post(platform_path('accounts'), body)
        result['msg'] = 'account %r created (id %s)' % (params['name'], result['account']['id'])
        return

    differences = changes(current, wanted)
    result['account'] = current
    result['diff'] = diff_of(current, dict((k, v[1]) for k, v in differences.items()))
    if not differences:
        result['msg'] = 'account %r (id %s) as wanted' % (current['name'], current['id'])
        return
    result['changed'] = True
    if check_mode:
        result['msg'] = 'account %s would change: %s' % (current['id'], ', '.join(sorted(differences)))
        return
    body = dict((k, v[1]) for k, v in differences.items())
    result['account'] = client.patch(platform_path('accounts', current['id']), body)
    result['msg'] = 'account %s changed: %s' % (current['id'], ', '.join(sorted(differences)))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', account={}, diff=dict(before={}, after={}))
    run_module(module, PLATFORM, lambda client, result: reconcile(client, module.params, module.check_mode, result),
               result)


if __name__ == '__main__':
    main()
