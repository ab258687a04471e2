# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deploy's decisions about what the host runs, as pure functions of what chatwoot_host_info read.

Reached from the role through the filter plugins of the same names (plugins/filter/), so that each decision is
unit-tested on its own instead of only by a whole deploy.
"""

from __future__ import annotations

import hashlib
import json


class PlanError(ValueError):
    """Input the decisions cannot be made from: the role handed over something that is not host_info's shape."""


def _container(containers, name):
    if not isinstance(containers, dict):
        raise PlanError('the containers must be chatwoot_host_info\'s "containers" (a dict), got %s'
                        % type(containers).__name__)
    facts = containers.get(name)
    if facts is None:
        return {}
    if not isinstance(facts, dict):
        raise PlanError('containers[%r] must be a dict, got %s' % (name, type(facts).__name__))
    return facts


# The four services the role deploys, in its order, and the inventory groups that pick them (README, "Split hosts").
COMPONENTS = ('postgres', 'redis', 'rails', 'sidekiq')
GROUP_COMPONENTS = (('chatwoot_database', ('postgres', 'redis')), ('chatwoot_web', ('rails',)),
                    ('chatwoot_worker', ('sidekiq',)))


def group_components(group_names):
    """chatwoot_components' default: the services the host's inventory groups pick (chatwoot_database: postgres and
    redis, chatwoot_web: rails, chatwoot_worker: sidekiq), in the role's order; a host in none of them runs all four."""
    if isinstance(group_names, (str, bytes)) or not isinstance(group_names, (list, tuple, set, frozenset)):
        raise PlanError('the groups must be a list of group names (group_names), got %s' % type(group_names).__name__)
    picked = set()
    for group, services in GROUP_COMPONENTS:
        if group in group_names:
            picked.update(services)
    return [name for name in COMPONENTS if name in picked] if picked else list(COMPONENTS)


def components_wanted(given):
    """The services among GIVEN (chatwoot_components) that the role knows, in its order. Anything but a list gives
    none, and unknown names are left out: the preflight's check names both mistakes."""
    if isinstance(given, (str, bytes)) or not isinstance(given, (list, tuple, dict)):
        return []
    return [name for name in COMPONENTS if name in given]


def container_current(facts, image_id):
    """Running (not paused, not restarting), healthy, and created from the image IMAGE_ID (never an empty one)."""
    return bool(image_id) and bool(facts.get('exists')) and facts.get('status') == 'running' \
        and facts.get('health') == 'healthy' and facts.get('image_id') == image_id


def containers_off(containers, wanted):
    """The names in WANTED (container name -> image ID) whose container is not current, in WANTED's order."""
    if not isinstance(wanted, dict):
        raise PlanError('wanted must map container names to image IDs, got %s' % type(wanted).__name__)
    return [name for name, image_id in wanted.items() if not container_current(_container(containers, name), image_id)]


def containers_to_restart(containers, app_names):
    """What bringing the stack up must restart first: every paused container (Compose refuses to start one), and
    each of APP_NAMES (web, worker) that runs but is unhealthy (``up --wait`` gives up at once on one). A database
    that is unhealthy may be recovering and is left to its own healthcheck."""
    if not isinstance(containers, dict):
        raise PlanError('the containers must be chatwoot_host_info\'s "containers" (a dict), got %s'
                        % type(containers).__name__)
    app_names = list(app_names or [])
    paused = [name for name in containers if _container(containers, name).get('status') == 'paused']
    hanging = [name for name in app_names
               if _container(containers, name).get('status') == 'running'
               and _container(containers, name).get('health') == 'unhealthy']
    return dict(paused=paused, restart=paused + [name for name in hanging if name not in paused])


def file_differs(facts, mode, sha1=None, owner='root', group='root', kind='file'):
    """Whether the role must write a file or directory that chatwoot_host_info read as FACTS (one entry of its
    "files"; {} when it was not read): missing, of another kind, another mode, owner or group, or - when SHA1 is
    given - other content."""
    if not isinstance(facts, dict):
        raise PlanError('the file facts must be one entry of chatwoot_host_info\'s "files", got %s'
                        % type(facts).__name__)
    if not facts.get('exists') or facts.get('type') != kind:
        return True
    if (facts.get('mode'), facts.get('owner'), facts.get('group')) != (mode, owner, group):
        return True
    return sha1 is not None and facts.get('sha1') != sha1


