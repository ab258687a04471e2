# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The API client of the configuration modules (module_utils/_chatwoot_api.py): what it sends, how it reads
Chatwoot's answers and errors in their real shapes, and the compare and diff helpers."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'modules'))

from chatwoot_http import ANY, Script  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.sinapum.chatwoot.plugins.module_utils import _chatwoot_api as api  # noqa: E402

URL = 'http://chatwoot.test:3000'


def client(script, sleeps=None):
    return api.ChatwootClient(URL + '/', 'T0ken', validate_certs=False, timeout=7, opener=script,
                              sleep=(sleeps.append if sleeps is not None else (lambda s: None)))


def test_request_sends_the_token_header_json_and_no_redirect_following():
    script = Script(('POST', '/api/v1/accounts/1/agents', {'agent': {'email': 'a@b.example'}}, 200, {'id': 5}))
    assert client(script).post('/api/v1/accounts/1/agents', {'agent': {'email': 'a@b.example'}}) == {'id': 5}
    headers, kwargs = script.requests[0][3:]
    assert headers['api_access_token'] == 'T0ken'  # Chatwoot's header (nginx would drop it: underscores)
    assert headers['Content-Type'] == 'application/json'
    assert kwargs == {'validate_certs': False, 'timeout': 7, 'follow_redirects': 'none'}


def test_an_empty_answer_is_none():
    # DELETE answers 200 with no body (head :ok)
    assert client(Script(('DELETE', '/x', ANY, 200, None))).delete('/x') is None


@pytest.mark.parametrize('status,body,message,fields', [
    (422, {'message': 'Name has already been taken', 'attributes': ['name']}, 'Name has already been taken', ['name']),
    (401, {'error': 'You are not authorized to do this action'}, 'You are not authorized to do this action', []),
    (401, {'errors': ['You need to sign in or sign up before continuing.']},
     'You need to sign in or sign up before continuing.', []),
    (404, {'status': 404, 'error': 'Not Found'}, 'Not Found', []),
    (429, b'Retry later\n', 'Retry later', []),
    (500, b'', 'no message (HTTP 500)', []),
])
def test_each_error_shape_becomes_chatwoots_own_words(status, body, message, fields):
    script = Script(*[('GET', '/x', ANY, status, body)] * (4 if status == 429 else 1))
    with pytest.raises(api.ChatwootError) as caught:
        client(script).get('/x')
    assert caught.value.status == status
    assert caught.value.message == message
    assert caught.value.attributes == fields
    text = str(caught.value)
    assert text.startswith('Chatwoot answered %d to GET /x: %s' % (status, message))
    assert ('(fields: name)' in text) == bool(fields)


def test_429_is_retried_with_backoff_then_answers():
    sleeps = []
    script = Script(('GET', '/x', ANY, 429, b'Retry later\n'), ('GET', '/x', ANY, 429, b'Retry later\n'),
                    ('GET', '/x', ANY, 200, []))
    assert client(script, sleeps).get('/x') == []
    assert sleeps == [2, 4]


def test_a_redirect_names_the_address_to_use():
    script = Script(('GET', '/x', ANY, 301, {'Location': 'https://chatwoot.test/x'}))
    with pytest.raises(api.ChatwootError) as caught:
        client(script).get('/x')
    assert 'redirected to https://chatwoot.test/x' in str(caught.value)


def test_unreachable():
    def refuse(*args, **kwargs):
        raise api.URLError(ConnectionRefusedError(111, 'Connection refused'))

    with pytest.raises(api.ChatwootError) as caught:
        client(refuse).get('/x')
    assert caught.value.status is None
    assert 'cannot reach Chatwoot at http://chatwoot.test:3000' in str(caught.value)


def test_wait_until_gone_polls_until_404():
    script = Script(('GET', '/i/3', ANY, 200, {'id': 3}), ('GET', '/i/3', ANY, 200, {'id': 3}),
                    ('GET', '/i/3', ANY, 404, {'error': 'Resource could not be found'}))
    assert client(script).wait_until_gone('/i/3', timeout=60) is True
    script.done()


def test_wait_until_gone_asks_again_after_the_401_of_a_deletion_in_flight():
    # Chatwoot 4.15.1 found the inbox, then the worker deleted it before InboxPolicy#show? asked again.
    script = Script(('GET', '/i/3', ANY, 200, {'id': 3}),
                    ('GET', '/i/3', ANY, 401, {'error': 'You are not authorized to do this action'}),
                    ('GET', '/i/3', ANY, 404, {'error': 'Resource could not be found'}))
    assert client(script).wait_until_gone('/i/3', timeout=60) is True
    script.done()


def test_wait_until_gone_raises_a_401_that_lasts_the_whole_wait():
    script = Script(('GET', '/i/3', ANY, 401, {'error': 'You are not authorized to do this action'}))
    with pytest.raises(api.ChatwootError) as caught:
        client(script).wait_until_gone('/i/3', timeout=0)
    assert caught.value.status == 401
    script.done()


