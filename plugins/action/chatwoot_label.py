# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The connection options from chatwoot_credentials (plugins/plugin_utils/_chatwoot_credentials.py).
from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.plugin_utils._chatwoot_credentials import ActionModule  # noqa: F401 pylint: disable=unused-import