def _version_numbers(version):
    """(4, 15, 1) for 'v4.15.1' or '4.15.1-ce'; None when the version does not start with a number."""
    text = str(version or '')
    text = text[1:] if text.startswith('v') else text
    numbers = []
    for part in text.split('.'):
        digits = ''
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if digits != part:
            break
    return tuple(numbers) or None


def _need(want, *keys):
    if not isinstance(want, dict):
        raise PlanError('the role\'s side of the plan must be a dict, got %s' % type(want).__name__)
    missing = [key for key in keys if key not in want]
    if missing:
        raise PlanError('the role\'s side of the plan lacks %s' % ', '.join(missing))


def _host(host, *keys):
    if not isinstance(host, dict) or any(key not in host for key in keys):
        raise PlanError('the host must be what chatwoot_host_info returned (with %s)' % ', '.join(keys))


START_KEYS = ('version', 'allow_downgrade', 'pull_policy', 'postgres_local', 'postgres_image', 'app', 'upgrade_backup',
              'check_mode')


def deploy_start(host, want):
    """Where this run starts from and what it must do before anything is stopped, from the host's read alone.

    WANT: version (chatwoot_version), allow_downgrade, pull_policy (always or missing), postgres_local,
    postgres_image, app (this host runs web or worker), upgrade_backup, check_mode.
    """
    _host(host, 'engine', 'record', 'images')
    _need(want, *START_KEYS)
    record = host['record'] or {}
    from_version = str(record.get('version') or '')
    upgrading = from_version not in ('', want['version'])
    to_numbers, from_numbers = _version_numbers(want['version']), _version_numbers(from_version)
    downgrade = upgrading and to_numbers is not None and from_numbers is not None and to_numbers < from_numbers
    major = to_numbers[0] if to_numbers else None
    images = host['images'] or {}
    pull = list(images) if want['pull_policy'] == 'always' else [ref for ref, image_id in images.items() if not image_id]
    return dict(
        engine_ready=bool(host['engine']),
        from_version=from_version,
        upgrading=upgrading,
        downgrade=downgrade,
        refuse_downgrade=downgrade and not want['allow_downgrade'],
        pull=pull,
        # Chatwoot 4 needs the vector extension: a Postgres image new to this host, or a move of Chatwoot, is looked
        # into before it is started. A version that names no major (a tag such as latest) is looked into too.
        check_pgvector=bool(want['postgres_local']) and (
            record.get('postgres_image', '') != want['postgres_image'] or upgrading) and not (
            major is not None and major <= 3),
        backup_first=upgrading and bool(want['upgrade_backup']) and bool(want['postgres_local'])
        and bool(want['app']) and not want['check_mode'],
    )


PLAN_KEYS = ('containers', 'service_images', 'image_ids', 'image_id', 'files_wanted', 'record', 'app_services',
             'postgres_local', 'prepares', 'database_prepared', 'adopting', 'check_mode')


def deploy_plan(host, want):
    """What bringing the stack up must do, once the images are on the host.

    WANT: containers (service -> container name of the services this host runs), service_images (service -> image
    reference), image_ids (reference -> local image ID, after the pull), image_id (of Chatwoot's image), files_wanted
    (sha1 of the env and compose files this run writes), record (of the last deployment), app_services (the web and
    worker services this host runs), postgres_local, prepares (this host is the one that prepares the database),
    database_prepared (false only when the external database answered that it was never prepared), adopting (this run
    takes a running stack over), check_mode.
    """
    _host(host, 'containers', 'volume', 'postgres', 'files')
    _need(want, *PLAN_KEYS)
    containers, images, ids = want['containers'], want['service_images'], want['image_ids']
    try:
        wanted = dict((name, ids.get(images[service], '')) for service, name in containers.items())
    except (AttributeError, KeyError, TypeError) as exc:
        raise PlanError('containers, service_images and image_ids do not fit together (%s)' % exc)
    databases = dict((containers[service], wanted[containers[service]])
                     for service in ('postgres', 'redis') if service in containers)
    composed = '%s %s' % (want['files_wanted'].get('compose', ''), want['files_wanted'].get('env', ''))
    record = want['record'] or {}
    off = containers_off(host['containers'], wanted)
    databases_current = not containers_off(host['containers'], databases)
    restarts = containers_to_restart(host['containers'], [containers[s] for s in want['app_services'] if s in containers])
    env_read = (host['files'].get('env') or {}).get('sha1', '')
    volume_exists = bool((host['volume'] or {}).get('exists'))
    # Whether the database was ever prepared is asked later, of the running database (prepare.yml): a third reason.
    prepare_reasons = []
    if record.get('prepared_image_id', '') != want['image_id']:
        prepare_reasons.append('the image was not prepared yet')
    if want['postgres_local'] and not volume_exists and not want['check_mode']:
        prepare_reasons.append('the database volume is new')
    stack_current = not off and record.get('composed', '') == composed
    # The proof the read made already stands when it was made with this very .env on the databases as they are.
    prove_password = bool(want['postgres_local']) and volume_exists and not (
        databases_current and host['postgres'].get('prepared') is True and env_read == want['files_wanted'].get('env'))
    prepare_due = bool(want['prepares']) and (bool(prepare_reasons) or want['database_prepared'] is False)
    return dict(
        wanted_ids=wanted,
        off=off,
        stack_current=stack_current,
        databases_current=databases_current,
        paused=restarts['paused'],
        restart=restarts['restart'],
        prove_password=prove_password,
        prepare_reasons=prepare_reasons,
        # Whether anything between the files and the health check has work: restart, start the databases, prove the
        # password, take the adopted data over, prepare, make the administrator before web, start web and worker.
        # A re-run of a current stack skips them as one step instead of a dozen.
        converge=not stack_current or bool(restarts['restart']) or prove_password or prepare_due
        or bool(want['adopting']),
    )


