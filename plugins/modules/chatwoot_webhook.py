#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_webhook
short_description: Create, update or delete a webhook of a Chatwoot account
version_added: 1.1.0
description:
  - Makes a webhook of a Chatwoot account exist (the events it sends, the inbox it names) or deletes it,
    through the Application API with an administrator's token. Chatwoot's worker posts each subscribed event to the
    webhook's URL.
  - B(How the webhook is found.) By O(url), which Chatwoot keeps unique in an account (exactly as written).
  - O(url) must be an C(http://) or C(https://) URL (lower-case scheme) with a host; O(subscriptions) must name
    events Chatwoot knows and not be empty. Both are checked before anything changes (Chatwoot's own check of the URL
    is looser, it accepts any text containing an http URL).
  - Chatwoot signs each delivery with the webhook's C(secret) (header C(X-Chatwoot-Signature)); it is masked in the
    result.
  - B(Chatwoot 4.14 and later post only to public addresses) (its SafeFetch, with the gem ssrf_filter). A receiver on
    a private network, such as a service on C(mcp_network) named by its container, gets nothing, and Chatwoot's
    worker logs C(Hostname '...' has no public ip addresses), unless Chatwoot runs with
    C(SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true) (the P(sinapum.chatwoot.chatwoot#role) role's C(chatwoot_extra_env)).
    An API inbox's C(webhook_url) is posted the same way.
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
    details: Before and after of O(name), O(subscriptions) and the inbox.
  platform:
    platforms: posix
options:
  url:
    description:
      - Where Chatwoot posts the events.
    type: str
    required: true
  name:
    description:
      - A name for people.
    type: str
  subscriptions:
    description:
      - The events to send, as a whole. When a webhook is created without them, Chatwoot subscribes it to its first
        eight events (all but C(inbox_created), C(inbox_updated), C(conversation_typing_on) and
        C(conversation_typing_off)).
    type: list
    elements: str
    choices: [conversation_status_changed, conversation_updated, conversation_created, contact_created,
              contact_updated, message_created, message_updated, webwidget_triggered, inbox_created, inbox_updated,
              conversation_typing_on, conversation_typing_off]
  inbox_id:
    description:
      - The inbox Chatwoot records with the webhook (its dashboard shows it).
      - Chatwoot 4.15.1 still sends the webhook the events of every inbox of the account; its webhook listener does
        not look at the inbox.
    type: int
  inbox:
    description:
      - The same as O(inbox_id), by the inbox's name (it must be the only inbox of that name; else give O(inbox_id)).
        In check mode an inbox that does not exist yet is not an error, since an earlier task of the run may make it.
    type: str
  state:
    description:
      - V(present) makes the webhook exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sinapum.chatwoot.chatwoot_inbox
"""

EXAMPLES = r"""
- name: New messages to an n8n flow on mcp_network (Chatwoot needs SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true for it)
  sinapum.chatwoot.chatwoot_webhook:
    url: http://n8n:5678/webhook/chatwoot
    name: n8n
    subscriptions: [message_created, conversation_status_changed]
    inbox: WhatsApp

- name: No longer
  sinapum.chatwoot.chatwoot_webhook:
    url: http://n8n:5678/webhook/chatwoot
    state: absent
"""

RETURN = r"""
webhook:
  description: The webhook as Chatwoot shows it after the task (before it, in check mode), its secret masked; C({})
    when absent.
  returned: always
  type: dict
  sample: {id: 1, name: n8n, url: "http://n8n:5678/webhook/chatwoot", account_id: 1,
           subscriptions: [message_created, conversation_status_changed], secret: "********",
           inbox: {id: 3, name: WhatsApp}}
msg:
  description: What was done.
  returned: always
  type: str
  sample: "webhook http://n8n:5678/webhook/chatwoot created (id 1)"
"""

from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    BadInput,
    account_path,
    changes,
    connection_argument_spec,
    diff_of,
    find_one,
    items,
    masked,
    run_module,
)

# app/models/webhook.rb ALLOWED_WEBHOOK_EVENTS
EVENTS = ['conversation_status_changed', 'conversation_updated', 'conversation_created', 'contact_created',
          'contact_updated', 'message_created', 'message_updated', 'webwidget_triggered', 'inbox_created',
          'inbox_updated', 'conversation_typing_on', 'conversation_typing_off']
SECRETS = frozenset(('secret',))


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        url=dict(type='str', required=True),
        name=dict(type='str'),
        subscriptions=dict(type='list', elements='str', choices=EVENTS),
        inbox_id=dict(type='int'),
        inbox=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    return spec


def check_url(url):
    parts = urlsplit(url)
    # urlsplit lower-cases the scheme; Chatwoot's pattern does not accept HTTPS://.
    if not url.startswith(('http://', 'https://')) or not parts.hostname or any(c.isspace() for c in url):
        raise BadInput('url %r is not an http:// or https:// URL with a host (lower-case scheme, no spaces)' % url)


def inbox_id_of(client, params, check_mode):
    if params['inbox'] is None:
        return params['inbox_id']
    inboxes = items('inboxes', client.get(account_path(params, 'inboxes')))
    inbox = find_one(inboxes, 'inboxes', name=params['inbox'])
    if inbox is None:
        if check_mode:
            return None  # an earlier task of the same run may be the one that makes it
        raise BadInput('no inbox named %r in account %s' % (params['inbox'], params['account_id']))
    return inbox['id']


def shown(webhook):
    """The managed keys of a webhook as Chatwoot shows it."""
    return dict(name=webhook.get('name'), subscriptions=sorted(webhook.get('subscriptions') or []),
                inbox_id=(webhook.get('inbox') or {}).get('id'))


def reconcile(client, params, check_mode, result):
    check_url(params['url'])
    if params['subscriptions'] == []:
        raise BadInput('subscriptions must name at least one event (Chatwoot refuses an empty list)')
    webhooks = items('webhooks', client.get(account_path(params, 'webhooks')))
    current = next((w for w in webhooks if w.get('url') == params['url']), None)
    if params['state'] == 'absent':
        result['diff'] = diff_of(current and shown(current), None)
        if current is None:
            result['msg'] = 'webhook %s absent' % params['url']
            return
        result['changed'] = True
        result['webhook'] = masked(current, SECRETS)
        if not check_mode:
            client.delete(account_path(params, 'webhooks', current['id']))
            result['webhook'] = {}
        result['msg'] = 'webhook %s %s' % (params['url'], 'would be deleted' if check_mode else 'deleted')
        return

    subscriptions = sorted(set(params['subscriptions'])) if params['subscriptions'] else None
    wanted = dict(name=params['name'], subscriptions=subscriptions, inbox_id=inbox_id_of(client, params, check_mode))
    if current is None:
        result['changed'] = True
        result['diff'] = diff_of(None, dict(wanted, url=params['url']))
        if check_mode:
            result['msg'] = 'webhook %s would be created' % params['url']
            return
        body = dict((k, v) for k, v in dict(wanted, url=params['url']).items() if v is not None)
        answer = client.post(account_path(params, 'webhooks'), {'webhook': body})
        result['webhook'] = masked(answer['payload']['webhook'], SECRETS)
        result['msg'] = 'webhook %s created (id %s)' % (params['url'], result['webhook']['id'])
        return

    differences = changes(shown(current), wanted)
    result['webhook'] = masked(current, SECRETS)
    result['diff'] = diff_of(shown(current), dict((k, v[1]) for k, v in differences.items()))
    if not differences:
        result['msg'] = 'webhook %s as wanted' % params['url']
        return
    result['changed'] = True
    if check_mode:
        result['msg'] = 'webhook %s would change: %s' % (params['url'], ', '.join(sorted(differences)))
        return
    answer = client.patch(account_path(params, 'webhooks', current['id']),
                          {'webhook': dict((k, v[1]) for k, v in differences.items())})
    result['webhook'] = masked(answer['payload']['webhook'], SECRETS)
    result['msg'] = 'webhook %s changed: %s' % (params['url'], ', '.join(sorted(differences)))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[('inbox_id', 'inbox')])
    result = dict(changed=False, msg='', webhook={}, diff=dict(before={}, after={}))
    run_module(module, APPLICATION,
               lambda client, result: reconcile(client, module.params, module.check_mode, result), result)


if __name__ == '__main__':
    main()
