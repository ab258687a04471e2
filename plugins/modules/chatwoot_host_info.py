#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_host_info
short_description: Read, in one call, what a Chatwoot deploy decides on
version_added: 1.0.0
description:
  - Returns as structured data what the role P(sinapum.chatwoot.chatwoot#role) decides on before it changes
    anything - the Docker engine's and Compose's versions, the project's containers, the Postgres volume, the network,
    the local image IDs of the wanted references, the record of the last deployment, the kept secrets, the mode,
    owner and checksum of the files the role writes, the holder of the run lock, whether the password in the
    env file opens the running database and finds it prepared, and, when asked (O(health)), the verdict of
    M(sinapum.chatwoot.chatwoot_health)'s probes; and, when asked (O(survey)), what a deploy would take that is not
    its own.
  - It replaces the role's C(files/read_host.sh), whose C(key=value) lines the role parsed back with regular
    expressions; each return value below names the line it replaces.
  - The engine is asked over its unix socket (O(docker_socket)) with the Python standard library (C(http.client)),
    as M(sinapum.chatwoot.chatwoot_health) does - no Docker SDK, no C(docker) command. Compose's version is not in
    the Engine API (Compose is a plugin of the C(docker) command), so it is the one thing asked of a command -
    C(docker compose version --short), the same Compose the role's M(community.docker.docker_compose_v2) tasks run.
  - An engine that does not answer is not an error - RV(engine) is empty, RV(engine_error) says why, and every
    container, the volume, the network and the images read as not there. An engine that answers and then fails a
    question fails the task, as do a record or secrets file that is there but not a JSON object, and a file that
    cannot be looked at - a deploy must never take those for missing ones.
  - The module only reads; it never changes anything on the host.
author:
  - SinapUm engineers (@sinapum)
requirements:
  - Nothing beyond the Python standard library that Ansible itself needs; the C(docker) command with its Compose
    plugin for RV(compose) only.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode reads the same.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  docker_socket:
    description:
      - Path of the Docker engine's unix socket (C(unix://) prefix accepted).
    type: str
    default: /var/run/docker.sock
  docker_cli:
    description:
      - The C(docker) command (a name looked up on the C(PATH), or a path) whose Compose plugin RV(compose) reports.
    type: str
    default: docker
  timeout:
    description:
      - Time budget of each question to the engine, and of the Postgres login, in seconds.
      - An engine busy starting or stopping other containers can take several seconds to answer an inspect; the
        default waits as long as C(docker) itself would be worth waiting for before the deploy calls it hung.
    type: float
    default: 30
  containers:
    description:
      - Names of the containers to report (RV(containers)).
    type: list
    elements: str
    default: []
  volume:
    description:
      - Name of the Postgres data volume (RV(volume)). Empty when this host runs no Postgres.
    type: str
    default: ''
  network:
    description:
      - Name of the project's network (RV(network)).
    type: str
    default: ''
  images:
    description:
      - Image references whose local image IDs are wanted (RV(images)).
    type: list
    elements: str
    default: []
  record_file:
    description:
      - The record of the last deployment, a JSON object (RV(record)). Its mode, owner and checksum are reported in
        RV(files) as V(record).
    type: path
  secrets_file:
    description:
      - The kept secrets, a JSON object (RV(secrets)). Its mode, owner and checksum are reported in RV(files) as
        V(secrets).
    type: path
  files:
    description:
      - Other files and directories to report in RV(files), each under the name given here (V(record) and V(secrets)
        are taken by O(record_file) and O(secrets_file)).
    type: dict
    default: {}
  lock_file:
    description:
      - The run lock of C(files/chatwoot-lock.sh) (RV(lock)).
    type: path
  env_file:
    description:
      - The deployment's C(.env). Its C(POSTGRES_PASSWORD) is the password proven against the running database
        (RV(postgres)); its C(POSTGRES_USERNAME) and C(POSTGRES_DATABASE) stand for O(postgres_user) and
        O(postgres_database) when those are not given.
    type: path
  postgres_container:
    description:
      - The Postgres container in which C(psql) proves the password of O(env_file). Empty - no proof (an external
        database, or a host without Postgres).
      - The proof is made only when the container runs and O(env_file) holds a password.
    type: str
    default: ''
  postgres_host:
    description:
      - The name C(psql) connects to over TCP inside O(postgres_container) - the Compose service's name, the address
        web and worker use (the socket and 127.0.0.1 are trusted there, and would let any password in).
      - Required with O(postgres_container).
    type: str
  postgres_user:
    description:
      - The role to log in as. Defaults to C(POSTGRES_USERNAME) in O(env_file).
    type: str
  postgres_database:
    description:
      - The database to open. Defaults to C(POSTGRES_DATABASE) in O(env_file).
    type: str
  postgres_state_query:
    description:
      - A read-only query whose single value is returned as C(state) in RV(postgres) - the role's checksum of the rows its
        admin step settles (C(roles/chatwoot/files/admin_state.sql)).
      - Asked by the same C(psql) as the password proof, and only when the proof found the database prepared;
        C(state) stays empty otherwise, or when the query fails (C(reason) in RV(postgres) then says why).
    type: str
    default: ''
  prove_kept_postgres_password:
    description:
      - Also prove the C(postgres_password) of O(secrets_file) - the password a deploy writes to O(env_file) next -
        where it differs from the one in O(env_file) and the proof of that one got the server's answer (accepted or
        refused), with the same C(psql) login, so that a password the running database would refuse is known before
        it is written (C(next_accepted) in RV(postgres)). Nothing is proven twice when the two are the same.
      - A flag, not the password. A password given as an option would be masked wherever it appears in the result,
        the kept secrets included.
    type: bool
    default: false
  redis_container:
    description:
      - The Redis container in which C(redis-cli) reads O(redis_keys), with C(REDIS_PASSWORD) from O(env_file) in the
        exec's environment. Empty - nothing read (an external Redis, or a host without Redis).
    type: str
    default: ''
  redis_keys:
    description:
      - The keys to read (RV(redis)), as stored (with Chatwoot's C(alfred:) prefix, for instance).
    type: list
    elements: str
    default: []
  health:
    description:
      - When given, the probes of M(sinapum.chatwoot.chatwoot_health) are asked within the read, once, with these
        options, while the rest of the host is read (RV(health)).
      - The options are those of M(sinapum.chatwoot.chatwoot_health), with its defaults, but for its C(wait),
        C(wait_timeout), C(wait_interval), C(fail_on_unhealthy) (a read asks once, and an unhealthy verdict is data)
        and C(docker_socket) (this module's O(docker_socket) serves both).
      - Asked only when the engine answers and every one of O(containers) runs - a host being deployed for the first
        time, or with a container stopped, is left to the caller's own health check, which can wait.
      - Options that M(sinapum.chatwoot.chatwoot_health) would refuse (an unknown one, a wrong type, a value it
        holds wrong), or an env file it cannot read, are not an error of the read - RV(health) then says why it was
        not asked.
    type: dict
  survey:
    description:
      - When given, the module also looks for what a deploy of O(survey.project) would take that is not its own
        (RV(survey)) - the role's look before touching, which was a Python script sent over C(raw) on every run.
      - The record of the last deployment (O(record_file)) tells the role's older files by their checksums.
    type: dict
    suboptions:
      project:
        description: The Compose project name the role gives its containers.
        type: str
        required: true
      compose_file:
        description: The compose file the role writes; a container of O(survey.project) made from another is not its own.
        type: path
        required: true
      marker:
        description: The line every file the role writes carries.
        type: str
        required: true
      adopt:
        description:
          - Also read what the running stack is made of (its containers' environment, mounts, networks, ports, its
            version from C(/api), a setting from its database) and its env file when the role did not write it, for a
            takeover. That holds the old stack's secrets - only a task with C(no_log) may ask for it.
        type: bool
        default: false
      files:
        description: The paths the role writes, its env file first.
        type: list
        elements: path
        default: []
      components:
        description: Each component (V(postgres), V(redis), V(rails), V(sidekiq)) and the name of its container.
        type: dict
        default: {}
notes:
  - RV(secrets) holds the kept secrets in clear. It is returned only to a task with C(no_log) set (which Ansible also
    sets for every task when C(ANSIBLE_NO_TARGET_SYSLOG) is on); otherwise it is empty, RV(secrets_withheld) is true
    and a warning says why.
seealso:
  - module: sinapum.chatwoot.chatwoot_health
"""

EXAMPLES = r"""
- name: Read the host
  sinapum.chatwoot.chatwoot_host_info:
    containers: [chatwoot_postgres, chatwoot_redis, chatwoot_rails, chatwoot_sidekiq]
    volume: chatwoot_postgres_data
    network: sinapum_network
    images: [chatwoot/chatwoot:v4.15.1, pgvector/pgvector:pg16, redis:7-alpine]
    record_file: /var/lib/sinapum-chatwoot/deployed.json
    secrets_file: /var/lib/sinapum-chatwoot/secrets.json
    files:
      state_dir: /var/lib/sinapum-chatwoot
      project_dir: /opt/chatwoot
      env: /opt/chatwoot/.env
      compose: /opt/chatwoot/docker-compose.yml
    lock_file: /run/lock/sinapum-chatwoot/chatwoot.lock
    env_file: /opt/chatwoot/.env
    postgres_container: chatwoot_postgres
    postgres_host: chatwoot_postgres
    # chatwoot_health's probes, asked once with the read when every container runs
    health:
      web_url: http://127.0.0.1:3000
      postgres_port: 5432
      redis_port: 6379
      sidekiq_container: chatwoot_sidekiq
  register: host
  # It returns the kept secrets: only to a no_log task.
  no_log: true

- name: Say whether the stack was healthy when it was read
  ansible.builtin.debug:
    msg: "{{ host.health.msg }}"

- name: Say which containers are paused
  ansible.builtin.debug:
    msg: "{{ host.containers | dict2items | selectattr('value.status', 'eq', 'paused') | map(attribute='key') | list }}"
"""

RETURN = r"""
engine:
  description:
    - The engine's version (C(GET /version)), empty when no engine answers. Replaces read_host.sh's C(engine).
  returned: always
  type: str
  sample: 20.10.24+dfsg1
engine_api_version:
  description: The engine's API version, empty when no engine answers.
  returned: always
  type: str
  sample: "1.41"
engine_error:
  description: Why no engine answered; empty when one did.
  returned: always
  type: str
  sample: "the Docker engine on /var/run/docker.sock does not answer: No such file or directory"
compose:
  description:
    - The version of the Compose plugin of O(docker_cli) (C(docker compose version --short)), empty when there is
      none. Replaces read_host.sh's C(compose).
  returned: always
  type: str
  sample: 2.26.1
containers:
  description:
    - One entry for each of O(containers), by name. Replaces read_host.sh's C(container NAME=STATUS HEALTH IMAGE-ID)
      lines (a container that was not there had no line).
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the container exists (false also when no engine answers).
      type: bool
      returned: always
    status:
      description: The engine's C(State.Status) (V(running), V(paused), V(restarting), V(exited)...), V(missing) when
        there is no such container. STATUS of the line it replaces.
      type: str
      returned: always
      sample: running
    running:
      description: Running, and neither paused nor restarting.
      type: bool
      returned: always
    paused:
      description: Paused.
      type: bool
      returned: always
    restarting:
      description: Restarting.
      type: bool
      returned: always
    health:
      description: Its healthcheck's verdict (V(starting), V(healthy), V(unhealthy)), empty when it has no
        healthcheck (read_host.sh's C(-)) or does not exist. HEALTH of the line it replaces.
      type: str
      returned: always
      sample: healthy
    image_id:
      description: The ID of the image it was created from. IMAGE-ID of the line it replaces.
      type: str
      returned: always
      sample: sha256:c69170f9474a0e1ef8a4d2b6fc1c1ba3c9a55e2da3bd4b1a7c1b0d8c7e1f2a3b
    image:
      description: The image reference it was created with.
      type: str
      returned: always
      sample: pgvector/pgvector:pg16
    started_at:
      description: When it last started (the engine's C(State.StartedAt)); empty when it does not exist.
      type: str
      returned: always
      sample: "2026-11-30T10:00:00.123456789Z"
    compose_project:
      description: Its label C(com.docker.compose.project); empty when it has none.
      type: str
      returned: always
      sample: chatwoot
    compose_service:
      description: Its label C(com.docker.compose.service); empty when it has none.
      type: str
      returned: always
      sample: chatwoot_postgres
volume:
  description:
    - The volume O(volume) - C(name), C(exists), C(created_at) (empty when it does not exist). Replaces read_host.sh's
      C(volume), which was C(created_at) or empty.
  returned: always
  type: dict
  sample: {name: chatwoot_postgres_data, exists: true, created_at: "2026-11-30T10:00:00Z"}
network:
  description:
    - The network O(network) - C(name), C(exists). Replaces read_host.sh's C(network) (V(yes) or V(no)).
  returned: always
  type: dict
  sample: {name: sinapum_network, exists: true}
images:
  description:
    - Each of O(images) and the ID of the local image it names, empty when there is none. Replaces read_host.sh's
      C(image REF=ID) lines. A reference is compared as the engine lists it (C(docker.io/library/) left out,
      C(:latest) added when it names no tag); one that pins a digest is found by that digest.
  returned: always
  type: dict
  sample: {"chatwoot/chatwoot:v4.15.1": "sha256:d65bbbfd3ed8...", "redis:7-alpine": ""}
record:
  description:
    - The record of the last deployment (O(record_file)), {} when there is none. Replaces read_host.sh's
      C(content_record), which the role decoded with C(b64decode | from_json).
  returned: always
  type: dict
  sample: {version: v4.15.1, image: "chatwoot/chatwoot:v4.15.1", composed: "3f2a... 9c1b..."}
secrets:
  description:
    - The kept secrets (O(secrets_file)), {} when there are none - to a task with C(no_log) only (see the notes).
      Replaces read_host.sh's C(content_secrets).
  returned: always
  type: dict
secrets_withheld:
  description: True when O(secrets_file) was read but RV(secrets) is left empty because the task has no C(no_log).
  returned: always
  type: bool
files:
  description:
    - One entry for each of O(files), and V(record) and V(secrets) for O(record_file) and O(secrets_file) - its
      C(path), C(exists), C(type) (V(file), V(directory), V(link), V(other)), C(mode) (four octal digits, as
      M(ansible.builtin.stat)), C(owner), C(group) (of the path itself; a link is not followed) and C(sha1) (of a
      regular file, else empty).
    - Replaces read_host.sh's C(stat_NAME) (V(600 root root) is C(mode) V(0600), C(owner) and C(group) V(root)) and
      C(sha1_NAME) lines.
  returned: always
  type: dict
  sample:
    env: {path: /opt/chatwoot/.env, exists: true, type: file, mode: '0600', owner: root, group: root,
          sha1: 3f2a9d1c0b7e6f5a4d3c2b1a09f8e7d6c5b4a392}
lock:
  description:
    - The run lock (O(lock_file)) as C(chatwoot-lock.sh show) reads it - C(path), C(state) (V(held), V(free); empty
      without O(lock_file)), C(age) in seconds and the C(holder)'s lines (C(run), C(what), C(controller), C(pid),
      C(user), C(started_utc)...). New - read_host.sh did not read it.
  returned: always
  type: dict
  sample: {path: /run/lock/sinapum-chatwoot/chatwoot.lock, state: held, age: 12,
           holder: {run: 0a1b2c3d4e5f6g7h, what: deploy, controller: ctl, user: root}}
postgres:
  description:
    - Whether the password in O(env_file) opens the running database of O(postgres_container), and whether Rails
      prepared it (C(to_regclass('public.ar_internal_metadata'))). read_host.sh's C(pg_answer) was V(t) where
      C(prepared) is true, V(f) where C(answered) is true and C(prepared) false, and missing otherwise.
    - C(checked) - the proof was attempted; C(answered) - the query ran; C(accepted) - true when it ran, false when
      the server refused the login (wrong password, no such role or database, C(pg_hba.conf)), null when unknown (not
      checked, the server starting or not answering); C(prepared) - null unless answered; C(state) - the value of
      O(postgres_state_query), empty when it was not asked or failed; C(reason) in words.
    - C(next_accepted) - with O(prove_kept_postgres_password), whether the kept password opens the database, as
      C(accepted) says it for O(env_file)'s; null when it was not proven (not asked, the same password, none kept, or
      the server's answer unknown); C(next_reason) in words.
  returned: always
  type: dict
  sample: {checked: true, answered: true, accepted: true, prepared: true, state: 9e107d9d372bb6826bd81d3542a419d6,
           reason: "the password in the env file opens database chatwoot as chatwoot; it was prepared",
           next_accepted: null, next_reason: "the same password as the env file's"}
redis:
  description:
    - The values of O(redis_keys) in the Redis of O(redis_container). C(checked) - the read was attempted;
      C(answered) - every key was read (one line each); C(values) - each key's value, null when the key is not set
      or nothing was answered; C(reason) in words.
  returned: always
  type: dict
  sample: {checked: true, answered: true, reason: read 1 keys, values: {"alfred:CHATWOOT_INSTALLATION_ONBOARDING": null}}
health:
  description:
    - The verdict of M(sinapum.chatwoot.chatwoot_health)'s probes, asked once and without waiting (O(health)), in
      that module's shape - C(healthy), C(components), C(failed_components), C(drifted_components), C(msg),
      C(attempts) (0 when the probes were not asked, C(msg) then says why) and C(elapsed_ms).
  returned: always
  type: dict
  sample: {healthy: true, msg: "healthy: web, postgres, redis, sidekiq ok", attempts: 1, elapsed_ms: 84.2,
           failed_components: [], drifted_components: [], components: {}}
survey:
  description:
    - What a deploy would take that is not its own (O(survey)); C(asked) false and the rest empty when not asked.
    - C(engine) - an engine answered; C(mine) - the names held by the role's own containers; C(foreign) - each
      container holding one of the role's names that another Compose project (or none) made, summarized (C(name),
      C(project), C(config_files), C(status), C(image), C(volumes)...); C(moved) - the same for the containers an
      unfinished takeover moved aside (C(NAME-before-adoption)), by the name they held; C(files) - each of
      O(survey.files) that exists, with C(managed) - the role wrote it (its marker, or a checksum in the record).
    - With O(survey.adopt) and something to take over, also C(env_file) (the unmanaged env file's settings) and
      C(stack) (the running stack read in the role's terms, with the containers' C(inspect) data).
  returned: always
  type: dict
  sample: {asked: true, engine: true, mine: [chatwoot_postgres], foreign: {}, moved: {}, env_file: {},
           files: {/opt/chatwoot/.env: {managed: true}}}
msg:
  description: One line saying what was read.
  returned: always
  type: str
  sample: "engine 20.10.24, Compose 2.26.1: 4 of 4 containers there, volume there, network there, 3 of 3 images there"
"""

import time

try:
    from concurrent.futures import ThreadPoolExecutor
except ImportError:  # pragma: no cover
    ThreadPoolExecutor = None

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import (
    CONTAINER_NAME,
    DockerError,
    exec_run,
    inspect_container,
    inspect_image,
    valid_container_name,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._env_file import read_env_file
from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_check import (
    BadInput,
    empty_result as empty_health,
    resolve_settings,
    run as run_health,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_check import argument_spec as health_spec
from ansible_collections.sinapum.chatwoot.plugins.module_utils._host_engine import (
    empty_engine_facts,
    empty_postgres,
    empty_redis,
    postgres_proof,
    read_container,
    read_engine,
    redis_values,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._host_files import (
    HostFileError,
    empty_file_facts,
    empty_lock,
    file_facts,
    read_json_object,
    read_lock,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._survey import empty_survey, survey as run_survey


def argument_spec():
    return dict(
        docker_socket=dict(type='str', default='/var/run/docker.sock'),
        docker_cli=dict(type='str', default='docker'),
        timeout=dict(type='float', default=30.0),
        containers=dict(type='list', elements='str', default=[]),
        volume=dict(type='str', default=''),
        network=dict(type='str', default=''),
        images=dict(type='list', elements='str', default=[]),
        record_file=dict(type='path'),
        secrets_file=dict(type='path'),
        files=dict(type='dict', default={}),
        lock_file=dict(type='path'),
        env_file=dict(type='path'),
        postgres_container=dict(type='str', default=''),
        postgres_host=dict(type='str'),
        postgres_user=dict(type='str'),
        postgres_database=dict(type='str'),
        postgres_state_query=dict(type='str', default=''),
        prove_kept_postgres_password=dict(type='bool', default=False),
        redis_container=dict(type='str', default=''),
        redis_keys=dict(type='list', elements='str', default=[], no_log=False),
        # Not suboptions: they are chatwoot_health's, documented there, and checked here as that module checks them.
        health=dict(type='dict'),
        survey=dict(type='dict', options=dict(
            project=dict(type='str', required=True),
            compose_file=dict(type='path', required=True),
            marker=dict(type='str', required=True, no_log=False),
            adopt=dict(type='bool', default=False),
            files=dict(type='list', elements='path', default=[]),
            components=dict(type='dict', default={}),
        )),
    )


# A read asks the probes once: it neither waits nor fails on their verdict, and it has its own docker_socket.
NOT_HEALTH_OPTIONS = ('docker_socket', 'wait', 'wait_timeout', 'wait_interval', 'fail_on_unhealthy')


def health_options():
    return dict((name, spec) for name, spec in health_spec().items() if name not in NOT_HEALTH_OPTIONS)


class HostInfoError(Exception):
    """Bad arguments, or a host that cannot be read truthfully: the one reason this module fails."""


def check_params(p):
    """Refuse arguments that cannot work, before anything is read."""
    if p['timeout'] <= 0:
        raise HostInfoError('timeout must be greater than 0')
    for name in p['containers'] + [p[key] for key in ('postgres_container', 'redis_container') if p[key]]:
        if not valid_container_name(name):
            raise HostInfoError('%r is not a valid container name' % name)
    if p['volume'] and not CONTAINER_NAME.match(p['volume']):
        raise HostInfoError('volume %r is not a valid volume name' % p['volume'])
    if any(not (ref or '').strip() for ref in p['images']):
        raise HostInfoError('images must not hold an empty reference')
    for name, path in p['files'].items():
        if name in ('record', 'secrets'):
            raise HostInfoError('files: the name %r is taken by %s_file' % (name, name))
        if not isinstance(path, str) or not path.startswith('/'):
            raise HostInfoError('files: %s must be an absolute path, got %r' % (name, path))
    if p['postgres_container'] and not p['postgres_host']:
        raise HostInfoError('postgres_host is required with postgres_container')
    if any(not key or '\n' in key for key in p['redis_keys']):
        raise HostInfoError('redis_keys must not hold an empty key, nor one with a newline')
    for component, name in ((p['survey'] or {}).get('components') or {}).items():
        if not isinstance(name, str) or not valid_container_name(name):
            raise HostInfoError('survey.components: %s: %r is not a valid container name' % (component, name))


def empty_result(p):
    result = dict(changed=False, compose='', record={}, secrets={}, secrets_withheld=False, files={},
                  lock=empty_lock(p.get('lock_file') or ''), postgres=empty_postgres(),
                  redis=empty_redis(p.get('redis_keys') or []), health=empty_health('not asked'), survey=empty_survey(),
                  msg='')
    result.update(empty_engine_facts(p.get('containers') or [], p.get('volume') or '', p.get('network') or '',
                                     p.get('images') or []))
    listed = dict(p.get('files') or {})
    for name in ('record', 'secrets'):
        if p.get(name + '_file'):
            listed[name] = p[name + '_file']
    result['files'] = dict((name, empty_file_facts(path)) for name, path in listed.items())
    return result


def compose_version(docker_cli, which, run_command):
    """``docker compose version --short``, '' when there is no docker command or no Compose plugin."""
    binary = which(docker_cli)
    if not binary:
        return ''
    rc, out, dummy = run_command([binary, 'compose', 'version', '--short'])
    return out.strip() if rc == 0 else ''


def _env(p):
    """The env file's settings, or (None, why not)."""
    try:
        return (read_env_file(p['env_file']) if p['env_file'] else None), None
    except (OSError, UnicodeError) as exc:
        return None, 'cannot read %s: %s' % (p['env_file'], getattr(exc, 'strerror', None) or type(exc).__name__)


def _running(p, engine_facts, name):
    """Why ``name`` cannot be asked, or None when it runs."""
    if not engine_facts['engine']:
        return 'no Docker engine answers'
    container = engine_facts['containers'].get(name)
    if container is None:
        container = read_container(p['docker_socket'], name, p['timeout'])
    return None if container['running'] else 'container %s is %s' % (name, container['status'])


def _postgres_login(p, engine_facts):
    """(user, database, password) to ask the running database with, or (None, why not)."""
    if not p['postgres_container']:
        return None, 'no postgres_container given'
    why = _running(p, engine_facts, p['postgres_container'])
    env, unread = _env(p)
    if why or unread:
        return None, why or unread
    if env is None or not env.get('POSTGRES_PASSWORD'):
        return None, 'no POSTGRES_PASSWORD in %s' % (p['env_file'] or 'an env_file')
    user = p['postgres_user'] or env.get('POSTGRES_USERNAME') or ''
    database = p['postgres_database'] or env.get('POSTGRES_DATABASE') or ''
    if not user or not database:
        return None, 'no postgres_user or postgres_database, nor in %s' % p['env_file']
    return (user, database, env['POSTGRES_PASSWORD']), None


def _postgres(p, engine_facts, kept):
    """The password proof and, on a prepared database, the state query, by one psql with the same login; then the
    proof of the password KEPT in the secrets file when asked (O(prove_kept_postgres_password)) and it differs."""
    login, why = _postgres_login(p, engine_facts)
    if login is None:
        return dict(empty_postgres(), reason=why)
    args = (p['docker_socket'], p['postgres_container'], p['postgres_host']) + login
    result = postgres_proof(*args, timeout=p['timeout'], state_query=p['postgres_state_query'])
    following = (kept or {}).get('postgres_password') or ''
    if not p['prove_kept_postgres_password']:
        pass
    elif not isinstance(following, str) or not following:
        result['next_reason'] = 'no password kept'
    elif following == login[2]:
        result['next_reason'] = "the same password as the env file's"
    elif result['accepted'] is None:
        result['next_reason'] = "not proven: the server did not answer the env file's"
    else:
        proof = postgres_proof(*(args[:-1] + (following,)), timeout=p['timeout'])
        result['next_accepted'] = proof['accepted']
        result['next_reason'] = proof['reason'].replace('the password in the env file', 'the kept password')
    return result


def _redis(p, engine_facts):
    if not p['redis_container']:
        return dict(empty_redis(p['redis_keys']), reason='no redis_container given')
    why = _running(p, engine_facts, p['redis_container'])
    env, unread = _env(p)
    if why or unread:
        return dict(empty_redis(p['redis_keys']), reason=why or unread)
    return redis_values(p['docker_socket'], p['redis_container'], p['redis_keys'],
                        (env or {}).get('REDIS_PASSWORD') or '', p['timeout'])


def health_settings(p, engine_facts):
    """The settings of the health probes, or (None, why they are not asked)."""
    if not p['health']:
        return None, 'not asked: no health options'
    if not engine_facts['engine']:
        return None, 'not asked: no Docker engine answers'
    stopped = [name for name, c in sorted(engine_facts['containers'].items()) if not c['running']]
    if stopped:
        return None, 'not asked: %s %s not running' % (', '.join(stopped), 'is' if len(stopped) == 1 else 'are')
    checked = ArgumentSpecValidator(health_options()).validate(p['health'])
    if checked.error_messages:
        return None, 'not asked: health: %s' % '; '.join(checked.error_messages)
    params = dict(checked.validated_parameters, docker_socket=p['docker_socket'], wait=False, wait_timeout=0.0,
                  wait_interval=1.0, fail_on_unhealthy=False)
    try:
        return resolve_settings(params), None
    except BadInput as exc:
        return None, 'not asked: %s' % exc


def summary(result):
    if not result['engine']:
        words = 'no Docker engine (%s)' % result['engine_error']
    else:
        there = [c for c in result['containers'].values() if c['exists']]
        words = 'engine %s, Compose %s: %d of %d containers there' % (
            result['engine'], result['compose'] or 'missing', len(there), len(result['containers']))
        if result['volume']['name']:
            words += ', volume %s' % ('there' if result['volume']['exists'] else 'missing')
        if result['network']['name']:
            words += ', network %s' % ('there' if result['network']['exists'] else 'missing')
        found = [ref for ref, image_id in result['images'].items() if image_id]
        words += ', %d of %d images there' % (len(found), len(result['images']))
    if result['postgres']['checked']:
        words += '; postgres: %s' % result['postgres']['reason']
    if result['redis']['checked']:
        words += '; redis: %s' % result['redis']['reason']
    if result['health']['attempts']:
        words += '; health: %s' % result['health']['msg']
    return words


def survey_of(p, result):
    """O(survey), its engine questions bound to the socket: a socket that fails one fails the read (DockerError), as
    read_engine's do; a process that cannot be run in a container is data (the survey says why)."""
    path, timeout = p['docker_socket'], p['timeout']

    def ask(question, *args):
        try:
            return question(path, *args, timeout=timeout)
        except OSError as exc:
            raise DockerError('the Docker engine on %s stopped answering: %s' % (path, exc.strerror or type(exc).__name__))

    def image_env(image):
        return ((ask(inspect_image, image) or {}).get('Config') or {}).get('Env') or []

    def run_in(container, argv, limit):
        try:
            code, out, err = exec_run(path, container, argv, timeout=limit)
        except (OSError, DockerError) as exc:
            return None, '', '%s could not be run in %s: %s' % (argv[0], container, getattr(exc, 'strerror', None) or exc)
        return code, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')

    params = dict(p['survey'], record=p['record_file'])
    try:
        return run_survey(params, bool(result['engine']), lambda name: ask(inspect_container, name), image_env, run_in)
    except (OSError, UnicodeError) as exc:
        where = getattr(exc, 'filename', None) or 'a file'
        raise HostInfoError('survey: cannot read %s: %s' % (where, getattr(exc, 'strerror', None) or type(exc).__name__))


def read_the_rest(p, result, settings, which, run_command, kept=None):
    """The questions that wait on docker exec, on the network and on the docker command, asked side by side (each
    only reads what read_engine put in ``result``); the read takes as long as the longest of them."""
    jobs = dict(postgres=lambda: _postgres(p, result, kept), redis=lambda: _redis(p, result),
                compose=lambda: compose_version(p['docker_cli'], which, run_command))
    if settings is not None:
        jobs['health'] = lambda: run_health(settings)
    if p['survey']:
        jobs['survey'] = lambda: survey_of(p, result)
    if ThreadPoolExecutor is None:  # pragma: no cover
        answers = dict((name, job()) for name, job in jobs.items())
    else:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            futures = dict((name, pool.submit(job)) for name, job in jobs.items())
            answers = dict((name, future.result()) for name, future in futures.items())
    result.update(answers)


def read_host(p, no_log, which, run_command, now=time.time):
    """The whole read (check_params first); returns the result of empty_result's shape."""
    check_params(p)
    if p['survey'] and p['survey']['adopt'] and not no_log:
        raise HostInfoError("survey.adopt reads the running stack's secrets: only a task with no_log may ask for it")
    result = empty_result(p)
    kept = None
    try:
        for name in result['files']:
            result['files'][name] = file_facts(result['files'][name]['path'])
        if p['record_file']:
            result['record'] = read_json_object(p['record_file'], 'record')
        if p['secrets_file']:
            kept = read_json_object(p['secrets_file'], 'secrets file')
            if no_log:
                result['secrets'] = kept
            else:
                result['secrets_withheld'] = bool(kept)
        if p['lock_file']:
            result['lock'] = read_lock(p['lock_file'], now())
        result.update(read_engine(p['docker_socket'], p['containers'], p['volume'], p['network'], p['images'],
                                  p['timeout']))
        settings, why = health_settings(p, result)
        if settings is None:
            result['health'] = empty_health(why)
        read_the_rest(p, result, settings, which, run_command, kept)
    except (HostFileError, DockerError) as exc:
        raise HostInfoError(str(exc))
    result['msg'] = summary(result)
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    # chatwoot_health's no_log options, which the argument spec cannot mark inside a plain dict.
    for name, spec in health_options().items():
        value = (module.params['health'] or {}).get(name)
        if spec.get('no_log') and isinstance(value, str) and value:
            module.no_log_values.add(value)
    try:
        result = read_host(module.params, module.no_log, module.get_bin_path, module.run_command)
    except HostInfoError as exc:
        failed = empty_result(module.params)
        failed['msg'] = str(exc)
        module.fail_json(**failed)
    if result['secrets_withheld']:
        module.warn('secrets_file %s was read but its secrets are not returned: the task has no no_log'
                    % module.params['secrets_file'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
