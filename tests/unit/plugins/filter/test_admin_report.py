# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""admin_report: the admin step's words for each answer admin.rb gives, in a real run and in check mode."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.sinapum.chatwoot.plugins.filter.admin_report import admin_report

WANT = dict(check_mode=False, account_name='Acme Inc', rails_port=3001, rails_bind_address='0.0.0.0', host='web1',
            secret_settings=['FB_APP_SECRET'], secrets_file='/var/lib/sinapum-chatwoot/chatwoot/secrets.json',
            rotate_tokens=False)
CHECK = dict(WANT, check_mode=True)
CREATED = {'admin': {'state': 'created', 'email': 'admin@example.com'}, 'account': {'name': 'Acme', 'state': 'created', 'id': 1},
           'onboarding_was_open': True, 'onboarding_open': False, 'settings': {},
           'platform_app': {'name': 'sinapum-chatwoot', 'state': 'created'}}


def test_a_first_install_names_the_admin_the_closed_page_and_where_the_tokens_are():
    assert admin_report(CREATED, WANT) == '\n'.join([
        'Administrator admin@example.com created (SuperAdmin), administrator of the account "Acme".',
        'Onboarding page closed (key alfred:CHATWOOT_INSTALLATION_ONBOARDING deleted).',
        'Platform App "sinapum-chatwoot" created; its token and the',
        "administrator's are in /var/lib/sinapum-chatwoot/chatwoot/secrets.json (platform_app_token, admin_user_token)."])


def test_check_mode_says_what_would_be_done():
    report = admin_report(CREATED, CHECK)
    assert 'admin@example.com would be created (SuperAdmin)' in report
    assert 'Onboarding page would be closed' in report
    assert 'Platform App "sinapum-chatwoot" would be created;' in report


def test_a_present_admin_its_account_its_password_and_tokens_made_anew():
    answer = {'admin': {'state': 'present', 'email': 'a@x.io', 'super_admin': True, 'password_set': True},
              'account': {'state': 'present'}, 'platform_app': {'name': 'P', 'state': 'present'}}
    assert admin_report(answer, dict(WANT, rotate_tokens=True)).splitlines() == [
        'Administrator a@x.io present (SuperAdmin); account "Acme Inc" present.',
        'Its password set to chatwoot_admin_password.',
        'Platform App "P" present; its token and the',
        "administrator's are in /var/lib/sinapum-chatwoot/chatwoot/secrets.json (platform_app_token, admin_user_token), "
        'made anew.']
    # In check mode no token is made anew.
    assert admin_report(answer, dict(CHECK, rotate_tokens=True)).endswith('admin_user_token).')


def test_a_present_admin_without_the_account():
    answer = {'admin': {'state': 'present', 'email': 'a@x.io'}, 'account': {'state': 'absent'}}
    assert admin_report(answer, WANT) == 'Administrator a@x.io present; it has no account "Acme Inc" (none made).'


def test_an_installation_onboarded_by_hand_is_left_alone():
    answer = {'admin': {'state': 'absent', 'email': 'a@x.io'}, 'super_admins': 2}
    assert admin_report(answer, WANT) == ('This installation was onboarded already (2 SuperAdmin) and a@x.io is not a user '
                                          'there: left alone,\nno administrator and no account made.')


def test_an_open_onboarding_page_says_how_to_finish_it():
    report = admin_report({'onboarding_was_open': True, 'onboarding_open': True}, WANT)
    assert report.startswith('The onboarding page is OPEN: whoever submits it becomes SuperAdmin.')
    assert '127.0.0.1:3001 only. Finish it from this host (ssh -L 3001:127.0.0.1:3001\nweb1, then ' in report
    assert report.endswith('closes the page and publishes web on 0.0.0.0.')


def test_settings_show_their_change_and_hide_a_secret_value():
    answer = {'settings': {'LOGO': {'before': None, 'after': 'https://x/ü.png'}, 'FB_APP_SECRET': {'before': 'a', 'after': 'b'}}}
    assert admin_report(answer, WANT).splitlines() == [
        'Setting LOGO changed: null -> "https://x/\\u00fc.png"',
        'Setting FB_APP_SECRET changed: (value hidden: Chatwoot types it secret)']
    assert admin_report(answer, CHECK).startswith('Setting LOGO would change: null')


def test_an_answer_known_from_the_state_says_chatwoot_was_not_asked():
    report = admin_report({'from_state': True, 'platform_app': {'name': 'P', 'state': 'removed'}}, WANT)
    assert report.splitlines() == [
        '(As Chatwoot left things at the last run that asked it: its rows, the onboarding key and what it is asked are '
        'the same since, so it was not asked again.)',
        'Platform App "P" removed (chatwoot_platform_app: false); its token no longer works.']
    assert 'Platform App "P" absent (chatwoot_platform_app: false)' in admin_report(
        {'platform_app': {'name': 'P', 'state': 'absent'}}, CHECK)


def test_no_answer_is_check_mode_before_chatwoot_runs():
    assert admin_report({}, CHECK) == ('Check mode: Chatwoot does not run here yet, so the administrator, the settings and '
                                       'the Platform App are settled by\nthe real run.')


def test_no_password_or_token_is_ever_said():
    answer = dict(CREATED, admin=dict(CREATED['admin'], password='s3cret-pass'), admin_user_token='tok-123',
                  platform_app=dict(CREATED['platform_app'], token='tok-456'))
    report = admin_report(answer, WANT)
    assert 's3cret-pass' not in report and 'tok-123' not in report and 'tok-456' not in report


@pytest.mark.parametrize('answer, want, words', [
    (['not', 'a', 'dict'], WANT, "the input must be admin.rb's answer"),
    ({}, {'check_mode': False}, 'want must be a dict with check_mode, account_name'),
])
def test_bad_input_is_refused(answer, want, words):
    with pytest.raises(AnsibleFilterError, match=words):
        admin_report(answer, want)
