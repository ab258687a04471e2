# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whether the admin step must boot Rails to ask Chatwoot (module_utils/_deploy_plan.py's admin_step), row by row: the
one row where it need not, and each thing that makes it ask again; through the filter the role calls."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.admin_step import FilterModule
from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import (
    PlanError,
    admin_inputs_digest,
    admin_step,
)

ONBOARDING, STATE = 'alfred:CHATWOOT_INSTALLATION_ONBOARDING', 'alfred:SINAPUM_CHATWOOT_ADMIN_STATE'
ROWS = '9e107d9d372bb6826bd81d3542a419d6'
INPUT = {'check': False, 'admin': {'email': 'admin@example.org', 'name': 'Admin', 'account_name': 'Support',
                                   'password': 'Kept-Admin-Pw-1', 'set_password': False},
         'settings': {'ENABLE_ACCOUNT_SIGNUP': False}, 'platform_app': 'sinapum.chatwoot',
         'remove_platform_app': False, 'rotate_tokens': False}
# What admin.rb answered when it made the admin (files/admin.rb's result, as it leaves it in Redis).
STANDING = {'admin': {'state': 'created', 'email': 'admin@example.org', 'super_admin': True, 'id': 1},
            'account': {'state': 'created', 'name': 'Support', 'id': 1, 'administrator': True},
            'platform_app': {'state': 'created', 'name': 'sinapum.chatwoot', 'id': 1}, 'super_admins': 1}
SECRETS = {'admin_password': 'Kept-Admin-Pw-1', 'admin_user_token': 'u' * 24, 'platform_app_token': 'p' * 24}


def left(**changes):
    state = {'inputs': admin_inputs_digest(INPUT), 'database': ROWS, 'standing': STANDING}
    state.update(changes)
    return json.dumps(state)


def host(rows=ROWS, onboarding=None, state=None, answered=True, admin_json='3f2a' * 10):
    return {'postgres': {'checked': True, 'answered': True, 'accepted': True, 'prepared': True, 'state': rows},
            'redis': {'checked': True, 'answered': answered, 'reason': '',
                      'values': {ONBOARDING: onboarding, STATE: left() if state is None else state}},
            'files': {'admin': {'exists': bool(admin_json), 'sha1': admin_json}}}


def want(**changes):
    wanted = {'input': INPUT, 'in_container': True, 'password_changed': False, 'secrets': SECRETS,
              'onboarding_key': ONBOARDING, 'state_key': STATE, 'check_mode': False}
    wanted.update(changes)
    return wanted


def test_nothing_changed_since_it_last_ran_so_its_answer_is_known():
    step = admin_step(host(), want())
    assert step['ask'] is False and step['reason'].startswith('not asked')
    assert step['inputs'] == admin_inputs_digest(INPUT)
    result = step['result']
    # What the report and admin.json read, as a run that asked would find it: made then, present now.
    assert result['admin'] == {'state': 'present', 'email': 'admin@example.org', 'super_admin': True, 'id': 1}
    assert result['account']['state'] == 'present' and result['account']['id'] == 1
    assert result['platform_app'] == {'state': 'present', 'name': 'sinapum.chatwoot', 'id': 1}
    assert (result['changed'], result['settings'], result['tokens'], result['onboarding_open']) == (False, {}, {}, False)
    assert result['from_state'] is True


def test_check_mode_knows_it_too():
    step = admin_step(host(), want(check_mode=True))
    assert step['ask'] is False and step['result']['check'] is True


