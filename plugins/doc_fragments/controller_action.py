# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The attributes of the collection's actions that run on the controller alone and change nothing
    (chatwoot_verdict, chatwoot_render), beside ansible.builtin.action_common_attributes and its .conn and .flow."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    details: It changes nothing, so it does the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  connection:
    support: none
  delegation:
    support: none
  become:
    support: none
"""
