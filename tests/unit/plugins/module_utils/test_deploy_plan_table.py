# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deploy's decision table (module_utils/_deploy_plan.py deploy_start and deploy_plan), one row per situation a
host can be found in: fresh host, re-run, .env-only change, image change, upgrade, downgrade, volume deleted by hand,
paused and hung containers, split hosts, an external database, check mode."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.sinapum.chatwoot.plugins.filter.deploy_plan import FilterModule as PlanFilters
from ansible_collections.sinapum.chatwoot.plugins.filter.deploy_start import FilterModule as StartFilters
from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import PlanError, deploy_plan, deploy_start

# One container entry in chatwoot_host_info's shape for both decision tests, with its image IDs.
from test_deploy_plan import APP_ID, PG_ID, REDIS_ID, container

APP_REF, PG_REF, REDIS_REF = 'chatwoot/chatwoot:v4.15.1', 'pgvector/pgvector:pg16', 'redis:7-alpine'
OLD_ID = 'sha256:' + 'd' * 64
NAMES = {'postgres': 'chatwoot_postgres', 'redis': 'chatwoot_redis', 'rails': 'chatwoot_rails',
         'sidekiq': 'chatwoot_sidekiq'}
SERVICE_IMAGES = {'postgres': PG_REF, 'redis': REDIS_REF, 'rails': APP_REF, 'sidekiq': APP_REF}
ENV_SHA, COMPOSE_SHA = 'e' * 40, 'c' * 40
RECORD = {'version': 'v4.15.1', 'image': APP_REF, 'image_id': APP_ID, 'postgres_image': PG_REF,
          'prepared_image_id': APP_ID, 'composed': COMPOSE_SHA + ' ' + ENV_SHA}


def deployed_host():
    """A host the last run left as wanted, read by chatwoot_host_info."""
    ids = {'postgres': PG_ID, 'redis': REDIS_ID, 'rails': APP_ID, 'sidekiq': APP_ID}
    return dict(
        engine='28.2.2', record=copy.deepcopy(RECORD),
        images={APP_REF: APP_ID, PG_REF: PG_ID, REDIS_REF: REDIS_ID},
        containers=dict((NAMES[s], container(image_id=ids[s])) for s in NAMES),
        volume=dict(name='chatwoot_postgres_data', exists=True, created_at='2026-11-30T10:00:00Z'),
        postgres=dict(checked=True, answered=True, accepted=True, prepared=True, reason=''),
        files=dict(env=dict(exists=True, type='file', mode='0600', owner='root', group='root', sha1=ENV_SHA)))


def fresh_host():
    return dict(engine='28.2.2', record={}, images={APP_REF: '', PG_REF: '', REDIS_REF: ''},
                containers=dict((name, container(status='missing')) for name in NAMES.values()),
                volume=dict(name='chatwoot_postgres_data', exists=False, created_at=''),
                postgres=dict(checked=True, answered=False, accepted=None, prepared=None, reason='not running'),
                files=dict(env=dict(exists=False, type='', mode='', owner='', group='', sha1='')))


def start_want(**changes):
    want = dict(version='v4.15.1', allow_downgrade=False, pull_policy='missing', postgres_local=True,
                postgres_image=PG_REF, app=True, upgrade_backup=True, check_mode=False)
    want.update(changes)
    return want


def plan_want(host=None, **changes):
    """The role's side after the pull: every image is on the host then."""
    want = dict(containers=dict(NAMES), service_images=dict(SERVICE_IMAGES),
                image_ids={APP_REF: APP_ID, PG_REF: PG_ID, REDIS_REF: REDIS_ID}, image_id=APP_ID,
                files_wanted=dict(env=ENV_SHA, compose=COMPOSE_SHA),
                record=(host or deployed_host())['record'], app_services=['rails', 'sidekiq'],
                postgres_local=True, prepares=True, database_prepared=True, adopting=False, check_mode=False)
    want.update(changes)
    return want


# deploy_start

def test_fresh_host_pulls_everything_and_is_no_upgrade():
    start = deploy_start(fresh_host(), start_want())
    assert start == dict(engine_ready=True, from_version='', upgrading=False, downgrade=False, refuse_downgrade=False,
                         pull=[APP_REF, PG_REF, REDIS_REF], check_pgvector=True, backup_first=False)


def test_rerun_pulls_nothing_and_looks_into_nothing():
    start = deploy_start(deployed_host(), start_want())
    decided = (start['upgrading'], start['pull'], start['check_pgvector'], start['backup_first'])
    assert decided == (False, [], False, False)


def test_pull_policy_always_pulls_every_image_even_those_there():
    assert deploy_start(deployed_host(), start_want(pull_policy='always'))['pull'] == [APP_REF, PG_REF, REDIS_REF]


