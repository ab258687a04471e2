# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What chatwoot_host_info asks the Docker engine: its version, the project's containers, the Postgres volume, the
network, the local image IDs of the wanted references, and whether the password in .env opens the running database.

Private to the sinapum.chatwoot collection: no API promise.
"""

from __future__ import annotations

from ansible_collections.sinapum.chatwoot.plugins.module_utils._docker_socket import (
    DockerError,
    container_state,
    engine_version,
    exec_run,
    image_ids,
    inspect_network,
    inspect_volume,
    list_images,
)
from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import scrub_text

# The question read_host.sh asked: Rails' own table, there once db:chatwoot_prepare (or db:prepare) ran.
PREPARED_QUERY = "SELECT to_regclass('public.ar_internal_metadata') IS NOT NULL"

# The proof and the state query in one psql, as a script (sh hands it to psql's standard input: an exec has none):
# the proof's answer (t or f) on the first line, then, only on a prepared database, the state query's value, so that a
# database never prepared is never asked for tables it lacks (an error in its server log would mislead whoever reads
# it after a failed prepare). One exec on every read, not two.
PROOF_AND_STATE_SCRIPT = PREPARED_QUERY + """ AS prepared \\gset
\\echo :prepared
\\if :prepared
%s;
\\endif
"""
PSQL_FROM_ARGUMENT = 'printf "%s\\n" "$0" | psql "$@"'

# What psql says when the server refused the login itself (libpq's messages, PostgreSQL's auth.c and postinit.c),
# as opposed to a server that is starting, or not answering.
REFUSED_LOGIN_WORDS = ('password authentication failed', 'authentication failed for user', 'no pg_hba.conf entry',
                       'does not exist')


def empty_container(name):
    return {'name': name, 'exists': False, 'status': 'missing', 'running': False, 'paused': False,
            'restarting': False, 'health': '', 'image': '', 'image_id': '', 'started_at': '',
            'compose_project': '', 'compose_service': ''}


def empty_volume(name):
    return {'name': name, 'exists': False, 'created_at': ''}


def empty_network(name):
    return {'name': name, 'exists': False}


def empty_postgres():
    return {'checked': False, 'reason': 'not asked', 'answered': False, 'accepted': None, 'prepared': None,
            'state': '', 'next_accepted': None, 'next_reason': 'not asked'}


def empty_redis(keys):
    return {'checked': False, 'reason': 'not asked', 'answered': False, 'values': dict((key, None) for key in keys)}


def empty_engine_facts(containers, volume, network, images):
    return {
        'engine': '',
        'engine_api_version': '',
        'engine_error': '',
        'containers': dict((name, empty_container(name)) for name in containers),
        'volume': empty_volume(volume),
        'network': empty_network(network),
        'images': dict((ref, '') for ref in images),
    }


def read_container(path, name, timeout=5.0):
    """One container's entry (empty_container's shape)."""
    entry = empty_container(name)
    state = container_state(path, name, timeout)
    if state['exists']:
        for key in entry:
            if key in state:
                entry[key] = state[key] if state[key] is not None else entry[key]
        entry['name'] = name
    return entry


def read_engine(path, containers, volume, network, images, timeout=5.0):
    """Everything the engine is asked, in one dict of constant shape (empty_engine_facts).

    An engine that does not answer ``/version`` (no socket, refused, permission denied, no answer) is data: engine
    '' and engine_error says why, every object reads as not there. An engine that answers and then fails a later
    question raises DockerError: half an answer would steer a deploy wrong.
    """
    facts = empty_engine_facts(containers, volume, network, images)
    try:
        version = engine_version(path, timeout)
    except (OSError, DockerError) as exc:
        facts['engine_error'] = 'the Docker engine on %s does not answer: %s' % (
            path, getattr(exc, 'strerror', None) or str(exc) or type(exc).__name__)
        return facts
    facts['engine'] = version.get('Version') or ''
    facts['engine_api_version'] = version.get('ApiVersion') or ''
    try:
        for name in containers:
            facts['containers'][name] = read_container(path, name, timeout)
        if volume:
            found = inspect_volume(path, volume, timeout)
            if found is not None:
                facts['volume'].update(exists=True, created_at=found.get('CreatedAt') or '')
        if network:
            facts['network']['exists'] = inspect_network(path, network, timeout) is not None
        if images:
            facts['images'] = image_ids(list_images(path, timeout), images)
    except OSError as exc:
        raise DockerError('the Docker engine on %s stopped answering: %s' % (path, exc.strerror or type(exc).__name__))
    return facts


def _exec_text(path, container, argv, env, secret, timeout):
    """ARGV run in CONTAINER as exec_run runs it: (exit code, stdout, stderr) as text, SECRET scrubbed from stderr;
    or (None, '', why it could not be run), SECRET scrubbed."""
    try:
        code, stdout, stderr = exec_run(path, container, argv, env, timeout=timeout + 5)
    except (OSError, DockerError) as exc:
        return None, '', scrub_text('%s could not be run in %s: %s' % (
            argv[0], container, getattr(exc, 'strerror', None) or str(exc) or type(exc).__name__), [secret])
    return (code, stdout.decode('utf-8', errors='replace'),
            scrub_text(stderr.decode('utf-8', errors='replace').strip(), [secret]))


def _psql(path, container, host, user, database, password, timeout, state_query=''):
    """The proof's PREPARED_QUERY by psql over TCP to HOST inside CONTAINER, the password in the exec's environment:
    _exec_text's answer. With STATE_QUERY, PROOF_AND_STATE_SCRIPT's (the proof, then the state) instead."""
    options = ['-X', '-h', host, '-U', user, '-d', database]
    if state_query:
        script = PROOF_AND_STATE_SCRIPT % state_query.strip().rstrip(';')
        argv = ['sh', '-c', PSQL_FROM_ARGUMENT, script] + options + ['-v', 'ON_ERROR_STOP=1', '-tA', '-f', '-']
    else:
        argv = ['psql'] + options + ['-tAc', PREPARED_QUERY]
    env = {'PGPASSWORD': password, 'PGCONNECT_TIMEOUT': str(max(1, int(timeout)))}
    return _exec_text(path, container, argv, env, password, timeout)


def postgres_proof(path, container, host, user, database, password, timeout=5.0, state_query=''):
    """Whether ``password`` opens ``database`` as ``user`` over TCP to ``host`` inside ``container`` (the
    container's own address on the project network, as web and worker connect: its socket and 127.0.0.1 are trusted
    and would let any password in), whether Rails prepared it, and on a prepared database the single value
    ``state_query`` returns.

    psql runs in the container through the Engine API's exec, the password in the exec's environment, never in its
    arguments; with ``state_query``, the same psql asks it after the proof (PROOF_AND_STATE_SCRIPT). Returns the dict
    of empty_postgres: ``answered`` when the proof's query ran, ``accepted`` true then, false when the server refused
    the login, null when it is not known (the server starting, not answering); ``prepared`` true or false when
    answered; ``state`` the state query's value, '' when it was not asked, the database was never prepared, or the
    query failed (``reason`` then says why).
    """
    result = empty_postgres()
    result['checked'] = True
    code, answer, said = _psql(path, container, host, user, database, password, timeout, state_query=state_query)
    if code is None:
        result['reason'] = said
        return result
    proof, dummy, state = answer.partition('\n')
    proof = proof.strip()
    # The proof's line came, so the login was accepted: a failure after it is the state query's.
    if proof in ('t', 'f') and (code == 0 or (state_query and proof == 't')):
        result.update(answered=True, accepted=True, prepared=proof == 't',
                      reason='the password in the env file opens database %s as %s; %s' % (
                          database, user, 'it was prepared' if proof == 't' else 'it was never prepared'))
        if state_query and proof == 't':
            if code == 0:
                result['state'] = state.strip()
            else:
                result['reason'] += '; the state query exited %s: %s' % (code, (said or 'no message')[:300])
        return result
    if any(words in said for words in REFUSED_LOGIN_WORDS):
        result['accepted'] = False
    result['reason'] = 'psql in %s exited %s: %s' % (container, code, (said or answer or 'no message')[:300])
    return result


def redis_values(path, container, keys, password, timeout=5.0):
    """The values of ``keys`` in the Redis of ``container`` (``redis-cli MGET`` there, on its loopback, the password
    in the exec's environment as REDISCLI_AUTH, never in argv): empty_redis's shape, a key that is not set None.

    Values are read one per line (``--raw``), so a value holding a newline, an error reply or any other answer that
    is not one line per key is not answered: the caller then knows nothing, and must act as if they differed.
    """
    result = empty_redis(keys)
    result['checked'] = True
    if not keys:
        result['reason'] = 'no keys asked'
        return result
    argv = ['redis-cli', '--no-auth-warning', '--raw', 'MGET'] + list(keys)
    code, answer, said = _exec_text(path, container, argv, {'REDISCLI_AUTH': password} if password else {}, password,
                                    timeout)
    if code is None:
        result['reason'] = said
        return result
    lines = answer.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if code != 0 or len(lines) != len(keys):
        said = said or scrub_text(answer.strip(), [password])
        result['reason'] = 'redis-cli in %s exited %s with %d lines for %d keys: %s' % (
            container, code, len(lines), len(keys), (said or 'no message')[:300])
        return result
    result.update(answered=True, reason='read %d keys' % len(keys),
                  values=dict((key, line if line != '' else None) for key, line in zip(keys, lines)))
    return result
