# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chatwoot_render action, documented in plugins/modules/chatwoot_render.py: a role's templates rendered on the
controller into strings, with their SHA-1 checksums, as the template lookup renders them but without its deep copy of
every variable of the host (about a quarter of a re-run's render step on ansible-core 2.19)."""

from __future__ import annotations

import hashlib
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.template import trust_as_template
from ansible._internal._templating import _template_vars

ARGUMENT_SPEC = dict(
    templates=dict(type='dict', required=True),
)

# What the template lookup renders with when given no options (its documented defaults), so that a template gives the
# same text either way.
OVERRIDES = dict(variable_start_string='{{', variable_end_string='}}', comment_start_string='{#',
                 comment_end_string='#}', trim_blocks=True)


def search_path(task_vars, found):
    """Where a template's own includes are looked for: its directory, then each of the task's search paths and its
    templates/ subdirectory, as the lookup orders them."""
    paths = [os.path.dirname(found)]
    for path in task_vars.get('ansible_search_path', []):
        paths.extend([os.path.join(path, 'templates'), path])
    return paths


def sha1(text):
    return hashlib.sha1(text.encode('utf-8', 'surrogateescape')).hexdigest()


def empty_result():
    return dict(changed=False, content={}, sha1={})


class ActionModule(ActionBase):
    """Render each named template with the task's variables."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        result.update(empty_result())
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        task_vars = task_vars or {}
        for key, name in args['templates'].items():
            if not isinstance(name, str) or not name:
                raise AnsibleActionFail('templates.%s: a template file name is needed, got %r' % (key, name))
            found = self._find_needle('templates', name)
            # A shallow copy: the templates only read the variables (the lookup deep-copies them all).
            available = dict(task_vars)
            available.update(_template_vars.generate_ansible_template_vars(
                path=name, fullpath=found, include_ansible_managed='ansible_managed' not in available))
            templar = self._templar.copy_with_new_env(searchpath=search_path(task_vars, found),
                                                      available_variables=available)
            text = templar.template(trust_as_template(self._loader.get_text_file_contents(found)),
                                    escape_backslashes=False, overrides=OVERRIDES)
            text = '' if text is None else str(text)
            result['content'][key] = text
            result['sha1'][key] = sha1(text)
        return result