ADMIN_KEYS = ('input', 'in_container', 'password_changed', 'secrets', 'onboarding_key', 'state_key', 'check_mode')


def admin_inputs_digest(admin_input):
    """The SHA-256 of what admin.rb is asked to settle, without what cannot be kept beside its answer: the password
    (a secret: whether it changed is the role's password_changed), check mode and rotate_tokens (both ask again)."""
    if not isinstance(admin_input, dict):
        raise PlanError('the admin input must be a dict, got %s' % type(admin_input).__name__)
    kept = dict((key, value) for key, value in admin_input.items() if key not in ('check', 'rotate_tokens', 'state'))
    if isinstance(kept.get('admin'), dict):
        kept['admin'] = dict((key, value) for key, value in kept['admin'].items() if key != 'password')
    text = json.dumps(kept, sort_keys=True, separators=(',', ':'), ensure_ascii=True)
    return hashlib.sha256(text.encode('ascii')).hexdigest()


def _standing(part):
    """One part of admin.rb's answer as it stands once done: made (created) is there now, a removed app is absent."""
    if not isinstance(part, dict):
        return None
    state = {'created': 'present', 'removed': 'absent'}.get(part.get('state'), part.get('state'))
    return dict((key, value) for key, value in dict(part, state=state).items() if key != 'password_set')


def admin_step(host, want):
    """Whether admin.rb must be run this time, or whether Chatwoot's answer is known without asking it.

    admin.rb (a full Rails boot in the running container, seconds with the real image) leaves in Redis, under
    STATE_KEY, what it was asked (admin_inputs_digest), the checksum of the rows it settles (files/admin_state.sql)
    and where things stood. It need not run again while, at the host's read, all of that still holds: the same
    inputs, the same password, no token to rotate, the same rows, the onboarding key absent (or, with no
    administrator to make, as it is: admin.rb leaves it then), the tokens and admin.json kept - and it ran in the
    running container (a new image, a prepare or a takeover run it before web).

    WANT: input (admin.rb's input), in_container, password_changed (this run changed the kept admin password),
    secrets (as kept now), onboarding_key and state_key (as stored in Redis), check_mode.
    Returns inputs (the digest to leave), ask (run admin.rb), reason (why, or why not), result (admin.rb's answer as
    it stands, when not asked).
    """
    _host(host, 'postgres', 'redis', 'files')
    _need(want, *ADMIN_KEYS)
    admin_input = want['input']
    inputs = admin_inputs_digest(admin_input)
    step = dict(inputs=inputs, ask=True, reason='', result={})
    values = (host['redis'] or {}).get('values') or {}
    try:
        left = json.loads(values.get(want['state_key']) or 'null')
    except ValueError:
        left = None
    left = left if isinstance(left, dict) else {}
    standing = left.get('standing') if isinstance(left.get('standing'), dict) else {}
    secrets = want['secrets'] or {}
    app = _standing(standing.get('platform_app')) or {}
    tokens = (['admin_user_token'] if (standing.get('admin') or {}).get('id') else []) \
        + (['platform_app_token'] if app.get('state') == 'present' else [])
    onboarding_open = values.get(want['onboarding_key']) is not None
    reasons = [
        (not want['in_container'], 'Chatwoot runs before web (a new image, a prepare or a takeover)'),
        (bool(admin_input.get('rotate_tokens')), 'the tokens are to be made anew'),
        (bool(want['password_changed']), 'the administrator\'s password changed'),
        (not (host['postgres'] or {}).get('state'), 'the rows it settles could not be read'),
        (not (host['redis'] or {}).get('answered'), 'Redis could not be read'),
        # Without an administrator to make, admin.rb leaves the key (the page is for the operator, on 127.0.0.1):
        # its being set is no reason to ask.
        (onboarding_open and bool(admin_input.get('admin')), 'the onboarding key is set'),
        (not left, 'it left no state in Redis'),
        (left.get('inputs') != inputs, 'what it is asked changed'),
        (left.get('database') != (host['postgres'] or {}).get('state'), 'the rows it settles changed'),
        (not standing, 'it left no answer'),
        (any(not secrets.get(name) for name in tokens), 'a token is not kept'),
        (not ((host['files'].get('admin') or {}).get('sha1')), 'admin.json is missing'),
    ]
    why = [words for due, words in reasons if due]
    if why:
        step['reason'] = 'asked: ' + why[0]
        return step
    step.update(ask=False, reason='not asked: its rows, the onboarding key, its inputs and the tokens are as it left them')
    step['result'] = dict(
        changed=False, check=bool(want['check_mode']), settings={}, tokens={}, from_state=True,
        onboarding_was_open=onboarding_open, onboarding_open=onboarding_open,
        super_admins=standing.get('super_admins', 0), admin=_standing(standing.get('admin')),
        account=_standing(standing.get('account')), platform_app=_standing(standing.get('platform_app')))
    return step


