# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""pytest fixtures and drivers shared by the chatwoot_health unit and integration tests.

The conftest.py files of tests/unit and tests/integration re-export the fixtures by name.
``collections_root()`` makes ``ansible_collections.sinapum.chatwoot`` importable (and usable by
the ``ansible`` command) from any checkout: the repository root is the collection root.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import health_servers as hs

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
ANSIBLE = str(Path(PYTHON).with_name('ansible'))

REDIS_PASSWORD = 'redis-S3cret-Pw!'
# The public URL a deployment's FRONTEND_URL holds: never the address the probes reach the web on.
FRONTEND_URL = 'https://chatwoot.example.test'
SECRETS = (hs.PostgresServer.PASSWORD, hs.PostgresServer.MD5_PASSWORD, hs.PostgresServer.CLEAR_PASSWORD,
           REDIS_PASSWORD, 'wrong-S3cret-Guess')

_ROOT = []


def collections_root():
    """A directory holding ansible_collections/sinapum/chatwoot -> this repository."""
    if _ROOT:
        return _ROOT[0]
    if REPO.parent.name == 'sinapum' and REPO.parent.parent.name == 'ansible_collections':
        root = str(REPO.parent.parent.parent)
    else:
        root = tempfile.mkdtemp(prefix='cw-health-collections-')
        atexit.register(shutil.rmtree, root, True)
        os.makedirs(os.path.join(root, 'ansible_collections', 'sinapum'))
        os.symlink(str(REPO), os.path.join(root, 'ansible_collections', 'sinapum', 'chatwoot'))
    if root not in sys.path:
        sys.path.insert(0, root)
    _ROOT.append(root)
    return root


collections_root()


# ---------------------------------------------------------------------------------------------- drivers
def run_module(args, module='chatwoot_health', secrets=SECRETS):
    """Run one of the collection's modules in-process as Ansible would (args through AnsibleModule); return
    (result, failed), after checking that no secret is in its output."""
    import importlib
    import io
    from contextlib import redirect_stdout

    from ansible.module_utils.testing import patch_module_args

    main = importlib.import_module('ansible_collections.sinapum.chatwoot.plugins.modules.' + module).main
    out = io.StringIO()
    with patch_module_args(args):
        with redirect_stdout(out):
            try:
                main()
            except SystemExit:
                pass
    text = out.getvalue()
    result = json.loads(text)
    assert_no_secret(text, secrets)
    return result, bool(result.get('failed'))


def run_ansible(args, verbosity=0, extra_env=None, timeout=180):
    """Run the module through the real ``ansible`` ad-hoc command; return (result, rc, raw output)."""
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_root(),
        'ANSIBLE_STDOUT_CALLBACK': 'json',
        'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_HOST_KEY_CHECKING': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        # ansible-core 2.21 leaves a result's `invocation` out unless asked (2.19 always has it): the tests check
        # that no_log masks the secrets there, on both.
        'ANSIBLE_INJECT_INVOCATION': '1',
    })
    env.pop('ANSIBLE_CONFIG', None)
    env.update(extra_env or {})
    cmd = [ANSIBLE, 'localhost', '-c', 'local', '-i', 'localhost,',
           '-e', 'ansible_python_interpreter=%s' % PYTHON,
           '-m', 'sinapum.chatwoot.chatwoot_health', '-a', json.dumps(args)]
    if verbosity:
        cmd.append('-' + 'v' * verbosity)
    with tempfile.TemporaryDirectory(prefix='cw-health-adhoc-') as workdir:
        proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    raw = proc.stdout + proc.stderr
    assert_no_secret(raw)
    start = proc.stdout.find('{')
    assert start >= 0, raw
    document = json.loads(proc.stdout[start:])
    result = document['plays'][0]['tasks'][0]['hosts']['localhost']
    return result, proc.returncode, raw


def assert_no_secret(text, secrets=SECRETS):
    for secret in secrets:
        assert secret not in text, 'a password leaked into the output'


def base_args(**overrides):
    """Module arguments with no env file (every credential explicit), for the given servers."""
    args = {'env_file': '/nonexistent/chatwoot.env', 'timeout': 3}
    args.update(overrides)
    return args


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope='session')
def pg():
    server = hs.PostgresServer()
    try:
        server.start()
    except Exception:
        server.cleanup()
        raise
    yield server
    server.cleanup()


@pytest.fixture(scope='session')
def redis_pw():
    server = hs.RedisServer(password=REDIS_PASSWORD).start()
    yield server
    server.cleanup()


@pytest.fixture(scope='session')
def redis_nopw():
    server = hs.RedisServer(password=None).start()
    yield server
    server.cleanup()


@pytest.fixture(scope='session')
def sidekiq(redis_pw):
    """A real Sidekiq worker registered in ``redis_pw``."""
    worker = hs.SidekiqWorker(redis_pw).start()
    yield worker
    worker.cleanup()


@pytest.fixture()
def own_sidekiq():
    """A Redis and a Sidekiq of the test's own, to pause, kill or flood without disturbing the others."""
    redis = hs.RedisServer(password=REDIS_PASSWORD).start()
    worker = hs.SidekiqWorker(redis)
    try:
        worker.start()
    except Exception:
        worker.cleanup()
        redis.cleanup()
        raise
    yield redis, worker
    worker.cleanup()
    redis.cleanup()


@pytest.fixture(scope='session')
def app(pg, redis_pw):
    """A Chatwoot-shaped web app whose /api really looks at ``pg`` and ``redis_pw``."""
    server = hs.ChatwootApp('real', pg_port=pg.port, redis_port=redis_pw.port,
                            redis_password=REDIS_PASSWORD, frontend_url=FRONTEND_URL).start()
    yield server
    server.stop()


@pytest.fixture()
def web():
    """Factory of throw-away web apps in a given mode."""
    started = []

    def make(mode, **kwargs):
        server = hs.ChatwootApp(mode, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture()
def fake_docker():
    engines = []

    def make(containers=None, status_override=None, routes=None):
        engine = hs.FakeDockerEngine(containers, status_override, routes).start()
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.stop()


@pytest.fixture()
def healthy_args(pg, redis_pw, sidekiq, app):
    """Arguments under which every component is healthy, except that Debian's PostgreSQL 15 has no pgvector."""
    return base_args(web_url=app.url, postgres_port=pg.port, postgres_user='chatwoot',
                     postgres_password=pg.PASSWORD, postgres_database='chatwoot',
                     postgres_require_vector=False, redis_port=redis_pw.port, redis_password=REDIS_PASSWORD)
