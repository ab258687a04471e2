#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_user
short_description: Create, update or delete a Chatwoot user (login) through the Platform API
version_added: 1.1.0
description:
  - Makes a Chatwoot user exist with a name and a password, confirmed (no invitation e-mail), or deletes it, through
    the Platform API with a Platform App's token. Give the user a role in an account with
    M(sinapum.chatwoot.chatwoot_account_user) or M(sinapum.chatwoot.chatwoot_agent).
  - B(How the user is found.) By O(email), which Chatwoot keeps unique (lower-cased). The Platform API has no search;
    the only way it finds a user by e-mail is C(POST /platform/api/v1/users), which answers with the existing user of
    that e-mail (ignoring the other fields) or creates one. The module sends the e-mail alone, and Chatwoot then answers
    with the existing user, or refuses (422, no name) and creates nobody.
  - That lookup has effects on an existing user, which Chatwoot makes whenever it is asked; the user is marked
    confirmed, and the Platform App is permitted on it (so that it may read, change and delete it). Nothing the module
    manages changes.
  - The password cannot be read back; it is set when the user is created, and on every run with
    O(update_password=always) (then the task always reports a change).
  - O(custom_attributes) are merged into the user's by Chatwoot; keys can be added or changed, not removed.
  - B(Deletion is asynchronous in Chatwoot;) the module waits until the user is gone (O(wait)).
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sinapum.chatwoot.chatwoot_api
  - sinapum.chatwoot.chatwoot_api.platform
  - sinapum.chatwoot.chatwoot_api.wait
attributes:
  check_mode:
    support: partial
    details:
      - Nothing the module manages is changed, but the lookup by e-mail (see the description) is made, so an existing
        user found in check mode becomes confirmed and permitted to the Platform App as in a real run.
  diff_mode:
    support: full
    details: Before and after of the options given; the password is never shown.
  platform:
    platforms: posix
options:
  email:
    description:
      - The user's e-mail address, which is also their login.
    type: str
    required: true
  name:
    description:
      - The user's full name. Required to create the user.
    type: str
  display_name:
    description:
      - The name shown to customers instead of O(name).
    type: str
  password:
    description:
      - The password, by Chatwoot's rules (6 to 128 characters, an upper-case and a lower-case letter, a digit and one
        of C( !@#$%^&*()_+-=[]{}|"/\.,`<>:;?~'), no other character). Required to create the user.
    type: str
  update_password:
    description:
      - V(on_create) sets the password only when the user is created; V(always) sets it on every run.
    type: str
    choices: [on_create, always]
    default: on_create
  custom_attributes:
    description:
      - Custom attributes to set (merged into the user's).
    type: dict
  state:
    description:
      - V(present) makes the user exist as described; V(absent) deletes the user (from every account).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sinapum.chatwoot.chatwoot_account_user
  - module: sinapum.chatwoot.chatwoot_agent
"""

EXAMPLES = r"""
- name: A login for Ana, without an invitation e-mail
  sinapum.chatwoot.chatwoot_user:
    email: ana@sinapum.example
    name: Ana Souza
    password: "{{ vault_ana_password }}"

- name: Remove Bruno
  sinapum.chatwoot.chatwoot_user:
    email: bruno@sinapum.example
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user as the Platform API shows it after the task (before it, in check mode); C({}) when absent.
    - Its C(access_token) and C(pubsub_token) are masked.
  returned: always
  type: dict
  sample: {id: 7, name: Ana Souza, email: ana@sinapum.example, confirmed: true, access_token: "********",
           accounts: [{id: 1, name: SinapUm, role: agent}]}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "user ana@sinapum.example created (id 7)"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    PLATFORM,
    BadInput,
    changes,
    check_email,
    connection_argument_spec,
    delete_and_wait,
    diff_of,
    find_user_by_email,
    masked,
    password_problem,
    platform_path,
    run_module,
    wait_argument_spec,
)

SECRETS = frozenset(('access_token', 'pubsub_token', 'password'))


def argument_spec():
    spec = connection_argument_spec(PLATFORM)
    spec.update(
        email=dict(type='str', required=True),
        name=dict(type='str'),
        display_name=dict(type='str'),
        password=dict(type='str', no_log=True),
        update_password=dict(type='str', choices=['on_create', 'always'], default='on_create', no_log=False),
        custom_attributes=dict(type='dict'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    spec.update(wait_argument_spec())
    return spec


def custom_attribute_changes(current, wanted):
    """Merged by Chatwoot: only the given keys count."""
    if wanted is None:
        return None
    have = current.get('custom_attributes') or {}
    return dict((k, v) for k, v in wanted.items() if have.get(k) != v) or None


def reconcile(client, params, check_mode, result):
    email = check_email('email', params['email'])
    if params['password'] is not None:
        problem = password_problem(params['password'])
        if problem:
            raise BadInput('password ' + problem)
    current = find_user_by_email(client, email)
    if params['state'] == 'absent':
        result['diff'] = diff_of(masked(current, SECRETS), None)
        if current is None:
            result['msg'] = 'user %s absent' % email
            return
        result['changed'] = True
        result['user'] = masked(current, SECRETS)
        if check_mode:
            result['msg'] = 'user %s (id %s) would be deleted' % (email, current['id'])
            return
        delete_and_wait(client, platform_path('users', current['id']), params, 'user %s' % email)
        result['user'] = {}
        result['msg'] = 'user %s (id %s) deleted' % (email, current['id'])
        return

    wanted = dict(name=params['name'], display_name=params['display_name'])
    if current is None:
        missing = [k for k in ('name', 'password') if not params[k]]
        if missing:
            raise BadInput('user %s does not exist; to create it give %s' % (email, ' and '.join(missing)))
        wanted.update(email=email, custom_attributes=params['custom_attributes'])
        result['changed'] = True
        result['diff'] = diff_of(None, wanted)
        if check_mode:
            result['msg'] = 'user %s would be created' % email
            return
        body = dict((k, v) for k, v in wanted.items() if v is not None)
        body['password'] = params['password']
        result['user'] = masked(client.post(platform_path('users'), body), SECRETS)
        result['msg'] = 'user %s created (id %s)' % (email, result['user']['id'])
        return

    differences = changes(current, wanted)
    extra = custom_attribute_changes(current, params['custom_attributes'])
    body = dict((k, v[1]) for k, v in differences.items())
    shown = dict(body)
    if extra:
        body['custom_attributes'] = extra
        merged = dict(current.get('custom_attributes') or {})
        merged.update(extra)
        shown['custom_attributes'] = merged
    if params['password'] is not None and params['update_password'] == 'always':
        body['password'] = params['password']
        shown['password'] = params['password']
    result['user'] = masked(current, SECRETS)
    result['diff'] = diff_of(masked(current, SECRETS), masked(shown, SECRETS), SECRETS)
    if not body:
        result['msg'] = 'user %s (id %s) as wanted' % (email, current['id'])
        return
    result['changed'] = True
    if check_mode:
        result['msg'] = 'user %s would change: %s' % (email, ', '.join(sorted(body)))
        return
    result['user'] = masked(client.patch(platform_path('users', current['id']), body), SECRETS)
    result['msg'] = 'user %s changed: %s' % (email, ', '.join(sorted(body)))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', user={}, diff=dict(before={}, after={}))
    run_module(module, PLATFORM, lambda client, result: reconcile(client, module.params, module.check_mode, result),
               result)


if __name__ == '__main__':
    main()
