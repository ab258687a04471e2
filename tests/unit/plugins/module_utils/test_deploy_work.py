# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_deploy_plan.py deploy_work: whether a run has anything left to do once the files are written, one
row per step that can have some, fed by the real deploy_start and deploy_plan on the decision table's hosts."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.deploy_work import FilterModule as WorkFilters
from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import (
    PlanError, deploy_plan, deploy_start, deploy_work)

from test_deploy_plan import container
from test_deploy_plan_table import COMPOSE_SHA, deployed_host, fresh_host, plan_want, start_want

HEALTHY = {'healthy': True, 'components': {}, 'failed_components': [], 'drifted_components': [],
           'msg': 'healthy: web, postgres, redis, sidekiq ok'}


def read(host=None, health=None):
    """A host as chatwoot_host_info read it, with the verdict of the health probes asked within the read."""
    host = host or deployed_host()
    host['health'] = dict(HEALTHY) if health is None else health
    return host


def work_want(host, start=None, plan='made', **changes):
    want = dict(plan=deploy_plan(host, plan_want(host)) if plan == 'made' else plan,
                start=start or deploy_start(host, start_want()),
                adopt=False, ca_files=False, proxy=False, admin_ask=False, admin_file=False, record_differs=False,
                backup_schedule=False)
    want.update(changes)
    return want


def test_a_rerun_of_a_current_healthy_stack_has_nothing_left_to_do():
    host = read()
    assert deploy_work(host, work_want(host)) == dict(work=[], idle=True)


@pytest.mark.parametrize('changes, words', [
    (dict(adopt=True), 'a running stack is taken over'),
    (dict(ca_files=True), 'the private CAs are installed'),
    (dict(proxy=True), 'the proxy is configured and checked'),
    (dict(admin_ask=True), 'the admin step asks Chatwoot'),
    # admin.json edited or removed by hand: the admin step writes it again from the answer it knows.
    (dict(admin_file=True), "the administrator's account is noted again"),
    (dict(record_differs=True), 'the record of the deployment changes'),
    (dict(backup_schedule=True), 'the backup schedule is installed'),
])
def test_each_optional_step_asked_for_is_work(changes, words):
    host = read()
    assert deploy_work(host, work_want(host, **changes)) == dict(work=[words], idle=False)


@pytest.mark.parametrize('health', [
    {},  # check mode, or a service that is not published: the read asked no probe
    dict(HEALTHY, healthy=False, failed_components=['sidekiq'], msg='unhealthy: sidekiq'),
    dict(HEALTHY, healthy=False, failed_components=['redis'], drifted_components=['redis']),
    dict(HEALTHY, healthy='true'),  # only a verdict of true stands, not a word that looks like one
    None,
])
def test_the_health_gate_has_work_unless_the_read_found_every_part_healthy(health):
    host = read()
    host['health'] = health
    assert deploy_work(host, work_want(host))['work'] == ['the health gate asks Chatwoot']


def test_a_fresh_host_has_everything_to_do():
    host = read(fresh_host(), health={})
    work = deploy_work(host, work_want(host))
    assert work['work'] == ['containers are restarted, started, proven or prepared', 'the health gate asks Chatwoot']
    assert work['idle'] is False


def test_an_env_only_change_brings_the_stack_up_even_while_it_runs_healthy():
    host = read()
    plan = deploy_plan(host, plan_want(host, files_wanted=dict(env='f' * 40, compose=COMPOSE_SHA)))
    assert deploy_work(host, work_want(host, plan=plan))['work'] == [
        'containers are restarted, started, proven or prepared']


def test_an_upgrade_backs_up_first_and_brings_the_stack_up():
    host = read()
    start = deploy_start(host, start_want(version='v4.16.0'))
    plan = deploy_plan(host, plan_want(host, image_id='sha256:' + 'f' * 64))
    assert deploy_work(host, work_want(host, start=start, plan=plan))['work'] == [
        'a backup is taken before the upgrade', 'containers are restarted, started, proven or prepared']


def test_without_an_engine_nothing_was_pulled_and_there_is_no_plan_to_ask():
    host = read(fresh_host(), health={})
    host['engine'] = ''
    start = deploy_start(host, start_want())
    work = deploy_work(host, work_want(host, start=start, plan=None))
    assert work == dict(work=['no Docker engine answers'], idle=False)


def test_a_paused_web_is_work_though_everything_else_is_current():
    host = read()
    host['containers']['chatwoot_rails'] = container(status='paused')
    assert deploy_work(host, work_want(host))['idle'] is False


def test_the_work_is_said_in_the_deploys_order():
    host = read(health={})
    everything = work_want(host, adopt=True, ca_files=True, proxy=True, admin_ask=True, admin_file=True,
                           record_differs=True, backup_schedule=True)
    assert deploy_work(host, everything)['work'] == [
        'a running stack is taken over', 'the private CAs are installed', 'the proxy is configured and checked',
        'the health gate asks Chatwoot', 'the admin step asks Chatwoot', "the administrator's account is noted again",
        'the record of the deployment changes', 'the backup schedule is installed']


@pytest.mark.parametrize('call', [
    lambda: deploy_work({}, work_want(read())),
    lambda: deploy_work(read(), {'plan': {}}),
    lambda: deploy_work(read(), work_want(read(), plan={'stack_current': True})),
    lambda: deploy_work(read(), work_want(read(), start={'engine_ready': True})),
    lambda: deploy_work(read(), dict(work_want(read()), plan='current')),
])
def test_input_of_another_shape_is_refused(call):
    with pytest.raises(PlanError):
        call()


def test_the_filter_is_the_function_and_names_itself_on_bad_input():
    work = WorkFilters().filters()['deploy_work']
    host = read()
    assert work(host, work_want(host)) == deploy_work(host, work_want(host))
    with pytest.raises(AnsibleFilterError, match='^deploy_work: .*lacks'):
        work(host, {})
