#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_inbox
short_description: Create, update or delete a Chatwoot inbox (API, web widget or e-mail channel) and its members
version_added: 1.1.0
description:
  - Makes an inbox of a Chatwoot account exist with its channel's settings and its agents, or deletes it, through the
    Application API with an administrator's token.
  - Channels V(api) (for example WhatsApp through Evolution API, which posts to the inbox and receives Chatwoot's
    replies at the channel's C(webhook_url)), V(web_widget) (the chat on a website) and V(email).
  - B(How the inbox is found.) Chatwoot does not keep inbox names unique. By O(id) when given; an e-mail inbox by its
    address (O(channel.email), unique across the whole installation); else by O(name) and O(channel_type). When
    several inboxes match, the task fails and names their ids; give O(id) then.
  - Only the options given are compared and changed. Chatwoot cannot change an inbox's channel type, so an inbox found
    with another type fails the task.
  - O(members) is the whole set of the inbox's agents (Chatwoot replaces the set); every member must be an agent of the
    account (see M(sinapum.chatwoot.chatwoot_agent)), which is checked before anything changes; in check mode an
    address that is no agent yet is shown as a member to be, since an earlier task of the run may add it.
  - B(Deletion is asynchronous in Chatwoot:) it answers with a message and its worker deletes the inbox later. The
    module waits until the inbox is gone (O(wait)).
  - Secrets Chatwoot shows an administrator (C(hmac_token), C(secret), the IMAP and SMTP passwords) are masked in
    the result and the diff.
author:
  - SinapUm engineers (@sinapum)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sinapum.chatwoot.chatwoot_api
  - sinapum.chatwoot.chatwoot_api.application
  - sinapum.chatwoot.chatwoot_api.wait
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Before and after of the options given and of the members; passwords masked.
  platform:
    platforms: posix
options:
  name:
    description:
      - The inbox's name. Required to create it; with O(id), the new name.
    type: str
  id:
    description:
      - The inbox's id.
    type: int
  channel_type:
    description:
      - The channel. Required to create the inbox.
    type: str
    choices: [api, web_widget, email]
  channel:
    description:
      - The channel's settings. Each key belongs to one channel type; a key of another type is refused.
    type: dict
    suboptions:
      webhook_url:
        description:
          - V(api) The URL Chatwoot posts the inbox's messages to (Evolution API's, for WhatsApp). Chatwoot 4.14 and
            later post only to public addresses unless it runs with C(SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true) (see
            M(sinapum.chatwoot.chatwoot_webhook)).
        type: str
      hmac_mandatory:
        description:
          - V(api), V(web_widget) Refuse contacts whose identity is not signed with the inbox's HMAC token.
        type: bool
      additional_attributes:
        description:
          - V(api) Chatwoot's additional attributes of the channel, as a whole (for example
            C(agent_reply_time_window), a positive number of hours).
        type: dict
      website_url:
        description:
          - V(web_widget) The website the widget is on. Required to create a web widget inbox.
        type: str
      widget_color:
        description:
          - V(web_widget) The widget's color (Chatwoot's default is C(#1f93ff)).
        type: str
      welcome_title:
        description:
          - V(web_widget) The widget's title.
        type: str
      welcome_tagline:
        description:
          - V(web_widget) The widget's tagline.
        type: str
      reply_time:
        description:
          - V(web_widget) The reply time the widget announces.
        type: str
        choices: [in_a_few_minutes, in_a_few_hours, in_a_day]
      pre_chat_form_enabled:
        description:
          - V(web_widget) Ask the visitor for their details before the chat.
        type: bool
      pre_chat_form_options:
        description:
          - V(web_widget) The pre-chat form (C(pre_chat_message), C(pre_chat_fields)), as a whole.
        type: dict
      continuity_via_email:
        description:
          - V(web_widget) Continue conversations by e-mail when the visitor leaves.
        type: bool
      allowed_domains:
        description:
          - V(web_widget) The domains the widget may be embedded in, comma separated (empty for any).
        type: str
      selected_feature_flags:
        description:
          - V(web_widget) The widget's features, as a whole.
        type: list
        elements: str
        choices: [attachments, emoji_picker, end_conversation, use_inbox_avatar_for_bot, allow_mobile_webview]
      email:
        description:
          - V(email) The inbox's e-mail address (unique in the installation). Required to create an e-mail inbox.
        type: str
      imap_enabled:
        description:
          - V(email) Fetch mail over IMAP. Chatwoot checks the connection when this is turned on by a change.
        type: bool
      imap_address:
        description:
          - V(email) The IMAP server.
        type: str
      imap_port:
        description:
          - V(email) The IMAP port.
        type: int
      imap_login:
        description:
          - V(email) The IMAP login.
        type: str
      imap_password:
        description:
          - V(email) The IMAP password.
        type: str
      imap_enable_ssl:
        description:
          - V(email) IMAP over TLS.
        type: bool
      imap_authentication:
        description:
          - V(email) The IMAP authentication mechanism (Chatwoot's default is C(plain)).
        type: str
      smtp_enabled:
        description:
          - V(email) Send mail over this SMTP server. Chatwoot checks the connection when this is turned on by a
            change.
        type: bool
      smtp_address:
        description:
          - V(email) The SMTP server.
        type: str
      smtp_port:
        description:
          - V(email) The SMTP port.
        type: int
      smtp_login:
        description:
          - V(email) The SMTP login.
        type: str
      smtp_password:
        description:
          - V(email) The SMTP password.
        type: str
      smtp_domain:
        description:
          - V(email) The HELO domain.
        type: str
      smtp_enable_starttls_auto:
        description:
          - V(email) Use STARTTLS when offered.
        type: bool
      smtp_enable_ssl_tls:
        description:
          - V(email) SMTP over TLS.
        type: bool
      smtp_openssl_verify_mode:
        description:
          - V(email) How the SMTP server's certificate is checked.
        type: str
        choices: [none, peer, client_once, fail_if_no_peer_cert]
      smtp_authentication:
        description:
          - V(email) The SMTP authentication (Chatwoot's default is C(login)).
        type: str
  greeting_enabled:
    description:
      - Send O(greeting_message) when a conversation starts.
    type: bool
  greeting_message:
    description:
      - The greeting.
    type: str
  enable_email_collect:
    description:
      - Ask web visitors for their e-mail address.
    type: bool
  csat_survey_enabled:
    description:
      - Ask for a satisfaction rating when a conversation is resolved.
    type: bool
  enable_auto_assignment:
    description:
      - Assign new conversations to the inbox's agents automatically.
    type: bool
  working_hours_enabled:
    description:
      - Answer outside working hours with O(out_of_office_message).
    type: bool
  out_of_office_message:
    description:
      - The message outside working hours.
    type: str
  timezone:
    description:
      - The inbox's time zone, as a TZ database name (C(America/Sao_Paulo)).
    type: str
  allow_messages_after_resolved:
    description:
      - Let contacts write to a resolved conversation.
    type: bool
  lock_to_single_conversation:
    description:
      - Keep one conversation per contact.
    type: bool
  sender_name_type:
    description:
      - How agents' names appear to contacts.
    type: str
    choices: [friendly, professional]
  business_name:
    description:
      - The business name shown with O(sender_name_type=professional).
    type: str
  members:
    description:
      - The e-mail addresses of the inbox's agents, as a whole (V([]) for none). Omitted, the members are left as
        they are.
    type: list
    elements: str
  state:
    description:
      - V(present) makes the inbox exist as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: sinapum.chatwoot.chatwoot_agent
  - module: sinapum.chatwoot.chatwoot_webhook
"""

EXAMPLES = r"""
- name: WhatsApp through Evolution API on mcp_network
  sinapum.chatwoot.chatwoot_inbox:
    name: WhatsApp
    channel_type: api
    channel:
      webhook_url: http://evolution_api:8080/chatwoot/webhook/sinapum
    greeting_enabled: true
    greeting_message: Olá! Em que podemos ajudar?
    timezone: America/Sao_Paulo
    members: [ana@sinapum.example, bruno@sinapum.example]
  register: whatsapp

- name: The chat on the website
  sinapum.chatwoot.chatwoot_inbox:
    name: Site
    channel_type: web_widget
    channel:
      website_url: https://sinapum.example
      widget_color: "#0f766e"
      welcome_title: Fale conosco

- name: An e-mail inbox, found by its address
  sinapum.chatwoot.chatwoot_inbox:
    name: Suporte
    channel_type: email
    channel:
      email: suporte@sinapum.example

- name: Delete an inbox by id (two inboxes share its name)
  sinapum.chatwoot.chatwoot_inbox:
    id: 12
    state: absent
"""

RETURN = r"""
inbox:
  description: The inbox as Chatwoot shows it after the task (before it, in check mode), secrets masked; C({}) when
    absent.
  returned: always
  type: dict
  sample: {id: 3, name: WhatsApp, channel_type: Channel::Api, webhook_url: "http://evolution_api:8080/chatwoot/webhook/sinapum",
           inbox_identifier: 9mXwQ2..., hmac_token: "********", secret: "********"}
members:
  description: The e-mail addresses of the inbox's agents after the task (before it, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ana@sinapum.example, bruno@sinapum.example]
msg:
  description: What was done.
  returned: always
  type: str
  sample: "inbox 'WhatsApp' created (id 3); members set: ana@sinapum.example, bruno@sinapum.example"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._chatwoot_api import (
    APPLICATION,
    BadInput,
    ChatwootError,
    account_path,
    agent_ids,
    changes,
    check_email,
    connection_argument_spec,
    delete_and_wait,
    diff_of,
    emails_of,
    find_one,
    items,
    masked,
    run_module,
    wait_argument_spec,
)

CHANNEL_TYPES = {'api': 'Channel::Api', 'web_widget': 'Channel::WebWidget', 'email': 'Channel::Email'}
# Each channel's editable attributes (app/models/channel/*.rb EDITABLE_ATTRS), as the inbox's JSON shows them.
CHANNEL_KEYS = {
    'api': ('webhook_url', 'hmac_mandatory', 'additional_attributes'),
    'web_widget': ('website_url', 'widget_color', 'welcome_title', 'welcome_tagline', 'reply_time',
                   'pre_chat_form_enabled', 'pre_chat_form_options', 'continuity_via_email', 'hmac_mandatory',
                   'allowed_domains', 'selected_feature_flags'),
    'email': ('email', 'imap_enabled', 'imap_address', 'imap_port', 'imap_login', 'imap_password', 'imap_enable_ssl',
              'imap_authentication', 'smtp_enabled', 'smtp_address', 'smtp_port', 'smtp_login', 'smtp_password',
              'smtp_domain', 'smtp_enable_starttls_auto', 'smtp_enable_ssl_tls', 'smtp_openssl_verify_mode',
              'smtp_authentication'),
}
REQUIRED_ON_CREATE = {'web_widget': 'website_url', 'email': 'email'}
INBOX_KEYS = ('name', 'greeting_enabled', 'greeting_message', 'enable_email_collect', 'csat_survey_enabled',
              'enable_auto_assignment', 'working_hours_enabled', 'out_of_office_message', 'timezone',
              'allow_messages_after_resolved', 'lock_to_single_conversation', 'sender_name_type', 'business_name')
SECRETS = frozenset(('hmac_token', 'secret', 'imap_password', 'smtp_password'))
FLAGS = ['attachments', 'emoji_picker', 'end_conversation', 'use_inbox_avatar_for_bot', 'allow_mobile_webview']


def channel_spec():
    spec = dict((key, dict(type='str')) for keys in CHANNEL_KEYS.values() for key in keys)
    for key in ('hmac_mandatory', 'pre_chat_form_enabled', 'continuity_via_email', 'imap_enabled', 'imap_enable_ssl',
                'smtp_enabled', 'smtp_enable_starttls_auto', 'smtp_enable_ssl_tls'):
        spec[key] = dict(type='bool')
    for key in ('imap_port', 'smtp_port'):
        spec[key] = dict(type='int')
    for key in ('additional_attributes', 'pre_chat_form_options'):
        spec[key] = dict(type='dict')
    spec['imap_password'] = dict(type='str', no_log=True)
    spec['smtp_password'] = dict(type='str', no_log=True)
    spec['reply_time'] = dict(type='str', choices=['in_a_few_minutes', 'in_a_few_hours', 'in_a_day'])
    spec['selected_feature_flags'] = dict(type='list', elements='str', choices=FLAGS)
    spec['smtp_openssl_verify_mode'] = dict(type='str', choices=['none', 'peer', 'client_once', 'fail_if_no_peer_cert'])
    return spec


def argument_spec():
    spec = connection_argument_spec(APPLICATION)
    spec.update(
        name=dict(type='str'),
        id=dict(type='int'),
        channel_type=dict(type='str', choices=list(CHANNEL_TYPES)),
        channel=dict(type='dict', options=channel_spec()),
        greeting_enabled=dict(type='bool'),
        greeting_message=dict(type='str'),
        enable_email_collect=dict(type='bool'),
        csat_survey_enabled=dict(type='bool'),
        enable_auto_assignment=dict(type='bool'),
        working_hours_enabled=dict(type='bool'),
        out_of_office_message=dict(type='str'),
        timezone=dict(type='str'),
        allow_messages_after_resolved=dict(type='bool'),
        lock_to_single_conversation=dict(type='bool'),
        sender_name_type=dict(type='str', choices=['friendly', 'professional']),
        business_name=dict(type='str'),
        members=dict(type='list', elements='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    spec.update(wait_argument_spec())
    return spec


def wanted_channel(params, channel_type):
    """The channel settings given, checked against the channel type (None when the type is unknown)."""
    given = dict((k, v) for k, v in (params['channel'] or {}).items() if v is not None)
    if not given:
        return {}
    if channel_type is None:
        raise BadInput('channel settings need channel_type')
    foreign = sorted(k for k in given if k not in CHANNEL_KEYS[channel_type])
    if foreign:
        raise BadInput('%s %s not a setting of a %s channel (its settings: %s)' % (
            ', '.join(foreign), 'is' if len(foreign) == 1 else 'are', channel_type,
            ', '.join(CHANNEL_KEYS[channel_type])))
    if 'email' in given:
        given['email'] = check_email('channel.email', given['email'])
    return given


def find_inbox(client, params, channel_type, channel):
    if params['id'] is not None:
        try:
            return client.get(account_path(params, 'inboxes', params['id']))
        except ChatwootError as exc:
            if exc.status == 404:
                return None
            raise
    inboxes = items('inboxes', client.get(account_path(params, 'inboxes')))
    if channel_type == 'email' and channel.get('email'):
        return find_one(inboxes, 'inboxes', channel_type='Channel::Email', email=channel['email'])
    if not params['name']:
        raise BadInput('give the inbox\'s name (or its id)')
    keys = dict(name=params['name'])
    if channel_type:
        keys['channel_type'] = CHANNEL_TYPES[channel_type]
    return find_one(inboxes, 'inboxes', **keys)


def current_members(client, params, inbox_id):
    return emails_of(items('inbox_members', client.get(account_path(params, 'inbox_members', inbox_id))))


def comparable(inbox):
    """The inbox's JSON with the widget's feature flags in a fixed order."""
    out = dict(inbox)
    if isinstance(out.get('selected_feature_flags'), list):
        out['selected_feature_flags'] = sorted(out['selected_feature_flags'])
    return out


def delete(client, params, current, check_mode, result):
    before = dict(name=current['name'], channel_type=current['channel_type']) if current else None
    result['diff'] = diff_of(before, None)
    if current is None:
        result['msg'] = 'inbox %s absent' % (params['id'] or repr(params['name']))
        return
    result['changed'] = True
    result['inbox'] = masked(current, SECRETS)
    if check_mode:
        result['msg'] = 'inbox %r (id %s) would be deleted' % (current['name'], current['id'])
        return
    delete_and_wait(client, account_path(params, 'inboxes', current['id']), params, 'inbox %s' % current['id'])
    result['inbox'] = {}
    result['members'] = []
    result['msg'] = 'inbox %r (id %s) deleted' % (current['name'], current['id'])


def reconcile(client, params, check_mode, result):
    channel_type = params['channel_type']
    channel = wanted_channel(params, channel_type)
    current = find_inbox(client, params, channel_type, channel)
    if params['state'] == 'absent':
        return delete(client, params, current, check_mode, result)

    members = agent_ids(client, params, params['members'], check_mode)
    wanted = dict((k, params[k]) for k in INBOX_KEYS)
    if 'selected_feature_flags' in channel:
        channel['selected_feature_flags'] = sorted(set(channel['selected_feature_flags']))
    if current is None:
        create(client, params, channel_type, channel, wanted, members, check_mode, result)
        return

    if channel_type and current['channel_type'] != CHANNEL_TYPES[channel_type]:
        raise BadInput('inbox %s is a %s, not %s: Chatwoot cannot change an inbox\'s channel (delete it and create it '
                       'again)' % (current['id'], current['channel_type'], channel_type))
    differences = changes(comparable(current), dict(wanted, **channel))
    done = []
    had = current_members(client, params, current['id'])
    member_change = members is not None and sorted(members) != had
    result['inbox'] = masked(current, SECRETS)
    result['members'] = had
    shown = dict((k, v[1]) for k, v in differences.items())
    diff = diff_of(masked(current, SECRETS), masked(shown, SECRETS), SECRETS)
    if member_change:
        diff['before']['members'] = had
        diff['after']['members'] = sorted(members)
    result['diff'] = diff
    if not differences and not member_change:
        result['msg'] = 'inbox %r (id %s) as wanted' % (current['name'], current['id'])
        return
    result['changed'] = True
    if differences:
        done.append('changed: ' + ', '.join(sorted(differences)))
    if member_change:
        done.append('members set: ' + (', '.join(sorted(members)) or 'none'))
    if check_mode:
        result['msg'] = 'inbox %r (id %s) would be %s' % (current['name'], current['id'], '; '.join(done))
        return
    if differences:
        body = dict((k, v[1]) for k, v in differences.items() if k in INBOX_KEYS)
        channel_body = dict((k, v[1]) for k, v in differences.items() if k not in INBOX_KEYS)
        if channel_body:
            body['channel'] = channel_body  # never `type`: Chatwoot answers 500 to it
        result['inbox'] = masked(client.patch(account_path(params, 'inboxes', current['id']), body), SECRETS)
    if member_change:
        set_members(client, params, current['id'], members, result)
    result['msg'] = 'inbox %r (id %s) %s' % (current['name'], current['id'], '; '.join(done))


def create(client, params, channel_type, channel, wanted, members, check_mode, result):
    if not params['name'] or not channel_type:
        raise BadInput('to create an inbox give its name and channel_type')
    if params['id'] is not None:
        raise BadInput('no inbox with id %s (an inbox cannot be created with a given id)' % params['id'])
    needed = REQUIRED_ON_CREATE.get(channel_type)
    if needed and not channel.get(needed):
        raise BadInput('a %s inbox needs channel.%s' % (channel_type, needed))
    result['changed'] = True
    after = dict(wanted, channel_type=CHANNEL_TYPES[channel_type], **channel)
    if members:
        after['members'] = sorted(members)
    result['diff'] = diff_of(None, masked(after, SECRETS), SECRETS)
    if check_mode:
        result['msg'] = 'inbox %r (%s) would be created' % (params['name'], channel_type)
        return
    body = dict((k, v) for k, v in wanted.items() if v is not None)
    body['channel'] = dict(channel, type=channel_type)
    inbox = client.post(account_path(params, 'inboxes'), body)
    result['inbox'] = masked(inbox, SECRETS)
    result['msg'] = 'inbox %r created (id %s)' % (params['name'], inbox['id'])
    if members:
        set_members(client, params, inbox['id'], members, result)
        result['msg'] += '; members set: ' + ', '.join(sorted(members))


def set_members(client, params, inbox_id, members, result):
    # PATCH replaces the whole set (InboxMembersController#update); POST would only add.
    answer = client.patch(account_path(params, 'inbox_members'),
                          {'inbox_id': inbox_id, 'user_ids': sorted(members.values())})
    result['members'] = emails_of(items('inbox_members', answer))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    result = dict(changed=False, msg='', inbox={}, members=[], diff=dict(before={}, after={}))
    run_module(module, APPLICATION,
               lambda client, result: reconcile(client, module.params, module.check_mode, result), result)


if __name__ == '__main__':
    main()
