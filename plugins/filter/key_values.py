# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The key_values filter; its documentation is in key_values.yml beside this file."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def key_values(lines, prefix=''):
    """The KEY=value lines of LINES as a dict (split at the first '='); lines without '=' are left out. With PREFIX,
    only the lines that begin with it, read without it."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, (list, tuple)):
        raise AnsibleFilterError(f"key_values: the input must be lines (a list or a string), got {type(lines).__name__}")
    if not isinstance(prefix, str):
        raise AnsibleFilterError(f"key_values: prefix must be a string, got {type(prefix).__name__}")
    kept = (str(line)[len(prefix):] for line in lines if str(line).startswith(prefix))
    return dict(line.split('=', 1) for line in kept if '=' in line)


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {'key_values': key_values}
