# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_agent, chatwoot_webhook and chatwoot_info against Chatwoot at the HTTP layer."""

from __future__ import annotations

import pytest

from chatwoot_http import A, ANY, CONNECTION, NOT_ADMIN, Script, agent, api_inbox, run, webhook

AGENTS = [agent(1, 'admin@sinapum.example', 'Admin', 'administrator'), agent(7, 'ana@sinapum.example', 'Ana')]


# ------------------------------------------------------------------------------------------------ chatwoot_agent
def test_agent_created_with_what_is_given(monkeypatch):
    script = Script(
        ('GET', A + '/agents', None, 200, AGENTS),
        ('POST', A + '/agents', {'agent': {'email': 'bruno@sinapum.example', 'name': 'Bruno', 'role': 'agent'}}, 200,
         agent(8, 'bruno@sinapum.example', 'Bruno', confirmed=False)),
    )
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='Bruno@Sinapum.example', name='Bruno', role='agent'),
                         script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is True and result['agent']['id'] == 8
    assert result['diff'] == {'before': {}, 'after': {'name': 'Bruno', 'role': 'agent', 'email': 'bruno@sinapum.example'}}


def test_an_existing_user_added_as_agent_gets_the_name_given(monkeypatch):
    # AgentBuilder reuses a user of that e-mail and ignores the name sent
    script = Script(
        ('GET', A + '/agents', None, 200, AGENTS),
        ('POST', A + '/agents', {'agent': {'email': 'bruno@sinapum.example', 'name': 'Bruno Lima'}}, 200,
         agent(8, 'bruno@sinapum.example', 'bruno')),
        ('PATCH', A + '/agents/8', {'agent': {'name': 'Bruno Lima'}, 'custom_role_id': None}, 200,
         agent(8, 'bruno@sinapum.example', 'Bruno Lima')),
    )
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='bruno@sinapum.example', name='Bruno Lima'),
                         script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['agent']['name'] == 'Bruno Lima'


def test_agent_change_keeps_the_custom_role(monkeypatch):
    # Enterprise's update sets custom_role_id from the request: omitting it would clear it
    current = agent(7, 'ana@sinapum.example', 'Ana', custom_role_id=4)
    script = Script(
        ('GET', A + '/agents', None, 200, [AGENTS[0], current]),
        ('PATCH', A + '/agents/7', {'agent': {'role': 'administrator'}, 'custom_role_id': 4}, 200,
         dict(current, role='administrator')),
    )
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='ana@sinapum.example', role='administrator'),
                         script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['diff'] == {'before': {'role': 'agent'}, 'after': {'role': 'administrator'}}


def test_agent_as_wanted_and_role_left_alone_when_not_given(monkeypatch):
    script = Script(('GET', A + '/agents', None, 200, AGENTS))
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='admin@sinapum.example', name='Admin'), script, monkeypatch)
    assert not failed and result['changed'] is False, result


def test_agent_check_mode_and_absent(monkeypatch):
    script = Script(('GET', A + '/agents', None, 200, AGENTS))
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='ana@sinapum.example', state='absent'), script,
                         monkeypatch, check=True)
    assert not failed and result['changed'] is True and result['agent']['id'] == 7
    script = Script(('GET', A + '/agents', None, 200, AGENTS), ('DELETE', A + '/agents/7', None, 200, None))
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='ana@sinapum.example', state='absent'), script, monkeypatch)
    assert not failed and result['changed'] is True and result['agent'] == {}
    script.done()


def test_agent_role_chatwoot_does_not_know_is_refused_before_any_call(monkeypatch):
    script = Script()
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='ana@sinapum.example', role='owner'), script, monkeypatch)
    assert failed and 'role' in result['msg']
    assert script.requests == []


def test_agent_401_of_a_non_administrator(monkeypatch):
    script = Script(('GET', A + '/agents', None, 200, AGENTS), ('POST', A + '/agents', ANY, 401, NOT_ADMIN))
    result, failed = run('chatwoot_agent', dict(CONNECTION, email='zoe@sinapum.example'), script, monkeypatch)
    assert failed and result['status'] == 401
    assert 'You are not authorized to do this action' in result['msg']


# ------------------------------------------------------------------------------------------------ chatwoot_webhook
HOOK_URL = 'http://n8n:5678/webhook/chatwoot'


def test_webhook_created_with_the_inbox_named(monkeypatch):
    created = webhook(2, HOOK_URL, ['conversation_status_changed', 'message_created'], 'n8n', {'id': 3, 'name': 'WhatsApp'})
    script = Script(
        ('GET', A + '/webhooks', None, 200, {'payload': {'webhooks': []}}),
        ('GET', A + '/inboxes', None, 200, {'payload': [api_inbox(3, 'WhatsApp'), api_inbox(4, 'Site')]}),
        ('POST', A + '/webhooks', {'webhook': {'url': HOOK_URL, 'name': 'n8n', 'inbox_id': 3,
                                               'subscriptions': ['conversation_status_changed', 'message_created']}},
         200, {'payload': {'webhook': created}}),
    )
    result, failed = run('chatwoot_webhook', dict(CONNECTION, url=HOOK_URL, name='n8n', inbox='WhatsApp',
                                                  subscriptions=['message_created', 'conversation_status_changed']),
                         script, monkeypatch, secrets=('WebhookSecretFor000002',))
    assert not failed, result
    script.done()
    assert result['webhook']['secret'] == '********'