def test_wait_until_gone_raises_other_errors_at_once():
    script = Script(('GET', '/i/3', ANY, 500, b''))
    with pytest.raises(api.ChatwootError) as caught:
        client(script).wait_until_gone('/i/3', timeout=60)
    assert caught.value.status == 500


@pytest.mark.parametrize('resource,body,expected', [
    ('agents', [{'id': 1}], [{'id': 1}]),
    ('inboxes', {'payload': [{'id': 2}]}, [{'id': 2}]),
    ('labels', {'payload': []}, []),
    ('inbox_members', {'payload': [{'id': 3}]}, [{'id': 3}]),
    ('webhooks', {'payload': {'webhooks': [{'id': 4}]}}, [{'id': 4}]),
    ('canned_responses', [{'id': 5, 'short_code': 'oi'}], [{'id': 5, 'short_code': 'oi'}]),
])
def test_items_takes_each_list_out_of_its_own_shape(resource, body, expected):
    assert api.items(resource, body) == expected


def test_items_refuses_a_shape_it_does_not_know():
    with pytest.raises(ValueError):
        api.items('webhooks', {'payload': [{'id': 4}]})


def test_client_from_names_every_missing_option():
    params = dict(api_url=None, api_token=None, account_id=None, validate_certs=True, timeout=30.0)
    with pytest.raises(api.BadInput) as caught:
        api.client_from(params, api.APPLICATION)
    text = str(caught.value)
    for words in ('api_url (or CHATWOOT_URL)', 'api_token (or CHATWOOT_API_TOKEN)', 'account_id (or CHATWOOT_ACCOUNT_ID)',
                  'chatwoot_credentials'):
        assert words in text
    with pytest.raises(api.BadInput, match='CHATWOOT_PLATFORM_TOKEN'):
        api.client_from(dict(params, api_url=URL), api.PLATFORM)
    with pytest.raises(api.BadInput, match='http:// or https://'):
        api.client_from(dict(params, api_url='chatwoot.test', api_token='t', account_id=1), api.APPLICATION)


def test_same_and_changes():
    assert api.same(1, 1.0) and api.same(True, True) and not api.same(1, True)
    assert api.same({'a': [1, {'b': 2}]}, {'a': [1, {'b': 2}]}) and not api.same({'a': 1}, {'a': 1, 'b': 2})
    current = {'name': 'WhatsApp', 'greeting_enabled': False, 'timezone': 'UTC'}
    assert api.changes(current, {'name': 'WhatsApp', 'greeting_enabled': True, 'timezone': None}) == {
        'greeting_enabled': (False, True)}
    assert api.changes(None, {'name': 'x', 'y': None}) == {'name': (None, 'x')}


def test_diff_of_masks_secrets_and_covers_create_change_delete():
    assert api.diff_of(None, {'url': 'http://x', 'secret': 'S3', 'name': None}, {'secret'}) == {
        'before': {}, 'after': {'url': 'http://x', 'secret': api.MASK}}
    assert api.diff_of({'name': 'a', 'secret': 'S3', 'id': 1}, {'name': 'b'}, {'secret'}) == {
        'before': {'name': 'a'}, 'after': {'name': 'b'}}
    assert api.diff_of({'name': 'a', 'secret': 'S3'}, None, {'secret'}) == {
        'before': {'name': 'a', 'secret': api.MASK}, 'after': {}}


def test_find_one_refuses_ambiguity_naming_the_ids():
    inboxes = [{'id': 3, 'name': 'WhatsApp'}, {'id': 9, 'name': 'WhatsApp'}, {'id': 4, 'name': 'Site'}]
    assert api.find_one(inboxes, 'inboxes', name='Site')['id'] == 4
    assert api.find_one(inboxes, 'inboxes', name='Mail') is None
    with pytest.raises(api.BadInput, match=r"2 inboxes match name='WhatsApp' \(ids 3, 9\)"):
        api.find_one(inboxes, 'inboxes', name='WhatsApp')


@pytest.mark.parametrize('password,ok', [
    ('Ana-Passw0rd!', True), ('Aa1!aa', True), ('Aa1!a', False), ('aaaa1!aa', False), ('AAAA1!AA', False),
    ('Aaaaaa!a', False), ('Aaaa1aaa', False), ('Aa1!ção', False), ('Aa1!\taa', False), ('Aa1 aaaa', True),
])
def test_password_rules_are_chatwoots(password, ok):
    problem = api.password_problem(password)
    assert (problem is None) == ok
    if problem:
        assert password not in problem


def test_find_user_by_email_uses_the_platform_find_or_create_with_the_email_alone():
    found = Script(('POST', '/platform/api/v1/users', {'email': 'a@b.example'}, 200, {'id': 7}))
    assert api.find_user_by_email(client(found), 'a@b.example') == {'id': 7}
    missing = Script(('POST', '/platform/api/v1/users', {'email': 'n@b.example'}, 422,
                      {'message': "Password can't be blank, Name can't be blank", 'attributes': ['password', 'name']}))
    assert api.find_user_by_email(client(missing), 'n@b.example') is None
