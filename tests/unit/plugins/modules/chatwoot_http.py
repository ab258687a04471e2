# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Chatwoot at the HTTP layer for the unit tests of the API modules: a script of the exchanges a test expects (each
request's method, path and body, and Chatwoot's answer in its real shape, from Chatwoot 4.15.1's jbuilder views and
controllers), put in place of ansible.module_utils.urls.open_url; and a driver that runs a module in-process."""

from __future__ import annotations

import io
import json
from email.message import Message
from urllib.error import HTTPError

TOKEN = 'Tok3nOfTheAdminUser24ch'
PLATFORM_TOKEN = 'PlatformAppTok3n24chars'
CONNECTION = dict(api_url='http://chatwoot.test:3000', api_token=TOKEN, account_id=1)
PLATFORM_CONNECTION = dict(api_url='http://chatwoot.test:3000', api_token=PLATFORM_TOKEN)
ANY = object()


class Answer:
    def __init__(self, body, status=200):
        self.status = status
        self._raw = b'' if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())

    def read(self):
        return self._raw


class Script:
    """Expected exchanges, in order: (method, path, request body or ANY, status, answer body)."""

    def __init__(self, *exchanges):
        self.exchanges = list(exchanges)
        self.requests = []

    def __call__(self, url, method=None, data=None, headers=None, **kwargs):
        path = url.split('chatwoot.test:3000', 1)[1]
        body = json.loads(data) if data else None
        self.requests.append((method, path, body, dict(headers or {}), kwargs))
        assert self.exchanges, 'unexpected request %s %s %r' % (method, path, body)
        want_method, want_path, want_body, status, answer = self.exchanges.pop(0)
        assert (method, path) == (want_method, want_path), 'expected %s %s, got %s %s' % (
            want_method, want_path, method, path)
        if want_body is not ANY:
            assert body == want_body, 'body of %s %s: %r, expected %r' % (method, path, body, want_body)
        if status >= 400 or status in (301, 302, 307, 308):
            raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            hdrs = Message()
            if isinstance(answer, dict) and 'Location' in answer:
                hdrs['Location'] = answer['Location']
            raise HTTPError(url, status, 'error', hdrs, io.BytesIO(raw))
        return Answer(answer, status)

    def done(self):
        assert not self.exchanges, 'requests not made: %r' % [exchange[:2] for exchange in self.exchanges]


def run(module_name, args, script, monkeypatch, check=False, diff=True, secrets=(TOKEN, PLATFORM_TOKEN)):
    """Run a module in-process as Ansible would (health_fixtures.run_module), Chatwoot answering from ``script``;
    return (result, failed)."""
    from ansible_collections.sinapum.chatwoot.plugins.module_utils import _chatwoot_api
    from health_fixtures import run_module

    monkeypatch.setattr(_chatwoot_api, 'open_url', script)
    monkeypatch.setattr(_chatwoot_api.time, 'sleep', lambda s: None)
    return run_module(dict(args, _ansible_check_mode=check, _ansible_diff=diff), module=module_name, secrets=secrets)


# ------------------------------------------------------------------------ Chatwoot's answers, in their real shapes
def agent(id_, email, name, role='agent', confirmed=True, auto_offline=True, custom_role_id=None):
    """app/views/api/v1/models/_agent.json.jbuilder"""
    return {'id': id_, 'account_id': 1, 'availability_status': 'offline', 'auto_offline': auto_offline,
            'confirmed': confirmed, 'email': email, 'provider': 'email', 'available_name': name, 'name': name,
            'role': role, 'thumbnail': '', 'custom_role_id': custom_role_id}


def api_inbox(id_, name, webhook_url=None, **extra):
    """app/views/api/v1/models/_inbox.json.jbuilder for a Channel::Api inbox, as an administrator sees it."""
    inbox = {'id': id_, 'avatar_url': '', 'channel_id': id_ + 100, 'name': name, 'channel_type': 'Channel::Api',
             'greeting_enabled': False, 'greeting_message': None, 'working_hours_enabled': False,
             'enable_email_collect': True, 'csat_survey_enabled': False, 'csat_config': {},
             'enable_auto_assignment': True, 'auto_assignment_config': {}, 'out_of_office_message': None,
             'working_hours': [], 'timezone': 'UTC', 'callback_webhook_url': None,
             'allow_messages_after_resolved': True, 'lock_to_single_conversation': False,
             'sender_name_type': 'friendly', 'business_name': None, 'allowed_domains': None, 'widget_color': None,
             'website_url': None, 'hmac_mandatory': False, 'welcome_title': None, 'welcome_tagline': None,
             'web_widget_script': None, 'website_token': None, 'selected_feature_flags': None, 'reply_time': None,
             'messaging_service_sid': None, 'phone_number': None, 'hmac_token': 'HmacTokenOfTheApiInbox1',
             'secret': 'SecretOfTheApiInbox12345', 'webhook_url': webhook_url, 'inbox_identifier': 'IdentOfInbox',
             'additional_attributes': {}, 'provider': None}
    inbox.update(extra)
    return inbox


def widget_inbox(id_, name, website_url, **extra):
    inbox = api_inbox(id_, name)
    for key in ('secret', 'webhook_url', 'inbox_identifier', 'additional_attributes'):
        del inbox[key]
    inbox.update(channel_type='Channel::WebWidget', website_url=website_url, widget_color='#1f93ff',
                 website_token='WebsiteTok', selected_feature_flags=['attachments', 'emoji_picker', 'end_conversation'],
                 reply_time='in_a_few_minutes', hmac_token='HmacTokenOfTheWidget123', pre_chat_form_enabled=False,
                 pre_chat_form_options={}, continuity_via_email=True, allowed_domains='')
    inbox.update(extra)
    return inbox


def webhook(id_, url, subscriptions, name=None, inbox=None):
    """app/views/api/v1/accounts/webhooks/_webhook.json.jbuilder"""
    out = {'id': id_, 'name': name, 'url': url, 'account_id': 1, 'subscriptions': subscriptions,
           'secret': 'WebhookSecretFor%06d' % id_}
    if inbox:
        out['inbox'] = inbox
    return out


def platform_account(id_, name, **extra):
    """app/views/platform/api/v1/models/_account.json.jbuilder"""
    out = {'id': id_, 'name': name, 'locale': 'en', 'domain': None, 'support_email': 'noreply@chatwoot.test',
           'features': {}, 'custom_attributes': {}, 'limits': {}, 'status': 'active'}
    out.update(extra)
    return out


def platform_user(id_, email, name, **extra):
    """app/views/platform/api/v1/models/_user.json.jbuilder (custom_attributes left out when empty)"""
    out = {'access_token': 'UserAccessTokenOf%07d' % id_, 'account_id': None, 'available_name': name,
           'avatar_url': '', 'confirmed': True, 'display_name': None, 'message_signature': None, 'email': email,
           'id': id_, 'name': name, 'provider': 'email', 'pubsub_token': 'PubSubTokenOf%07d' % id_, 'role': None,
           'ui_settings': {}, 'uid': email, 'accounts': []}
    out.update(extra)
    return out


def account_user(id_, account_id, user_id, role):
    """AccountUser#as_json (Platform::Api::V1::AccountUsersController renders the rows)."""
    return {'id': id_, 'account_id': account_id, 'user_id': user_id, 'role': role, 'inviter_id': None,
            'created_at': '2026-11-30T04:15:29.123Z', 'updated_at': '2026-11-30T04:15:29.123Z', 'active_at': None,
            'availability': 'online', 'auto_offline': True, 'custom_role_id': None, 'agent_capacity_policy_id': None}


A = '/api/v1/accounts/1'
P = '/platform/api/v1'
NOT_ADMIN = {'error': 'You are not authorized to do this action'}
NO_NAME = {'message': "Password can't be blank, Name can't be blank", 'attributes': ['password', 'name']}