def test_webhook_subscriptions_compare_as_a_set_and_a_change_patches(monkeypatch):
    current = webhook(2, HOOK_URL, ['message_created', 'conversation_status_changed'], 'n8n')
    unchanged = Script(('GET', A + '/webhooks', None, 200, {'payload': {'webhooks': [current]}}))
    result, failed = run('chatwoot_webhook', dict(CONNECTION, url=HOOK_URL, subscriptions=[
        'conversation_status_changed', 'message_created']), unchanged, monkeypatch, secrets=('WebhookSecretFor000002',))
    assert not failed and result['changed'] is False, result
    changed = Script(
        ('GET', A + '/webhooks', None, 200, {'payload': {'webhooks': [current]}}),
        ('PATCH', A + '/webhooks/2', {'webhook': {'subscriptions': ['message_created']}}, 200,
         {'payload': {'webhook': dict(current, subscriptions=['message_created'])}}),
    )
    result, failed = run('chatwoot_webhook', dict(CONNECTION, url=HOOK_URL, subscriptions=['message_created']),
                         changed, monkeypatch, secrets=('WebhookSecretFor000002',))
    assert not failed and result['changed'] is True
    assert result['diff'] == {'before': {'subscriptions': ['conversation_status_changed', 'message_created']},
                              'after': {'subscriptions': ['message_created']}}


@pytest.mark.parametrize('args,words', [
    (dict(url='javascript:alert(1)'), 'is not an http:// or https:// URL'),
    (dict(url='HTTPS://n8n:5678/x'), 'is not an http:// or https:// URL'),
    (dict(url='see http://n8n:5678/x'), 'is not an http:// or https:// URL'),
    (dict(url=HOOK_URL, subscriptions=[]), 'at least one event'),
    (dict(url=HOOK_URL, subscriptions=['message_deleted']), 'subscriptions'),
])
def test_webhook_bad_input_is_refused_before_any_call(args, words, monkeypatch):
    script = Script()
    result, failed = run('chatwoot_webhook', dict(CONNECTION, **args), script, monkeypatch)
    assert failed and words in result['msg'], result['msg']
    assert script.requests == []


def test_webhook_absent(monkeypatch):
    script = Script(('GET', A + '/webhooks', None, 200, {'payload': {'webhooks': [webhook(2, HOOK_URL, ['message_created'])]}}),
                    ('DELETE', A + '/webhooks/2', None, 200, None))
    result, failed = run('chatwoot_webhook', dict(CONNECTION, url=HOOK_URL, state='absent'), script, monkeypatch,
                         secrets=('WebhookSecretFor000002',))
    assert not failed and result['changed'] is True and result['webhook'] == {}
    script.done()


# ------------------------------------------------------------------------------------------------ chatwoot_info
def test_info_reads_every_list_in_its_shape_and_masks_secrets(monkeypatch):
    script = Script(
        ('GET', A + '/agents', None, 200, AGENTS),
        ('GET', A + '/inboxes', None, 200, {'payload': [api_inbox(3, 'WhatsApp')]}),
        ('GET', A + '/inbox_members/3', None, 200, {'payload': [AGENTS[1]]}),
        ('GET', A + '/teams', None, 200, [{'id': 1, 'name': 'suporte', 'description': None, 'allow_auto_assign': True,
                                           'account_id': 1, 'is_member': False}]),
        ('GET', A + '/teams/1/team_members', None, 200, [AGENTS[1]]),
        ('GET', A + '/webhooks', None, 200, {'payload': {'webhooks': [webhook(2, HOOK_URL, ['message_created'])]}}),
        ('GET', A + '/labels', None, 200, {'payload': []}),
        ('GET', A + '/canned_responses', None, 200, [{'id': 1, 'account_id': 1, 'short_code': 'oi', 'content': 'Olá'}]),
    )
    result, failed = run('chatwoot_info', dict(CONNECTION, members=True), script, monkeypatch, check=True,
                         secrets=('WebhookSecretFor000002', 'SecretOfTheApiInbox12345', 'HmacTokenOfTheApiInbox1'))
    assert not failed, result
    script.done()
    assert result['changed'] is False
    assert result['inboxes'][0]['members'] == ['ana@sinapum.example']
    assert result['teams'][0]['members'] == ['ana@sinapum.example']
    assert result['webhooks'][0]['secret'] == '********'
    assert result['msg'] == 'read agents (2), inboxes (1), teams (1), webhooks (1), labels (0), canned_responses (1)'
