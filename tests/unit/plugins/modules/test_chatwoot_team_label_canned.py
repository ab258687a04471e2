# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_team, chatwoot_label and chatwoot_canned_response against Chatwoot at the HTTP layer."""

from __future__ import annotations

import pytest

from chatwoot_http import A, CONNECTION, Script, agent, run

AGENTS = [agent(1, 'admin@sinapum.example', 'Admin', 'administrator'), agent(7, 'ana@sinapum.example', 'Ana'),
          agent(8, 'bruno@sinapum.example', 'Bruno')]


def team(id_, name, description=None):
    """app/views/api/v1/models/_team.json.jbuilder"""
    return {'id': id_, 'name': name, 'description': description, 'allow_auto_assign': True, 'account_id': 1,
            'is_member': False}


def test_team_created_lower_case_then_members_replaced(monkeypatch):
    script = Script(
        ('GET', A + '/agents', None, 200, AGENTS),
        ('GET', A + '/teams', None, 200, []),
        ('POST', A + '/teams', {'team': {'name': 'suporte n1', 'description': 'N1'}}, 200, team(3, 'suporte n1', 'N1')),
        ('GET', A + '/teams/3/team_members', None, 200, []),
        ('PATCH', A + '/teams/3/team_members', {'user_ids': [7, 8]}, 200, [AGENTS[1], AGENTS[2]]),
    )
    result, failed = run('chatwoot_team', dict(CONNECTION, name='Suporte N1', description='N1',
                                               members=['ana@sinapum.example', 'bruno@sinapum.example']), script, monkeypatch)
    assert not failed, result
    script.done()
    assert result['changed'] is True and result['team']['name'] == 'suporte n1'
    assert result['members'] == ['ana@sinapum.example', 'bruno@sinapum.example']


def test_team_of_another_case_is_the_same_team_and_as_wanted(monkeypatch):
    script = Script(
        ('GET', A + '/agents', None, 200, AGENTS),
        ('GET', A + '/teams', None, 200, [team(3, 'suporte n1', 'N1')]),
        ('GET', A + '/teams/3/team_members', None, 200, [AGENTS[1]]),
    )
    result, failed = run('chatwoot_team', dict(CONNECTION, name='SUPORTE N1', description='N1',
                                               members=['ana@sinapum.example']), script, monkeypatch)
    assert not failed and result['changed'] is False, result
    script.done()


def test_team_members_check_mode_diff(monkeypatch):
    script = Script(
        ('GET', A + '/agents', None, 200, AGENTS),
        ('GET', A + '/teams', None, 200, [team(3, 'suporte n1')]),
        ('GET', A + '/teams/3/team_members', None, 200, [AGENTS[1]]),
    )
    result, failed = run('chatwoot_team', dict(CONNECTION, name='suporte n1', members=[]), script, monkeypatch, check=True)
    assert not failed and result['changed'] is True
    assert result['diff'] == {'before': {'members': ['ana@sinapum.example']}, 'after': {'members': []}}


def test_team_unknown_member_refused_before_any_change(monkeypatch):
    script = Script(('GET', A + '/agents', None, 200, AGENTS))
    result, failed = run('chatwoot_team', dict(CONNECTION, name='x', members=['zoe@sinapum.example']), script, monkeypatch)
    assert failed and 'not agents of account 1: zoe@sinapum.example' in result['msg']


def label(id_, title, color='#1f93ff'):
    """app/views/api/v1/accounts/labels/show.json.jbuilder"""
    return {'id': id_, 'title': title, 'description': None, 'color': color, 'show_on_sidebar': None}


def test_label_lower_case_and_changed(monkeypatch):
    script = Script(
        ('GET', A + '/labels', None, 200, {'payload': [label(2, 'cliente-vip')]}),
        ('PATCH', A + '/labels/2', {'label': {'color': '#d97706'}}, 200, label(2, 'cliente-vip', '#d97706')),
    )
    result, failed = run('chatwoot_label', dict(CONNECTION, title='Cliente-VIP', color='#d97706'), script, monkeypatch)
    assert not failed and result['changed'] is True, result
    script.done()
    assert result['diff'] == {'before': {'color': '#1f93ff'}, 'after': {'color': '#d97706'}}


@pytest.mark.parametrize('title', ['two words', 'a', '-x', '_x', 'x!'])
def test_label_title_chatwoot_refuses_is_refused_before_any_call(title, monkeypatch):
    script = Script()
    result, failed = run('chatwoot_label', dict(CONNECTION, title=title), script, monkeypatch)
    assert failed and 'is not one Chatwoot accepts' in result['msg']
    assert script.requests == []


def test_label_titles_chatwoot_accepts():
    from ansible_collections.sinapum.chatwoot.plugins.modules.chatwoot_label import TITLE_RE
    assert all(TITLE_RE.match(t) for t in ('ab', 'cliente-vip', 'ação_1', 'x9'))


def test_canned_response_created_and_absent(monkeypatch):
    row = {'id': 5, 'account_id': 1, 'short_code': 'oi', 'content': 'Olá!', 'created_at': '2026-11-30T04:15:29.123Z',
           'updated_at': '2026-11-30T04:15:29.123Z'}
    script = Script(('GET', A + '/canned_responses', None, 200, []),
                    ('POST', A + '/canned_responses', {'canned_response': {'short_code': 'oi', 'content': 'Olá!'}}, 200, row))
    result, failed = run('chatwoot_canned_response', dict(CONNECTION, short_code='oi', content='Olá!'), script, monkeypatch)
    assert not failed and result['changed'] is True and result['canned_response']['id'] == 5
    script = Script(('GET', A + '/canned_responses', None, 200, [row]), ('DELETE', A + '/canned_responses/5', None, 200, None))
    result, failed = run('chatwoot_canned_response', dict(CONNECTION, short_code='oi', state='absent'), script, monkeypatch)
    assert not failed and result['changed'] is True and result['canned_response'] == {}
    script.done()


def test_canned_response_without_content_cannot_be_created(monkeypatch):
    script = Script(('GET', A + '/canned_responses', None, 200, []))
    result, failed = run('chatwoot_canned_response', dict(CONNECTION, short_code='oi'), script, monkeypatch)
    assert failed and "canned response 'oi' does not exist; to create it give content" in result['msg']


def test_team_member_not_yet_an_agent_is_a_member_to_be_in_check_mode(monkeypatch):
    script = Script(('GET', A + '/agents', None, 200, AGENTS), ('GET', A + '/teams', None, 200, []))
    result, failed = run('chatwoot_team', dict(CONNECTION, name='x', members=['zoe@sinapum.example']), script, monkeypatch,
                         check=True)
    assert not failed and result['changed'] is True, result
    assert result['diff']['after']['members'] == ['zoe@sinapum.example']
