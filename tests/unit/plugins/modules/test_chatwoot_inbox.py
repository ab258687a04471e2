# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_inbox against Chatwoot at the HTTP layer: lookup without a unique name, compare, diff, members, check mode,
asynchronous deletion, bad input refused before any change."""

from __future__ import annotations

import pytest

from chatwoot_http import A, ANY, CONNECTION, Script, agent, api_inbox, run, widget_inbox

AGENTS = [agent(1, 'admin@sinapum.example', 'Admin', 'administrator'), agent(7, 'ana@sinapum.example', 'Ana'),
          agent(8, 'bruno@sinapum.example', 'Bruno')]
WHATSAPP = dict(CONNECTION, name='WhatsApp', channel_type='api',
                channel=dict(webhook_url='http://evolution:8080/chatwoot'))
SHAPE = {'changed', 'msg', 'inbox', 'members', 'diff'}


def members_answer(*agents):
    return {'payload': list(agents)}


def test_create_posts_name_and_channel_then_replaces_the_members(monkeypatch):
    created = api_inbox(3, 'WhatsApp', 'http://evolution:8080/chatwoot')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': []}),
        ('GET', A + '/agents', None, 200, AGENTS),
        ('POST', A + '/inboxes', {'name': 'WhatsApp', 'greeting_enabled': True,
                                  'channel': {'type': 'api', 'webhook_url': 'http://evolution:8080/chatwoot'}}, 200, created),
        ('PATCH', A + '/inbox_members', {'inbox_id': 3, 'user_ids': [7, 8]}, 200, members_answer(AGENTS[1], AGENTS[2])),
    )
    result, failed = run('chatwoot_inbox', dict(WHATSAPP, greeting_enabled=True,
                                                members=['Bruno@sinapum.example', 'ana@sinapum.example']), script, monkeypatch)
    assert not failed, result
    script.done()
    assert SHAPE <= set(result)
    assert result['changed'] is True
    assert result['inbox']['id'] == 3
    assert result['inbox']['secret'] == '********' and result['inbox']['hmac_token'] == '********'
    assert result['members'] == ['ana@sinapum.example', 'bruno@sinapum.example']
    assert result['diff']['before'] == {}
    assert result['diff']['after']['members'] == ['ana@sinapum.example', 'bruno@sinapum.example']
    assert 'SecretOfTheApiInbox12345' not in str(result)


def test_as_wanted_changes_nothing(monkeypatch):
    current = api_inbox(3, 'WhatsApp', 'http://evolution:8080/chatwoot')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': [current, api_inbox(4, 'Site')]}),
        ('GET', A + '/agents', None, 200, AGENTS),
        ('GET', A + '/inbox_members/3', None, 200, members_answer(AGENTS[1])),
    )
    result, failed = run('chatwoot_inbox', dict(WHATSAPP, members=['ana@sinapum.example']), script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is False
    assert result['diff'] == {'before': {}, 'after': {}}
    assert result['msg'] == "inbox 'WhatsApp' (id 3) as wanted"


def test_a_change_patches_only_what_differs_without_the_channel_type(monkeypatch):
    current = api_inbox(3, 'WhatsApp', 'http://evolution:8080/old')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': [current]}),
        ('GET', A + '/inbox_members/3', None, 200, members_answer()),
        # Chatwoot answers 500 to channel.type in an update: the module never sends it
        ('PATCH', A + '/inboxes/3', {'timezone': 'America/Sao_Paulo',
                                     'channel': {'webhook_url': 'http://evolution:8080/chatwoot'}}, 200,
         api_inbox(3, 'WhatsApp', 'http://evolution:8080/chatwoot', timezone='America/Sao_Paulo')),
    )
    result, failed = run('chatwoot_inbox', dict(WHATSAPP, timezone='America/Sao_Paulo'), script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is True
    assert result['diff'] == {'before': {'timezone': 'UTC', 'webhook_url': 'http://evolution:8080/old'},
                              'after': {'timezone': 'America/Sao_Paulo', 'webhook_url': 'http://evolution:8080/chatwoot'}}
    assert result['inbox']['timezone'] == 'America/Sao_Paulo'


def test_check_mode_reports_the_change_and_sends_nothing(monkeypatch):
    current = api_inbox(3, 'WhatsApp', 'http://evolution:8080/chatwoot')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': [current]}),
        ('GET', A + '/agents', None, 200, AGENTS),
        ('GET', A + '/inbox_members/3', None, 200, members_answer(AGENTS[1])),
    )
    result, failed = run('chatwoot_inbox', dict(WHATSAPP, greeting_enabled=True, members=['bruno@sinapum.example']),
                         script, monkeypatch, check=True)
    assert not failed, result
    script.done()
    assert result['changed'] is True
    assert result['diff']['before'] == {'greeting_enabled': False, 'members': ['ana@sinapum.example']}
    assert result['diff']['after'] == {'greeting_enabled': True, 'members': ['bruno@sinapum.example']}
    assert 'would be' in result['msg']


def test_two_inboxes_of_the_name_fail_naming_their_ids(monkeypatch):
    script = Script(('GET', A + '/inboxes', None, 200, {'payload': [api_inbox(3, 'WhatsApp'), api_inbox(9, 'WhatsApp')]}))
    result, failed = run('chatwoot_inbox', WHATSAPP, script, monkeypatch)
    assert failed
    assert 'ids 3, 9' in result['msg'] and 'give the id' in result['msg']


def test_the_same_name_with_another_channel_type_is_another_inbox(monkeypatch):
    created = widget_inbox(5, 'WhatsApp', 'https://sinapum.example')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': [api_inbox(3, 'WhatsApp')]}),
        ('POST', A + '/inboxes', {'name': 'WhatsApp', 'channel': {'type': 'web_widget', 'website_url': 'https://sinapum.example'}},
         200, created),
    )
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='WhatsApp', channel_type='web_widget',
                                                channel=dict(website_url='https://sinapum.example')), script, monkeypatch)
    assert not failed, result
    assert result['inbox']['id'] == 5


def test_an_email_inbox_is_found_by_its_address_and_renamed(monkeypatch):
    mail = api_inbox(6, 'Old name', channel_type='Channel::Email', email='suporte@sinapum.example',
                     imap_password='ImapPassw0rd', smtp_password='')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': [mail]}),
        ('GET', A + '/inbox_members/6', None, 200, members_answer()),
        ('PATCH', A + '/inboxes/6', {'name': 'Suporte'}, 200, dict(mail, name='Suporte')),
    )
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='Suporte', channel_type='email',
                                                channel=dict(email='Suporte@sinapum.example')),
                         script, monkeypatch, secrets=('ImapPassw0rd',))
    assert not failed, result
    assert result['inbox']['imap_password'] == '********'


def test_a_found_inbox_of_another_type_is_refused(monkeypatch):
    script = Script(('GET', A + '/inboxes/3', None, 200, api_inbox(3, 'WhatsApp')))
    result, failed = run('chatwoot_inbox', dict(CONNECTION, id=3, channel_type='web_widget'), script, monkeypatch)
    assert failed
    assert 'cannot change an inbox' in result['msg']


@pytest.mark.parametrize('args,words', [
    (dict(channel_type='api', channel=dict(website_url='https://x.example')), 'website_url is not a setting of a api channel'),
    (dict(channel_type='web_widget'), 'a web_widget inbox needs channel.website_url'),
    (dict(channel_type='email', channel=dict(email='not an address')), "'not an address' is not an e-mail address"),
    (dict(channel=dict(webhook_url='http://x')), 'channel settings need channel_type'),
])
def test_bad_input_is_refused_before_any_change(args, words, monkeypatch):
    script = Script(*[('GET', A + '/inboxes', None, 200, {'payload': []})] * (1 if 'needs channel.website' in words else 0))
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='X', **args), script, monkeypatch)
    assert failed
    assert words in result['msg']
    assert all(request[0] == 'GET' for request in script.requests)


def test_unknown_members_are_refused_before_any_change(monkeypatch):
    script = Script(('GET', A + '/inboxes', None, 200, {'payload': []}), ('GET', A + '/agents', None, 200, AGENTS))
    result, failed = run('chatwoot_inbox', dict(WHATSAPP, members=['ana@sinapum.example', 'zoe@sinapum.example']),
                         script, monkeypatch)
    assert failed
    assert 'not agents of account 1: zoe@sinapum.example' in result['msg']
    assert SHAPE <= set(result)


def test_unknown_channel_type_is_refused_by_the_argument_spec(monkeypatch):
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='X', channel_type='fax'), Script(), monkeypatch)
    assert failed and 'channel_type' in result['msg']


def test_absent_deletes_and_waits_for_chatwoots_worker(monkeypatch):
    current = api_inbox(3, 'WhatsApp')
    script = Script(
        ('GET', A + '/inboxes', None, 200, {'payload': [current]}),
        ('DELETE', A + '/inboxes/3', None, 200, {'message': 'Your inbox deletion request will be processed in some time.'}),
        ('GET', A + '/inboxes/3', None, 200, current),  # still there: DeleteObjectJob has not run yet
        ('GET', A + '/inboxes/3', None, 404, {'error': 'Resource could not be found'}),
    )
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='WhatsApp', state='absent'), script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is True and result['inbox'] == {}
    assert result['diff'] == {'before': {'name': 'WhatsApp', 'channel_type': 'Channel::Api'}, 'after': {}}


def test_absent_when_gone_changes_nothing(monkeypatch):
    script = Script(('GET', A + '/inboxes', None, 200, {'payload': []}))
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='WhatsApp', state='absent'), script, monkeypatch)
    assert not failed and result['changed'] is False


def test_chatwoots_refusal_fails_with_its_status_and_words(monkeypatch):
    script = Script(('GET', A + '/inboxes', None, 401, {'error': 'You are not authorized to access this account'}))
    result, failed = run('chatwoot_inbox', WHATSAPP, script, monkeypatch)
    assert failed
    assert result['status'] == 401
    assert result['msg'] == ('Chatwoot answered 401 to GET /api/v1/accounts/1/inboxes: '
                             'You are not authorized to access this account')
    assert SHAPE <= set(result)


def test_widget_feature_flags_compare_as_a_set(monkeypatch):
    current = widget_inbox(5, 'Site', 'https://sinapum.example')
    script = Script(('GET', A + '/inboxes', None, 200, {'payload': [current]}),
                    ('GET', A + '/inbox_members/5', None, 200, members_answer()))
    result, failed = run('chatwoot_inbox', dict(CONNECTION, name='Site', channel_type='web_widget', channel=dict(
        selected_feature_flags=['end_conversation', 'attachments', 'emoji_picker'])), script, monkeypatch)
    assert not failed and result['changed'] is False, result
    assert ANY  # the script checked every request
