# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin_report filter; its documentation is in admin_report.yml beside this file."""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

WANTED = ('check_mode', 'account_name', 'rails_port', 'rails_bind_address', 'host', 'secret_settings', 'secrets_file',
          'rotate_tokens')


def _admin_lines(answer, account_name, would):
    admin = answer.get('admin') or {}
    if not admin:
        return []
    email = admin.get('email', '')
    if admin.get('state') == 'created':
        return ['Administrator %s %screated (SuperAdmin), administrator of the account "%s".'
                % (email, would, (answer.get('account') or {}).get('name', ''))]
    if admin.get('state') == 'present':
        account = ((' account "%s" present.' if (answer.get('account') or {}).get('state') == 'present'
                    else ' it has no account "%s" (none made).') % account_name)
        lines = ['Administrator %s present%s;%s' % (email, ' (SuperAdmin)' if admin.get('super_admin') else '', account)]
        if admin.get('password_set'):
            lines.append('Its password %sset to chatwoot_admin_password.' % would)
        return lines
    return ['This installation was onboarded already (%s SuperAdmin) and %s is not a user there: left alone,'
            % (answer.get('super_admins'), email),
            'no administrator and no account made.']


def _onboarding_lines(answer, want, would):
    if answer.get('onboarding_was_open') and not answer.get('onboarding_open'):
        return ['Onboarding page %sclosed (key alfred:CHATWOOT_INSTALLATION_ONBOARDING deleted).' % would]
    if answer.get('onboarding_open'):
        port = want['rails_port']
        return [
            'The onboarding page is OPEN: whoever submits it becomes SuperAdmin. Without chatwoot_admin_email web is '
            'published on',
            '127.0.0.1:%s only. Finish it from this host (ssh -L %s:127.0.0.1:%s' % (port, port, port),
            '%s, then http://127.0.0.1:%s/installation/onboarding), or set' % (want['host'], port),
            'chatwoot_admin_email (with chatwoot_admin_password or none) and re-run: the role then makes the administrator,',
            'closes the page and publishes web on %s.' % want['rails_bind_address']]
    return []


def _platform_app_lines(answer, want, would):
    app = answer.get('platform_app') or {}
    if not app:
        return []
    if app.get('state') in ('removed', 'absent'):
        return ['Platform App "%s" %s (chatwoot_platform_app: false); its token no longer works.'
                % (app.get('name', ''), would + 'removed' if app.get('state') == 'removed' else 'absent')]
    state = would + 'created' if app.get('state') == 'created' else 'present'
    return ['Platform App "%s" %s; its token and the' % (app.get('name', ''), state),
            "administrator's are in %s (platform_app_token, admin_user_token)%s."
            % (want['secrets_file'], ', made anew' if want['rotate_tokens'] and not want['check_mode'] else '')]


def admin_report(answer, want):
    """What the role's admin step found and did, in words, from admin.rb's ANSWER (none in check mode before Chatwoot
    runs); never a password or a token."""
    if not isinstance(answer, dict):
        raise AnsibleFilterError('admin_report: the input must be admin.rb\'s answer (a dict), got %s' % type(answer).__name__)
    if not isinstance(want, dict) or any(name not in want for name in WANTED):
        raise AnsibleFilterError('admin_report: want must be a dict with %s' % ', '.join(WANTED))
    if not answer:
        return ('Check mode: Chatwoot does not run here yet, so the administrator, the settings and the Platform App are '
                'settled by\nthe real run.')
    would = 'would be ' if want['check_mode'] else ''
    lines = _admin_lines(answer, want['account_name'], would) + _onboarding_lines(answer, want, would)
    for name, change in (answer.get('settings') or {}).items():
        shown = (' (value hidden: Chatwoot types it secret)' if name in want['secret_settings']
                 else ' %s -> %s' % (json.dumps(change.get('before')), json.dumps(change.get('after'))))
        lines.append('Setting %s%s:%s' % (name, ' would change' if want['check_mode'] else ' changed', shown))
    if answer.get('from_state'):
        lines.append('(As Chatwoot left things at the last run that asked it: its rows, the onboarding key and what it is '
                     'asked are the same since, so it was not asked again.)')
    lines += _platform_app_lines(answer, want, would)
    return '\n'.join(lines).strip()


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {'admin_report': admin_report}
