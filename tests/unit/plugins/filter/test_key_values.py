# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sinapum.chatwoot.key_values: the lock script's answer as data."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.key_values import FilterModule, key_values


def test_lines_split_at_the_first_equals_sign_and_others_left_out():
    lines = ["state=held", "reason=it names no run: owner=", "chatwoot-lock.sh: waiting", "", "waited=3"]
    assert key_values(lines) == {"state": "held", "reason": "it names no run: owner=", "waited": "3"}


def test_the_whole_output_as_one_string_reads_the_same():
    assert key_values("state=got\nwaited=0\n") == {"state": "got", "waited": "0"}
    assert key_values([]) == {}


def test_a_prefix_keeps_only_its_lines_and_reads_them_without_it():
    lines = ["image redis:8=sha256:1", "vector pgvector/pgvector:pg17=postgresql/17/extension/vector.control",
             "vector postgres:17=", "image x/chatwoot:missing=", "noise=1"]
    assert key_values(lines, "image ") == {"redis:8": "sha256:1", "x/chatwoot:missing": ""}
    assert key_values(lines, "vector ") == {"pgvector/pgvector:pg17": "postgresql/17/extension/vector.control",
                                            "postgres:17": ""}
    # without one, every KEY=value line, prefix and all
    assert "image redis:8" in key_values(lines)


def test_a_prefix_that_is_not_a_string_is_an_error_that_names_the_filter():
    with pytest.raises(AnsibleFilterError, match="key_values: prefix must be a string"):
        key_values(["a=1"], 3)


@pytest.mark.parametrize("bad", [None, 3, {"state": "held"}])
def test_what_is_not_lines_is_an_error_that_names_the_filter(bad):
    with pytest.raises(AnsibleFilterError, match="key_values: the input must be lines"):
        key_values(bad)


def test_the_filter_is_registered_by_its_name():
    assert FilterModule().filters()["key_values"] is key_values
