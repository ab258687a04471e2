# SPDX-License-Identifier: GPL-3.0-or-later
"""Chatwoot releases older than the default, on a project of their own: 4.4 (no sidekiq_alive, no /health) and
4.10 (sidekiq_alive, no /health) deploy and pass their containers' healthchecks, chosen by version. The stand-in
builds v4.4.0 and v4.10.0 lack what those releases lack (tests/standin/README.md)."""
import json

import pytest
from conftest import own_project, playbook, remove_project, sh

PROJECT = {**own_project("versions", 13401), "chatwoot_postgres_publish": False, "chatwoot_redis_publish": False}
RAILS, SIDEKIQ = (f"{PROJECT['chatwoot_container_prefix']}_{s}" for s in ("rails", "sidekiq"))


def deploy(version, *extra):
    return playbook("-e", json.dumps({**PROJECT, "chatwoot_version": version}), *extra)


def inspect(container, template):
    return sh("docker", "inspect", "-f", template, container).stdout.strip()


def api_version():
    """The version /api reports, asked inside web (its port is published on loopback only)."""
    out = sh("docker", "exec", RAILS, "wget", "-q", "-O", "-", "http://127.0.0.1:3000/api?locale=en").stdout
    return json.loads(out)["version"]


@pytest.fixture(scope="module")
def versions_project():
    remove_project(PROJECT)
    yield
    remove_project(PROJECT)


@pytest.mark.promise("an_older_release_deploys_and_is_healthy")
@pytest.mark.parametrize("version,web_check,worker_check", [
    ("v4.4.0", "/api?locale=en", "/proc/1/cmdline"),
    ("v4.10.0", "/api?locale=en", "7433"),
])
def test_an_older_release_deploys_and_is_healthy(versions_project, version, web_check, worker_check):  # pylint: disable=unused-argument
    # v4.4.0 on a new project, then v4.10.0 as an upgrade of it.
    run = deploy(version)
    assert run.rc == 0 and run.failed == 0, run
    assert api_version() == version.lstrip("v")
    for container, check in ((RAILS, web_check), (SIDEKIQ, worker_check)):
        test = json.loads(inspect(container, "{{json .Config.Healthcheck.Test}}"))
        assert check in test[1], (container, test)
        assert inspect(container, "{{.State.Health.Status}}") == "healthy", inspect(container, "{{json .State.Health}}")
