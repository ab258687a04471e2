# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin of every module that configures Chatwoot through its APIs: on a host the role deployed, the
connection options the task leaves out come from the fact ``chatwoot_credentials`` (roles/chatwoot/tasks/
credentials_fact.yml: ``url``, ``account_id``, ``user_token``, ``platform_token``). Facts live on the controller,
so only an action plugin can read them; the module itself then falls back to its environment variables."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

# The modules of the Platform API take the Platform App's token; all others a user's.
PLATFORM_MODULES = frozenset(('chatwoot_account', 'chatwoot_user', 'chatwoot_account_user'))


def defaults_from_credentials(module_name, credentials):
    """The options ``chatwoot_credentials`` gives a module (only those it has a value for)."""
    if not isinstance(credentials, dict):
        return {}
    platform = module_name.rsplit('.', 1)[-1] in PLATFORM_MODULES
    out = {
        'api_url': credentials.get('url'),
        'api_token': credentials.get('platform_token' if platform else 'user_token'),
    }
    if not platform:
        out['account_id'] = credentials.get('account_id')
    return dict((k, v) for k, v in out.items() if v not in (None, ''))


class ActionModule(ActionBase):
    """Fill api_url, api_token (and account_id) from chatwoot_credentials when the task does not give them."""

    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        credentials = task_vars.get('chatwoot_credentials')
        if credentials is not None:
            credentials = self._templar.template(credentials)
        for key, value in defaults_from_credentials(self._task.action, credentials).items():
            if args.get(key) in (None, ''):
                args[key] = value
        result.update(self._execute_module(module_name=self._task.action, module_args=args, task_vars=task_vars))
        return result