def test_an_upgrade_backs_up_first_and_looks_into_postgres_again():
    start = deploy_start(deployed_host(), start_want(version='v4.16.0'))
    assert (start['from_version'], start['upgrading'], start['downgrade'], start['check_pgvector'],
            start['backup_first']) == ('v4.15.1', True, False, True, True)


@pytest.mark.parametrize('changes', [dict(upgrade_backup=False), dict(postgres_local=False), dict(app=False),
                                     dict(check_mode=True)])
def test_no_backup_first_without_backups_bundled_database_app_or_in_check_mode(changes):
    assert deploy_start(deployed_host(), start_want(version='v4.16.0', **changes))['backup_first'] is False


# v4.15 against v4.15.1: as Ansible's version test compares them, (4, 15) < (4, 15, 1) - a downgrade.
@pytest.mark.parametrize('to,refused', [('v4.4.0', True), ('4.10.0', True), ('v4.15.0', True), ('v4.15', True),
                                        ('v4.15.1-ce', False), ('latest', False), ('v5.0.0', False)])
def test_a_downgrade_is_refused_a_version_that_names_none_is_not_judged(to, refused):
    start = deploy_start(deployed_host(), start_want(version=to))
    assert (start['upgrading'], start['downgrade'], start['refuse_downgrade']) == (True, refused, refused)
    assert deploy_start(deployed_host(), start_want(version=to, allow_downgrade=True))['refuse_downgrade'] is False


def test_a_new_postgres_image_is_looked_into_chatwoot_3_is_not():
    assert deploy_start(deployed_host(), start_want(postgres_image='pgvector/pgvector:pg17'))['check_pgvector']
    assert not deploy_start(fresh_host(), start_want(version='v3.16.0'))['check_pgvector']
    assert not deploy_start(fresh_host(), start_want(postgres_local=False))['check_pgvector']


def test_no_engine_is_said_and_every_image_is_missing():
    host = fresh_host()
    host['engine'] = ''
    start = deploy_start(host, start_want())
    assert (start['engine_ready'], start['pull']) == (False, [APP_REF, PG_REF, REDIS_REF])


# deploy_plan

def test_rerun_asks_compose_nothing_and_proves_nothing_again():
    plan = deploy_plan(deployed_host(), plan_want())
    assert (plan['off'], plan['stack_current'], plan['databases_current'], plan['restart'], plan['prove_password'],
            plan['prepare_reasons'], plan['converge']) == ([], True, True, [], False, [], False)


def test_fresh_host_brings_everything_up_and_prepares_a_new_volume():
    host = fresh_host()
    plan = deploy_plan(host, plan_want(host))
    assert plan['off'] == list(NAMES.values())
    assert (plan['stack_current'], plan['databases_current'], plan['prove_password']) == (False, False, False)
    assert plan['prepare_reasons'] == ['the image was not prepared yet', 'the database volume is new']
    assert plan['converge'] is True


def test_an_env_only_change_brings_the_stack_up_and_proves_the_password_again():
    plan = deploy_plan(deployed_host(), plan_want(files_wanted=dict(env='f' * 40, compose=COMPOSE_SHA)))
    assert (plan['off'], plan['stack_current'], plan['databases_current'], plan['prove_password'],
            plan['prepare_reasons']) == ([], False, True, True, [])


def test_an_image_change_recreates_web_and_worker_and_prepares():
    plan = deploy_plan(deployed_host(), plan_want(image_ids={APP_REF: OLD_ID, PG_REF: PG_ID, REDIS_REF: REDIS_ID},
                                                  image_id=OLD_ID))
    assert plan['off'] == ['chatwoot_rails', 'chatwoot_sidekiq']
    assert (plan['stack_current'], plan['databases_current'], plan['prove_password']) == (False, True, False)
    assert plan['prepare_reasons'] == ['the image was not prepared yet']


def test_a_volume_deleted_by_hand_is_prepared_again_whatever_the_record_says():
    host = deployed_host()
    host['volume'] = dict(name='chatwoot_postgres_data', exists=False, created_at='')
    host['containers']['chatwoot_postgres'] = container(status='missing')
    plan = deploy_plan(host, plan_want(host))
    assert (plan['off'], plan['databases_current'], plan['prove_password']) == (['chatwoot_postgres'], False, False)
    assert plan['prepare_reasons'] == ['the database volume is new']
    # check mode creates no volume: the record decides
    assert deploy_plan(host, plan_want(host, check_mode=True))['prepare_reasons'] == []


def test_paused_containers_and_a_hung_worker_are_restarted_a_sick_database_is_not():
    host = deployed_host()
    host['containers']['chatwoot_redis'] = container(status='paused', health='healthy', image_id=REDIS_ID)
    host['containers']['chatwoot_sidekiq'] = container(health='unhealthy')
    host['containers']['chatwoot_postgres'] = container(health='unhealthy', image_id=PG_ID)
    plan = deploy_plan(host, plan_want(host))
    assert (plan['paused'], plan['restart']) == (['chatwoot_redis'], ['chatwoot_redis', 'chatwoot_sidekiq'])
    assert plan['off'] == ['chatwoot_postgres', 'chatwoot_redis', 'chatwoot_sidekiq']
    assert (plan['stack_current'], plan['databases_current'], plan['prove_password']) == (False, False, True)


