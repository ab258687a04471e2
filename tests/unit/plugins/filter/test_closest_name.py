# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sinapum.chatwoot.closest_name: the suggestion in "did you mean ...?"."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.closest_name import FilterModule, closest_name

KNOWN = ["chatwoot_rails_port", "chatwoot_redis_port", "chatwoot_postgres_port", "chatwoot_rails_publish",
         "chatwoot_frontend_url", "chatwoot_postgres_password"]


@pytest.mark.parametrize("typo,meant", [("chatwoot_rails_prot", "chatwoot_rails_port"),
                                        ("chatwoot_postgres_pasword", "chatwoot_postgres_password"),
                                        ("chatwoot_frontendurl", "chatwoot_frontend_url"),
                                        ("chatwoot_redis_prot", "chatwoot_redis_port")])
def test_a_typo_gets_the_name_it_was_meant_to_be(typo, meant):
    assert closest_name(typo, KNOWN) == meant


def test_nothing_alike_gives_an_empty_string():
    assert closest_name("chatwoot_colour_scheme", KNOWN) == ""
    assert closest_name("anything", []) == ""


def test_the_cutoff_decides_how_alike():
    assert closest_name("chatwoot_rails", KNOWN, 0.95) == ""
    assert closest_name("chatwoot_rails", KNOWN, 0.5) in KNOWN


@pytest.mark.parametrize("candidates,cutoff", [("chatwoot_rails_port", 0.6), (KNOWN, 2), (KNOWN, "close")])
def test_bad_arguments_are_named(candidates, cutoff):
    with pytest.raises(AnsibleFilterError, match="closest_name"):
        closest_name("x", candidates, cutoff)


def test_the_filter_is_registered():
    assert FilterModule().filters()["closest_name"] is closest_name
