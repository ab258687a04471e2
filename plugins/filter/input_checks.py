# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The input_checks filter; its documentation is in input_checks.yml beside this file, its checks in
plugin_utils/_input_checks.py."""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.plugin_utils._plan_filter import plan_filter


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {'input_checks': plan_filter('input_checks', 'plugin_utils._input_checks')}