WORK_KEYS = ('plan', 'start', 'adopt', 'ca_files', 'proxy', 'admin_ask', 'admin_file', 'record_differs',
             'backup_schedule')


def deploy_work(host, want):
    """Whether anything is left to do once the files are written, or the rest of the deploy may be skipped as one step.

    What comes after the files - the private CAs, the proxy, the backup before an upgrade, bringing the stack up, the
    health gate, the admin step, the record, the end of a takeover and the backup schedule - has no work when the
    stack is current and needs nothing restarted, proven or prepared (PLAN, deploy_plan's), no backup is due first
    (START, deploy_start's), the read's own health probes found every part healthy, and none of the optional steps is
    asked for.

    WANT: plan (none without an engine: nothing was pulled to plan with), start, adopt (this run takes a stack over),
    ca_files (private CAs to install), proxy (the proxy is deployed), admin_ask (this host's admin step must ask
    Chatwoot: admin_step's ask), admin_file (the administrator's account noted on the host, admin.json, differs from
    what the admin step's answer says), record_differs (the record this run would write differs from the host's),
    backup_schedule (a schedule is installed).
    Returns work (words for each step that has some, in the deploy's order) and idle (none has).
    """
    _host(host, 'health')
    _need(want, *WORK_KEYS)
    plan, start = want['plan'], want['start']
    if not isinstance(start, dict) or any(key not in start for key in ('engine_ready', 'backup_first')):
        raise PlanError('start must be what deploy_start returned (with engine_ready and backup_first)')
    if not start['engine_ready']:
        # No images were looked at, so there is no plan: the run says what it would do (check mode) or stops.
        return dict(work=['no Docker engine answers'], idle=False)
    if not isinstance(plan, dict) or 'converge' not in plan:
        raise PlanError('plan must be what deploy_plan returned (with converge)')
    health = host['health'] if isinstance(host['health'], dict) else {}
    rows = [
        (bool(want['adopt']), 'a running stack is taken over'),
        (bool(want['ca_files']), 'the private CAs are installed'),
        (bool(want['proxy']), 'the proxy is configured and checked'),
        (bool(start['backup_first']), 'a backup is taken before the upgrade'),
        (bool(plan['converge']), 'containers are restarted, started, proven or prepared'),
        # Not asked (check mode, an unpublished service) or not healthy: the health gate asks and waits itself.
        (health.get('healthy') is not True, 'the health gate asks Chatwoot'),
        (bool(want['admin_ask']), 'the admin step asks Chatwoot'),
        (bool(want['admin_file']), "the administrator's account is noted again"),
        (bool(want['record_differs']), 'the record of the deployment changes'),
        (bool(want['backup_schedule']), 'the backup schedule is installed'),
    ]
    work = [words for due, words in rows if due]
    return dict(work=work, idle=not work)
