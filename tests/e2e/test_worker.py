# SPDX-License-Identifier: GPL-3.0-or-later
"""The worker of the tests' deployed project: its healthcheck against a silent client on the shared network
(Chatwoot #15818), and a job that is running when Compose recreates it."""
import json
import re
import subprocess
import time
import uuid
from datetime import datetime

import pytest
from conftest import CONTAINERS, VARS, container_ids, redis_cli, sh

WORKER = CONTAINERS["sidekiq"]


def wait_for(probe, timeout):
    """Polls probe() until it returns something true; the last value either way."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(1)
        value = probe()
    return value


def health():
    return json.loads(sh("docker", "inspect", "-f", "{{json .State.Health}}", WORKER).stdout)


def started_at(entry):
    # Docker writes nanoseconds; Python reads microseconds.
    stamp = re.sub(r"(\.[0-9]{6})[0-9]*", r"\1", entry["Start"].replace("Z", "+00:00"))
    return datetime.fromisoformat(stamp)


@pytest.mark.promise("a_silent_client_on_the_network_does_not_hold_the_workers")
def test_a_silent_client_on_the_network_does_not_hold_the_workers_healthcheck(first_run):  # pylint: disable=unused-argument
    image = sh("docker", "inspect", "-f", "{{.Config.Image}}", WORKER).stdout.strip()
    check = json.loads(sh("docker", "inspect", "-f", "{{json .Config.Healthcheck.Test}}", WORKER).stdout)
    assert check[0] == "CMD-SHELL" and "7433" in check[1], check
    client = f"{VARS['chatwoot_container_prefix']}_silent_client"
    sh("docker", "rm", "-f", client, check=False)
    began = datetime.now().astimezone()
    # BusyBox nc of the Chatwoot image, on the project network: connects to the worker's alive port by name and
    # sends nothing, as a port scan or a half-open probe does.
    sh("docker", "run", "-d", "--name", client, "--network", VARS["chatwoot_network_name"], "--entrypoint", "sh", image,
       "-c", f"sleep 600 | nc {WORKER} 7433")
    try:
        # Let it connect, or be refused and go.
        wait_for(lambda: sh("docker", "inspect", "-f", "{{.State.Running}}", client).stdout.strip() == "false", 5)
        # The worker's own healthcheck, run now, answers within the time Docker gives it (5 s).
        try:
            now = subprocess.run(["docker", "exec", WORKER, "sh", "-c", check[1]], capture_output=True, text=True,
                                 timeout=5, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError("the worker's healthcheck hangs while a silent client is connected") from exc
        assert now.returncode == 0, now
        # And Docker's own next healthchecks, run after the client came, pass.
        later = wait_for(lambda: [e for e in health()["Log"] if started_at(e) > began][1:], 40)
        assert later and all(e["ExitCode"] == 0 for e in later), later
        assert health()["Status"] == "healthy", health()
    finally:
        sh("docker", "rm", "-f", client, check=False)


@pytest.mark.promise("a_job_running_when_the_worker_is_recreated_is_finished_not")
def test_a_job_running_when_the_worker_is_recreated_is_finished_not_lost(first_run):  # pylint: disable=unused-argument
    marker = f"e2e-{uuid.uuid4().hex[:8]}"
    before = container_ids()["sidekiq"]
    # 15 s of work, well within Sidekiq's 25 s shutdown timeout (config/sidekiq.yml), but past Docker's default 10 s.
    sh("docker", "exec", CONTAINERS["rails"], "bundle", "exec", "rails", "runner", f'StandinSleepJob.perform_async("{marker}", 15)')
    assert wait_for(lambda: redis_cli("GET", f"standin:sleep:{marker}:started"), 60), "the job never started"
    # What site.yml's Compose call does to a worker whose configuration changed: stop it, start a new one.
    project = VARS["chatwoot_project_dir"]
    sh("docker", "compose", "--project-directory", project, "up", "-d", "--no-deps", "--force-recreate",
       "chatwoot_sidekiq")
    assert container_ids()["sidekiq"] != before, "the worker was not recreated"
    finished = wait_for(lambda: redis_cli("GET", f"standin:sleep:{marker}:finished"), 60)
    assert finished, f"job {marker} was lost: started {redis_cli('GET', f'standin:sleep:{marker}:starts')} time(s), never finished"
    # Leave a healthy worker to the tests after this one.
    assert wait_for(lambda: health()["Status"] == "healthy", 120), health()
