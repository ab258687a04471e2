# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_account, chatwoot_user and chatwoot_account_user against the Platform API at the HTTP layer."""

from __future__ import annotations

import pytest

from chatwoot_http import (NO_NAME, P, PLATFORM_CONNECTION, Script, account_user, platform_account, platform_user,
                           run)

USER_SECRETS = ('UserAccessTokenOf0000007', 'PubSubTokenOf0000007', 'Ana-Passw0rd!')


# ---------------------------------------------------------------------------------------------- chatwoot_account
def test_account_found_by_name_among_the_apps_and_created_when_missing(monkeypatch):
    script = Script(
        ('GET', P + '/accounts', None, 200, [platform_account(1, 'SinapUm')]),
        ('POST', P + '/accounts', {'name': 'Filial', 'locale': 'pt_BR'}, 200, platform_account(2, 'Filial', locale='pt_BR')),
    )
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, name='Filial', locale='pt_BR'), script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is True and result['account']['id'] == 2
    assert result['msg'] == "account 'Filial' created (id 2)"


def test_account_as_wanted_and_changed(monkeypatch):
    current = platform_account(2, 'Filial', locale='pt_BR', custom_attributes={'plan': 'a'})
    script = Script(('GET', P + '/accounts', None, 200, [current]))
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, name='Filial', locale='pt_BR',
                                                  custom_attributes={'plan': 'a'}), script, monkeypatch)
    assert not failed and result['changed'] is False, result
    script = Script(
        ('GET', P + '/accounts/2', None, 200, current),
        ('PATCH', P + '/accounts/2', {'status': 'suspended', 'custom_attributes': {}}, 200,
         dict(current, status='suspended', custom_attributes={})),
    )
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, id=2, status='suspended', custom_attributes={}),
                         script, monkeypatch)
    assert not failed and result['changed'] is True, result
    script.done()
    assert result['diff'] == {'before': {'status': 'active', 'custom_attributes': {'plan': 'a'}},
                              'after': {'status': 'suspended', 'custom_attributes': {}}}


def test_account_list_500_explains_chatwoots_stale_permissible(monkeypatch):
    script = Script(('GET', P + '/accounts', None, 500, {'status': 500, 'error': 'Internal Server Error'}))
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, name='Filial'), script, monkeypatch)
    assert failed
    assert "leaves the app's permission row behind" in result['msg'] and 'Give id:' in result['msg']


def test_account_absent_deletes_and_waits(monkeypatch):
    current = platform_account(2, 'Filial')
    script = Script(
        ('GET', P + '/accounts/2', None, 200, current),
        ('DELETE', P + '/accounts/2', None, 200, None),
        ('GET', P + '/accounts/2', None, 404, {'status': 404, 'error': 'Not Found'}),
    )
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, id=2, state='absent'), script, monkeypatch)
    assert not failed and result['changed'] is True and result['account'] == {}
    script.done()
    script = Script(('GET', P + '/accounts/2', None, 404, {'status': 404, 'error': 'Not Found'}))
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, id=2, state='absent'), script, monkeypatch)
    assert not failed and result['changed'] is False


@pytest.mark.parametrize('args,words', [
    (dict(), "give the account's name"),
    (dict(name='x', limits={'seats': 3}), 'limits takes numbers for inboxes'),
    (dict(name='x', status='closed'), 'status'),
])
def test_account_bad_input_before_any_call(args, words, monkeypatch):
    script = Script()
    result, failed = run('chatwoot_account', dict(PLATFORM_CONNECTION, **args), script, monkeypatch)
    assert failed and words in result['msg'], result['msg']
    assert script.requests == []


# ---------------------------------------------------------------------------------------------- chatwoot_user
def test_user_lookup_by_email_alone_then_create(monkeypatch):
    created = platform_user(7, 'ana@sinapum.example', 'Ana')
    script = Script(
        ('POST', P + '/users', {'email': 'ana@sinapum.example'}, 422, NO_NAME),
        ('POST', P + '/users', {'email': 'ana@sinapum.example', 'name': 'Ana', 'password': 'Ana-Passw0rd!'}, 200, created),
    )
    result, failed = run('chatwoot_user', dict(PLATFORM_CONNECTION, email='Ana@sinapum.example', name='Ana',
                                               password='Ana-Passw0rd!'), script, monkeypatch, secrets=USER_SECRETS)
    assert not failed, result
    script.done()
    assert result['user']['access_token'] == '********' and result['user']['pubsub_token'] == '********'


