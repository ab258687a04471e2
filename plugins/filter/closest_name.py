# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The closest_name filter; its documentation is in closest_name.yml beside this file."""

from __future__ import annotations

import difflib

from ansible.errors import AnsibleFilterError


def closest_name(name, candidates, cutoff=0.6):
    """The candidate most like NAME (difflib's ratio), or '' when none is at least CUTOFF alike."""
    if not isinstance(candidates, (list, tuple, set, frozenset, dict)):
        raise AnsibleFilterError(f"closest_name: the candidates must be a list, got {type(candidates).__name__}")
    try:
        cutoff = float(cutoff)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"closest_name: cutoff must be a number from 0 to 1, got {cutoff!r}") from exc
    if not 0.0 <= cutoff <= 1.0:
        raise AnsibleFilterError(f"closest_name: cutoff must be a number from 0 to 1, got {cutoff!r}")
    matches = difflib.get_close_matches(str(name), sorted(str(c) for c in candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else ""


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {"closest_name": closest_name}