def test_the_password_is_proven_again_when_the_read_found_the_database_unprepared_or_refusing():
    unprepared = dict(answered=True, accepted=True, prepared=False)
    refusing = dict(answered=False, accepted=False, prepared=None)
    for postgres in (unprepared, refusing):
        host = deployed_host()
        host['postgres'].update(postgres)
        assert deploy_plan(host, plan_want(host))['prove_password'] is True


def test_an_app_only_host_of_a_split_stack_judges_its_own_containers_only():
    host = deployed_host()
    for name in ('chatwoot_postgres', 'chatwoot_redis'):
        del host['containers'][name]
    host['volume'] = dict(name='', exists=False, created_at='')
    app_only = dict((s, NAMES[s]) for s in ('rails', 'sidekiq'))
    plan = deploy_plan(host, plan_want(host, containers=app_only, postgres_local=False))
    assert (plan['off'], plan['stack_current'], plan['databases_current'], plan['prove_password'],
            plan['prepare_reasons']) == ([], True, True, False, [])


def test_a_database_only_host_never_prepares_for_a_new_volume_it_does_not_have():
    host = fresh_host()
    db_only = dict((s, NAMES[s]) for s in ('postgres', 'redis'))
    plan = deploy_plan(host, plan_want(host, containers=db_only, app_services=[]))
    assert plan['off'] == ['chatwoot_postgres', 'chatwoot_redis'] and plan['restart'] == []


def test_an_external_database_is_never_proven_here():
    host = deployed_host()
    del host['containers']['chatwoot_postgres']
    host['volume'] = dict(name='', exists=False, created_at='')
    host['postgres'] = dict(checked=False, answered=False, accepted=None, prepared=None, reason='')
    containers = dict((s, NAMES[s]) for s in ('redis', 'rails', 'sidekiq'))
    plan = deploy_plan(host, plan_want(host, containers=containers, postgres_local=False))
    assert (plan['stack_current'], plan['prove_password'], plan['prepare_reasons'], plan['converge']) == (
        True, False, [], False)
    # The external database answered that it was never prepared: the host that prepares converges, another does not.
    unprepared = plan_want(host, containers=containers, postgres_local=False, database_prepared=False)
    assert deploy_plan(host, unprepared)['converge'] is True
    unprepared['prepares'] = False
    assert deploy_plan(host, unprepared)['converge'] is False


@pytest.mark.parametrize('changes, converge', [
    (dict(), False),
    (dict(adopting=True), True),
    # A new image on a host that does not prepare: web and worker are recreated all the same.
    (dict(image_ids={APP_REF: OLD_ID, PG_REF: PG_ID, REDIS_REF: REDIS_ID}, image_id=OLD_ID, prepares=False), True),
    (dict(files_wanted=dict(env='f' * 40, compose=COMPOSE_SHA)), True),
    (dict(files_wanted=dict(env=ENV_SHA, compose='f' * 40)), True),
])
def test_a_current_stack_converges_only_when_something_between_files_and_health_has_work(changes, converge):
    assert deploy_plan(deployed_host(), plan_want(**changes))['converge'] is converge


def test_a_host_that_does_not_prepare_skips_a_prepare_only_the_other_host_would_run():
    record = dict(RECORD, prepared_image_id='')
    host = deployed_host()
    host['record'] = record
    assert deploy_plan(host, plan_want(host))['converge'] is True
    assert deploy_plan(host, plan_want(host, prepares=False))['converge'] is False


@pytest.mark.parametrize('call', [
    lambda: deploy_start({'engine': ''}, start_want()),
    lambda: deploy_start(deployed_host(), {'version': 'v4.15.1'}),
    lambda: deploy_plan(deployed_host(), plan_want(service_images={})),
    lambda: deploy_plan('host', plan_want()),
])
def test_input_of_another_shape_is_refused(call):
    with pytest.raises(PlanError):
        call()


def test_the_filters_are_the_functions_and_name_themselves_on_bad_input():
    start = StartFilters().filters()['deploy_start']
    plan = PlanFilters().filters()['deploy_plan']
    assert start(deployed_host(), start_want()) == deploy_start(deployed_host(), start_want())
    assert plan(deployed_host(), plan_want()) == deploy_plan(deployed_host(), plan_want())
    with pytest.raises(AnsibleFilterError, match='^deploy_start: .*lacks'):
        start(deployed_host(), {})
    with pytest.raises(AnsibleFilterError, match='^deploy_plan: '):
        plan({}, plan_want())