def test_user_existing_password_not_touched_and_custom_attributes_merged(monkeypatch):
    current = platform_user(7, 'ana@sinapum.example', 'Ana', custom_attributes={'team': 'n1'})
    script = Script(('POST', P + '/users', {'email': 'ana@sinapum.example'}, 200, current))
    result, failed = run('chatwoot_user', dict(PLATFORM_CONNECTION, email='ana@sinapum.example', name='Ana',
                                               password='Ana-Passw0rd!', custom_attributes={'team': 'n1'}),
                         script, monkeypatch, secrets=USER_SECRETS)
    assert not failed and result['changed'] is False, result
    script = Script(
        ('POST', P + '/users', {'email': 'ana@sinapum.example'}, 200, current),
        ('PATCH', P + '/users/7', {'display_name': 'Aninha', 'custom_attributes': {'shift': 'night'},
                                   'password': 'Ana-Passw0rd!'}, 200,
         dict(current, display_name='Aninha', custom_attributes={'team': 'n1', 'shift': 'night'})),
    )
    result, failed = run('chatwoot_user', dict(PLATFORM_CONNECTION, email='ana@sinapum.example', display_name='Aninha',
                                               password='Ana-Passw0rd!', update_password='always',
                                               custom_attributes={'shift': 'night'}), script, monkeypatch,
                         secrets=USER_SECRETS)
    assert not failed and result['changed'] is True, result
    script.done()
    assert result['diff']['after'] == {'display_name': 'Aninha', 'custom_attributes': {'team': 'n1', 'shift': 'night'},
                                       'password': '********'}


@pytest.mark.parametrize('args,words', [
    (dict(email='ana', name='Ana', password='Ana-Passw0rd!'), "'ana' is not an e-mail address"),
    (dict(email='ana@sinapum.example', name='Ana', password='ana-password'), "breaks Chatwoot's password rules"),
    (dict(email='ana@sinapum.example', name='Ana', password='Ána-Passw0rd!'), 'no other character'),
])
def test_user_bad_input_before_any_call(args, words, monkeypatch):
    script = Script()
    result, failed = run('chatwoot_user', dict(PLATFORM_CONNECTION, **args), script, monkeypatch,
                         secrets=(args['password'],))
    assert failed and words in result['msg'], result['msg']
    assert script.requests == []


def test_user_missing_without_a_password_cannot_be_created(monkeypatch):
    script = Script(('POST', P + '/users', {'email': 'ana@sinapum.example'}, 422, NO_NAME))
    result, failed = run('chatwoot_user', dict(PLATFORM_CONNECTION, email='ana@sinapum.example', name='Ana'),
                         script, monkeypatch)
    assert failed and 'give password' in result['msg']


def test_user_absent_deletes_and_waits(monkeypatch):
    current = platform_user(7, 'ana@sinapum.example', 'Ana')
    script = Script(
        ('POST', P + '/users', {'email': 'ana@sinapum.example'}, 200, current),
        ('DELETE', P + '/users/7', None, 200, None),
        ('GET', P + '/users/7', None, 404, {'status': 404, 'error': 'Not Found'}),
    )
    result, failed = run('chatwoot_user', dict(PLATFORM_CONNECTION, email='ana@sinapum.example', state='absent'),
                         script, monkeypatch, secrets=USER_SECRETS)
    assert not failed and result['changed'] is True and result['user'] == {}
    script.done()


# ---------------------------------------------------------------------------------------------- chatwoot_account_user
def test_account_user_upserts_the_role(monkeypatch):
    path = P + '/accounts/2/account_users'
    script = Script(
        ('GET', path, None, 200, [account_user(1, 2, 5, 'agent')]),
        ('POST', P + '/users', {'email': 'admin@sinapum.example'}, 200, platform_user(1, 'admin@sinapum.example', 'Admin')),
        ('POST', path, {'user_id': 1, 'role': 'administrator'}, 200, account_user(4, 2, 1, 'administrator')),
    )
    result, failed = run('chatwoot_account_user', dict(PLATFORM_CONNECTION, account_id=2, user_email='admin@sinapum.example',
                                                       role='administrator'), script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is True and result['account_user']['role'] == 'administrator'
    assert result['diff'] == {'before': {}, 'after': {'role': 'administrator'}}


def test_account_user_as_wanted_then_absent(monkeypatch):
    path = P + '/accounts/2/account_users'
    script = Script(('GET', path, None, 200, [account_user(4, 2, 1, 'administrator')]))
    result, failed = run('chatwoot_account_user', dict(PLATFORM_CONNECTION, account_id=2, user_id=1, role='administrator'),
                         script, monkeypatch)
    assert not failed and result['changed'] is False
    script = Script(('GET', path, None, 200, [account_user(4, 2, 1, 'administrator')]),
                    ('DELETE', path, {'user_id': 1}, 200, None))
    result, failed = run('chatwoot_account_user', dict(PLATFORM_CONNECTION, account_id=2, user_id=1, state='absent'),
                         script, monkeypatch)
    assert not failed and result['changed'] is True
    script.done()


def test_account_user_of_a_user_that_does_not_exist(monkeypatch):
    script = Script(('GET', P + '/accounts/2/account_users', None, 200, []),
                    ('POST', P + '/users', {'email': 'zoe@sinapum.example'}, 422, NO_NAME))
    result, failed = run('chatwoot_account_user', dict(PLATFORM_CONNECTION, account_id=2, user_email='zoe@sinapum.example'),
                         script, monkeypatch)
    assert failed and 'no user with e-mail zoe@sinapum.example' in result['msg']
