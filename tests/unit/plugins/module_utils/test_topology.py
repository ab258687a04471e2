# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which services a host runs (module_utils/_deploy_plan.py group_components and components_wanted): the README's
split hosts, group by group, and chatwoot_components as the role reads it, directly and through the filters."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.components_wanted import FilterModule as WantedFilters
from ansible_collections.sinapum.chatwoot.plugins.filter.group_components import FilterModule as GroupFilters
from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import (
    PlanError,
    components_wanted,
    group_components,
)

ALL = ['postgres', 'redis', 'rails', 'sidekiq']


@pytest.mark.parametrize('groups, picked', [
    ([], ALL),
    (['chatwoot'], ALL),
    (['chatwoot', 'monitoring'], ALL),
    (['chatwoot_database'], ['postgres', 'redis']),
    (['chatwoot_web'], ['rails']),
    (['chatwoot_worker'], ['sidekiq']),
    (['chatwoot_worker', 'chatwoot_web'], ['rails', 'sidekiq']),
    (['chatwoot_web', 'chatwoot_database', 'chatwoot'], ['postgres', 'redis', 'rails']),
    (('chatwoot_database', 'chatwoot_web', 'chatwoot_worker'), ALL),
])
def test_the_groups_pick_the_services_in_the_roles_order(groups, picked):
    assert group_components(groups) == picked


@pytest.mark.parametrize('groups', ['chatwoot_web', None, {'chatwoot_web': 1}])
def test_groups_of_another_shape_are_refused(groups):
    with pytest.raises(PlanError):
        group_components(groups)


@pytest.mark.parametrize('given, wanted', [
    (['sidekiq', 'rails'], ['rails', 'sidekiq']),
    (['redis', 'typo', 'postgres', 'redis'], ['postgres', 'redis']),
    ([], []),
    ('rails', []),
    (None, []),
    (3, []),
    ({'rails': True}, ['rails']),
])
def test_the_known_services_given_in_the_roles_order_anything_else_none(given, wanted):
    assert components_wanted(given) == wanted


def test_the_filters_are_the_functions_and_name_themselves_on_bad_input():
    group = GroupFilters().filters()['group_components']
    wanted = WantedFilters().filters()['components_wanted']
    assert group(['chatwoot_web']) == ['rails']
    assert wanted(['sidekiq', 'postgres']) == ['postgres', 'sidekiq']
    with pytest.raises(AnsibleFilterError, match='^group_components: '):
        group('chatwoot_web')
