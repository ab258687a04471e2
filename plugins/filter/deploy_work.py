# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deploy_work filter; its documentation is in deploy_work.yml beside this file, its decision in module_utils/_deploy_work.py."""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.plugin_utils._plan_filter import plan_filter


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {'deploy_work': plan_filter('deploy_work')}