@pytest.mark.parametrize('read, wanted, reason', [
    ({}, {'in_container': False}, 'Chatwoot runs before web (a new image, a prepare or a takeover)'),
    ({}, {'input': dict(INPUT, rotate_tokens=True)}, 'the tokens are to be made anew'),
    ({}, {'password_changed': True}, "the administrator's password changed"),
    ({'rows': ''}, {}, 'the rows it settles could not be read'),
    ({'answered': False}, {}, 'Redis could not be read'),
    ({'onboarding': 'true'}, {}, 'the onboarding key is set'),
    ({'state': ''}, {}, 'it left no state in Redis'),
    ({'state': 'not json'}, {}, 'it left no state in Redis'),
    ({'state': '[1]'}, {}, 'it left no state in Redis'),
    ({}, {'input': dict(INPUT, settings={'ENABLE_ACCOUNT_SIGNUP': True})}, 'what it is asked changed'),
    ({}, {'input': dict(INPUT, remove_platform_app=True)}, 'what it is asked changed'),
    ({}, {'input': dict(INPUT, admin=dict(INPUT['admin'], set_password=True))}, 'what it is asked changed'),
    ({'rows': 'f' * 32}, {}, 'the rows it settles changed'),
    ({'state': left(standing=None)}, {}, 'it left no answer'),
    ({}, {'secrets': dict(SECRETS, platform_app_token='')}, 'a token is not kept'),
    ({}, {'secrets': {'admin_password': 'Kept-Admin-Pw-1', 'platform_app_token': 'p' * 24}}, 'a token is not kept'),
    ({'admin_json': ''}, {}, 'admin.json is missing'),
])
def test_each_thing_that_makes_it_ask_again(read, wanted, reason):
    step = admin_step(host(**read), want(**wanted))
    assert step['ask'] is True and step['result'] == {}
    assert step['reason'] == 'asked: ' + reason


def test_without_an_administrator_to_make_an_open_onboarding_page_is_as_it_left_it():
    # admin.rb closes the page only when it makes (or finds) the administrator: with none to make, the key stays, so
    # its being set is the state it left, and the answer known from that state says the page is open.
    no_admin = dict(INPUT, admin=None)
    standing = dict(STANDING, admin=None, account=None, super_admins=0)
    read = host(onboarding='true', state=left(inputs=admin_inputs_digest(no_admin), standing=standing))
    step = admin_step(read, want(input=no_admin, secrets={'platform_app_token': 'p' * 24}))
    assert step['ask'] is False, step['reason']
    assert (step['result']['onboarding_was_open'], step['result']['onboarding_open']) == (True, True)
    assert step['result']['admin'] is None and step['result']['super_admins'] == 0
    # Closed since (someone onboarded through the page, which also changes the rows): the answer says so.
    closed = admin_step(host(state=left(inputs=admin_inputs_digest(no_admin), standing=standing)),
                        want(input=no_admin, secrets={'platform_app_token': 'p' * 24}))
    assert closed['ask'] is False and closed['result']['onboarding_open'] is False


def test_the_digest_leaves_out_the_password_check_mode_and_rotation_only():
    same = [dict(INPUT, check=True), dict(INPUT, rotate_tokens=True), dict(INPUT, state={'key': 'K'}),
            dict(INPUT, admin=dict(INPUT['admin'], password='Another-Pw-2'))]
    assert {admin_inputs_digest(value) for value in same} == {admin_inputs_digest(INPUT)}
    other = [dict(INPUT, admin=None), dict(INPUT, admin=dict(INPUT['admin'], email='other@example.org')),
             dict(INPUT, platform_app='other'), dict(INPUT, settings={})]
    assert len({admin_inputs_digest(value) for value in other} | {admin_inputs_digest(INPUT)}) == 5


def test_the_password_never_reaches_the_digest_input():
    # A digest of a weak password could be guessed; the role compares the password itself (password_changed).
    assert admin_inputs_digest(INPUT) == admin_inputs_digest(dict(INPUT, admin=dict(INPUT['admin'], password='')))


def test_an_app_removed_or_an_admin_left_alone_needs_no_token():
    standing = dict(STANDING, admin={'state': 'left_alone', 'email': 'admin@example.org'},
                    platform_app={'state': 'removed', 'name': 'sinapum.chatwoot'})
    step = admin_step(host(state=left(standing=standing)), want(secrets={}))
    assert step['ask'] is False
    assert step['result']['platform_app']['state'] == 'absent' and step['result']['admin']['state'] == 'left_alone'


@pytest.mark.parametrize('bad_host, bad_want, words', [
    ({}, want(), 'the host must be what chatwoot_host_info returned'),
    (host(), {'input': INPUT}, "the role's side of the plan lacks"),
    (host(), want(input=[]), 'the admin input must be a dict'),
])
def test_bad_input_is_refused(bad_host, bad_want, words):
    with pytest.raises(PlanError, match=words):
        admin_step(bad_host, bad_want)


def test_the_filter_names_itself_in_its_error():
    step = FilterModule().filters()['admin_step']
    assert step(host(), want())['ask'] is False
    with pytest.raises(AnsibleFilterError, match='^admin_step: '):
        step({}, want())
