# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deploy's decisions on what the host runs (module_utils/_deploy_plan.py), row by row, on containers in the shape
chatwoot_host_info returns them, and through the filters the role calls."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.containers_off import FilterModule as OffFilters
from ansible_collections.sinapum.chatwoot.plugins.filter.containers_to_restart import FilterModule as RestartFilters
from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import (
    PlanError,
    containers_off,
    containers_to_restart,
    file_differs,
)

PG, REDIS, WEB, WORKER = 'chatwoot_postgres', 'chatwoot_redis', 'chatwoot_rails', 'chatwoot_sidekiq'
PG_ID, REDIS_ID, APP_ID = 'sha256:' + 'a' * 64, 'sha256:' + 'b' * 64, 'sha256:' + 'c' * 64
WANTED = {PG: PG_ID, REDIS: REDIS_ID, WEB: APP_ID, WORKER: APP_ID}


def container(status='running', health='healthy', image_id=APP_ID):
    """One entry of chatwoot_host_info's containers (the keys the decisions read, as the module fills them)."""
    exists = status != 'missing'
    return dict(exists=exists, status=status, running=status == 'running', paused=status == 'paused',
                restarting=status == 'restarting', health=health if exists else '', image_id=image_id if exists else '')


def healthy_host(**changes):
    host = {PG: container(image_id=PG_ID), REDIS: container(image_id=REDIS_ID), WEB: container(), WORKER: container()}
    host.update(changes)
    return host


def test_a_stack_running_healthy_on_the_wanted_images_has_nothing_off():
    assert containers_off(healthy_host(), WANTED) == []


@pytest.mark.parametrize('name,facts', [
    (WEB, container(status='missing')),                     # fresh host, or removed by hand
    (WEB, container(status='exited', health='unhealthy')),  # stopped
    (WEB, container(status='paused')),                      # paused
    (WEB, container(status='restarting', health='starting')),
    (WEB, container(health='starting')),                    # still in its start period
    (WEB, container(health='unhealthy')),                   # hung
    (WEB, container(health='')),                            # no healthcheck: the role's compose file always has one
    (WORKER, container(image_id='sha256:' + 'd' * 64)),     # created from another image: an image change
    (PG, container(image_id=APP_ID)),
])
def test_each_way_a_container_can_be_off(name, facts):
    assert containers_off(healthy_host(**{name: facts}), WANTED) == [name]


def test_an_image_that_is_not_on_the_host_is_never_current():
    host = healthy_host(**{WEB: container(image_id='')})
    assert containers_off(host, dict(WANTED, **{WEB: ''})) == [WEB]


def test_only_the_wanted_names_are_judged_in_their_order():
    host = healthy_host(**{WEB: container(status='paused')})
    assert containers_off(host, {REDIS: REDIS_ID, PG: PG_ID}) == []
    assert containers_off({}, {WORKER: APP_ID, PG: PG_ID}) == [WORKER, PG]


def test_no_engine_means_every_wanted_container_is_off():
    # chatwoot_host_info's shape when no engine answers: every container there, none existing
    host = dict((name, container(status='missing')) for name in WANTED)
    assert containers_off(host, WANTED) == list(WANTED)


def test_paused_containers_are_restarted_whatever_they_are():
    host = healthy_host(**{PG: container(status='paused', image_id=PG_ID), WORKER: container(status='paused')})
    assert containers_to_restart(host, [WEB, WORKER]) == dict(paused=[PG, WORKER], restart=[PG, WORKER])


def test_a_hung_web_or_worker_is_restarted_a_sick_database_is_not():
    host = healthy_host(**{PG: container(health='unhealthy', image_id=PG_ID), WEB: container(health='unhealthy')})
    assert containers_to_restart(host, [WEB, WORKER]) == dict(paused=[], restart=[WEB])


def test_a_healthy_starting_or_stopped_stack_needs_no_restart():
    assert containers_to_restart(healthy_host(), [WEB, WORKER]) == dict(paused=[], restart=[])
    host = healthy_host(**{WEB: container(health='starting'), WORKER: container(status='exited', health='unhealthy')})
    assert containers_to_restart(host, [WEB, WORKER]) == dict(paused=[], restart=[])
    assert containers_to_restart({}, [WEB]) == dict(paused=[], restart=[])


@pytest.mark.parametrize('call', [
    lambda: containers_off(['container chatwoot_rails=running healthy x'], WANTED),
    lambda: containers_off({WEB: 'running healthy'}, WANTED),
    lambda: containers_off(healthy_host(), [WEB]),
    lambda: containers_to_restart('', [WEB]),
])
def test_input_of_another_shape_is_refused_not_guessed(call):
    with pytest.raises(PlanError):
        call()


def test_the_filters_give_the_same_answers_and_say_their_name_on_bad_input():
    off = OffFilters().filters()['containers_off']
    restart = RestartFilters().filters()['containers_to_restart']
    host = healthy_host(**{WORKER: container(status='paused')})
    assert off(host, WANTED) == [WORKER]
    assert restart(host, [WEB, WORKER]) == dict(paused=[WORKER], restart=[WORKER])
    with pytest.raises(AnsibleFilterError, match='^containers_off: '):
        off([], WANTED)
    with pytest.raises(AnsibleFilterError, match='^containers_to_restart: '):
        restart([], [WEB])


def facts(kind='file', mode='0600', owner='root', group='root', sha1='f' * 40):
    """One entry of chatwoot_host_info's files."""
    return dict(path='/x', exists=True, type=kind, mode=mode, owner=owner, group=group,
                sha1=sha1 if kind == 'file' else '')


def test_a_file_as_wanted_is_not_written():
    assert not file_differs(facts(), '0600', 'f' * 40)
    assert not file_differs(facts(kind='directory', mode='0750'), '0750', kind='directory')


@pytest.mark.parametrize('read', [
    {},                                                              # not read
    dict(facts(), exists=False, type='', mode='', owner='', group='', sha1=''),  # missing
    facts(mode='0644'), facts(owner='chatwoot'), facts(group='adm'), facts(sha1='e' * 40),
    facts(kind='directory', mode='0600'), facts(kind='link'),
])
def test_a_file_otherwise_is_written(read):
    assert file_differs(read, '0600', 'f' * 40)


def test_without_a_checksum_only_kind_mode_and_owner_count():
    assert not file_differs(facts(sha1='e' * 40), '0600')
    assert file_differs(facts(kind='directory'), '0600', kind='file')
    with pytest.raises(PlanError):
        file_differs('600 root root', '0600')


def test_the_file_differs_filter_passes_every_argument_on():
    from ansible_collections.sinapum.chatwoot.plugins.filter.file_differs import FilterModule as FileFilters
    differs = FileFilters().filters()['file_differs']
    assert differs(facts(owner='www', group='www', mode='0644'), '0644', 'f' * 40, 'www', 'www') is False
    assert differs(facts(kind='directory', mode='0755'), '0755', kind='directory') is False
    assert differs(facts(), '0600', 'e' * 40) is True
    with pytest.raises(AnsibleFilterError, match='^file_differs: '):
        differs(None, '0600')
