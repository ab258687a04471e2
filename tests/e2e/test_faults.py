# SPDX-License-Identifier: GPL-3.0-or-later
"""Injected faults: each is named by the health report (playbooks/health.yml), component and cause, and healed by
running site.yml again, with the rows and files unchanged. Then two runs at once, serialised by the host's lock.

The reboot is in molecule/default (it needs a server with systemd), the full backup disk in molecule/backup_restore.
"""
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CONTAINERS, REPO, VARS, VARS_FILE, _path, playbook, sh
from test_durability import LOCK, fingerprint, health_report, plant_lock, seed, wait_healthy

PROJECT = Path(VARS["chatwoot_project_dir"])
# Quick verdicts: a hung worker is called so after 12 s without a heartbeat (Sidekiq beats every 10 s).
QUICK = ["-e", "chatwoot_health_heartbeat_threshold=12", "-e", "chatwoot_health_wait_timeout=20"]


def flat(out):
    """The output with every run of whitespace made one space: the YAML callback wraps long messages."""
    return " ".join(out.split())


def component_line(out, name):
    """(status, reason) of one component in the health report's output."""
    match = re.search(rf"localhost {name}: (\w+) \([0-9.]+ ms\) (.*?)'(?!')", flat(out))
    assert match, f"no line for {name} in:\n{out[-3000:]}"
    return match.group(1), match.group(2)


def assert_healed_by_site(edited_file, text, before):
    """site.yml succeeds, writes the file edited by hand as it was, and leaves Chatwoot healthy with the same data."""
    healed = playbook()
    assert healed.rc == 0, healed
    assert edited_file.read_text() == text
    wait_healthy()
    assert fingerprint() == before


def docker_health(container):
    return sh("docker", "inspect", "-f", "{{.State.Health.Status}}", container).stdout.strip()


def restarts(container):
    return int(sh("docker", "inspect", "-f", "{{.RestartCount}}", container).stdout)


@pytest.mark.promise("crashed_worker_restarted_by_docker")
def test_a_crashed_worker_is_started_again_by_docker(first_run):
    worker = CONTAINERS["sidekiq"]
    before = restarts(worker)
    pid = sh("docker", "inspect", "-f", "{{.State.Pid}}", worker).stdout.strip()
    # SIGKILL from outside, as the kernel's OOM killer does: Docker sees the process die, not an operator's stop.
    sh("kill", "-KILL", pid)
    deadline = time.monotonic() + 60
    while restarts(worker) == before or sh("docker", "inspect", "-f", "{{.State.Running}}", worker).stdout.strip() != "true":
        assert time.monotonic() < deadline, "Docker did not start the worker again"
        time.sleep(1)
    out = wait_healthy()
    assert component_line(out, "sidekiq")[0] == "ok", out


def worker_healthy_before_the_test():
    """The worker's container, once Docker calls it healthy. Docker counts failed probes only once one has passed (or
    the start period is over): the worker the test before crashed may not have had its first probe yet."""
    worker = CONTAINERS["sidekiq"]
    deadline = time.monotonic() + 60
    while docker_health(worker) != "healthy":
        assert time.monotonic() < deadline, f"the worker is {docker_health(worker)}, not healthy, before the test"
        time.sleep(1)
    return worker


@pytest.mark.promise("hung_worker_named_and_healed")
def test_a_hung_worker_is_named_by_its_heartbeat_and_healed_by_site(first_run):
    worker = worker_healthy_before_the_test()
    started = sh("docker", "inspect", "-f", "{{.State.StartedAt}}", worker).stdout.strip()
    sh("docker", "kill", "--signal", "STOP", worker)
    try:
        deadline = time.monotonic() + 60
        while True:
            rc, out = health_report(*QUICK)
            if rc != 0 or time.monotonic() > deadline:
                break
            time.sleep(3)
        assert rc != 0, out
        status, reason = component_line(out, "sidekiq")
        assert status == "failing", out
        assert f"worker container {worker} is running but its Sidekiq process has not beaten for" in reason, reason
        assert "it hangs" in reason and "threshold 12 s" in reason, reason
        assert component_line(out, "web")[0] == "ok", out
        assert "is unhealthy: sidekiq:" in flat(out), out
        # Three failed probes of its healthcheck after the start period: about 30 s.
        deadline = time.monotonic() + 90
        while docker_health(worker) != "unhealthy":
            assert time.monotonic() < deadline, "Docker did not mark the hung worker unhealthy"
            time.sleep(2)
        healed = playbook(*QUICK)
    finally:
        sh("docker", "kill", "--signal", "CONT", worker, check=False)
    assert healed.rc == 0, healed
    assert sh("docker", "inspect", "-f", "{{.State.StartedAt}}", worker).stdout.strip() != started, "the worker was not restarted"
    out = wait_healthy()
    assert component_line(out, "sidekiq")[0] == "ok", out


@pytest.mark.promise("paused_worker_healed")
def test_a_paused_worker_is_healed_by_site(first_run):
    worker = CONTAINERS["sidekiq"]
    sh("docker", "pause", worker)
    try:
        rc, out = health_report()
        assert rc != 0 and f"worker container {worker} is paused" in flat(out), out
        healed = playbook(*QUICK)
        # What site.yml left, before anything here touches the worker: running, not paused, and the health report
        # (which names a paused worker, as above) says every component is ok.
        assert healed.rc == 0, healed
        state = sh("docker", "inspect", "-f", "{{.State.Running}} {{.State.Paused}}", worker).stdout.split()
        assert state == ["true", "false"], state
        rc, out = health_report()
        assert rc == 0, out
        assert component_line(out, "sidekiq")[0] == "ok", out
    finally:
        # Only for a failure above: a worker left paused would fail every later test.
        if sh("docker", "inspect", "-f", "{{.State.Paused}}", worker, check=False).stdout.strip() == "true":
            sh("docker", "unpause", worker, check=False)
            wait_healthy()


@pytest.mark.promise("stopped_postgres_and_open_redis_named_and_healed")
def test_a_stopped_postgres_and_a_redis_without_password_are_named_and_healed_by_site(first_run):
    seed()
    before = fingerprint()
    compose = PROJECT / "docker-compose.yml"
    text = compose.read_text()
    edited = text.replace(' --requirepass \\"$$REDIS_PASSWORD\\"', "")
    assert edited != text, "the compose file no longer passes --requirepass this way"
    compose.write_text(edited)
    sh("docker", "compose", "--project-directory", str(PROJECT), "up", "-d", "--no-deps", "chatwoot_redis")
    sh("docker", "stop", CONTAINERS["postgres"])

    rc, out = health_report()
    assert rc != 0, out
    status, reason = component_line(out, "postgres")
    assert status == "failing" and "connection refused" in reason, out
    status, reason = component_line(out, "redis")
    assert status == "failing" and "runs without a password and refuses outside clients" in reason, out
    assert component_line(out, "web")[0] == "failing", out
    assert "is unhealthy: postgres: connection refused" in flat(out), out
    assert "also failing: redis, web" in flat(out), out

    assert_healed_by_site(compose, text, before)


@pytest.mark.promise("redis_losing_its_password_named")
def test_redis_losing_its_password_at_run_time_is_named_and_healed_by_site(first_run):
    seed()
    before = fingerprint()
    redis = CONTAINERS["redis"]
    started = sh("docker", "inspect", "-f", "{{.State.StartedAt}}", redis).stdout.strip()
    sh("docker", "exec", redis, "sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli CONFIG SET requirepass ""')
    try:
        rc, out = health_report()
        # Docker still calls this Redis healthy (its healthcheck's PING works without a password): only the health
        # gate sees the drift. A gate that waited it out would fail after the full minute given here.
        healed = playbook("-e", "chatwoot_health_wait_timeout=60")
    finally:
        # Still without a password only when the run did not heal it.
        sh("docker", "exec", redis, "sh", "-c", 'redis-cli CONFIG SET requirepass "$REDIS_PASSWORD"', check=False)
    assert rc != 0, out
    status, reason = component_line(out, "redis")
    assert status == "failing" and 'CONFIG SET requirepass ""' in reason, out
    assert healed.rc == 0, healed
    said = flat(healed.out)
    assert "waiting cannot change this (a configuration drift, not a start-up), so the wait stopped after 1 attempt" in said, healed
    assert "TASK [sinapum.chatwoot.chatwoot : Restart Redis, which no longer has the password its compose file gives it]" \
        in healed.out, healed
    assert sh("docker", "inspect", "-f", "{{.State.StartedAt}}", redis).stdout.strip() != started, "Redis was not restarted"
    wait_healthy()
    assert fingerprint() == before


def signal_all(container, signal):
    """Every process of the container, not only its first: a server that forks workers stops as a whole."""
    pids = sh("docker", "top", container, "-eo", "pid").stdout.split()[1:]
    sh("kill", f"-{signal}", *pids, check=False)


@pytest.mark.promise("the_health_gate_says_in_rounds_what_it_waits_for")
def test_the_health_gate_says_in_rounds_what_it_waits_for(first_run):
    healthy_run = playbook()
    assert healthy_run.rc == 0, healthy_run
    assert "still waiting after" not in healthy_run.out, healthy_run
    web = CONTAINERS["rails"]
    # Web stops answering just before the run, and goes again once the gate has said it waits for it. Docker calls web
    # unhealthy only after three failed probes 10 s apart: it is healthy when the run reads the host, whatever the
    # machine's pace, so the run finds the stack current (it neither restarts web nor waits in Compose for it), and
    # only the health probes, asked with the read, find web silent: the gate asks again, in rounds.
    signal_all(web, "STOP")
    try:
        # Rounds of 3 s instead of 30, so that a short wait has several.
        run = playbook("-e", "chatwoot_health_wait_timeout=120", "-e", "__chatwoot_health_round=3",
                       steps=[(r"still waiting after \d+ s of 120", lambda: signal_all(web, "CONT"))])
    finally:
        signal_all(web, "CONT")
    assert run.rc == 0, run
    converge = run.out.split("prepare and start web and worker, where there is work]", 1)[1].split("TASK [", 1)[0]
    assert "skipping: [localhost]" in converge, converge
    rounds = re.findall(r"TASK \[sinapum\.chatwoot\.chatwoot : Ask chatwoot_health \(web, database, queue, worker\), "
                        r"still waiting after (\d+) s of 120: (\w+):", flat(run.out))
    assert rounds and rounds[0][1] == "web", run
    wait_healthy()


@pytest.mark.promise("web_crashing_at_start_named_and_healed")
def test_web_crashing_at_start_is_named_and_healed_by_site(first_run):
    seed()
    before = fingerprint()
    env_file = PROJECT / ".env"
    text = env_file.read_text()
    env_file.write_text("".join(line for line in text.splitlines(True) if not line.startswith("SECRET_KEY_BASE=")))
    web = CONTAINERS["rails"]
    sh("docker", "compose", "--project-directory", str(PROJECT), "up", "-d", "--no-deps", "--force-recreate",
       "chatwoot_rails")
    # Rails refuses to boot without it, loudly, and Docker starts it again and again.
    deadline = time.monotonic() + 60
    while restarts(web) < 1:
        assert time.monotonic() < deadline, sh("docker", "logs", "--tail", "20", web).stderr
        time.sleep(1)
    # Every start's output, not the last lines: rails.sh traces itself (set -x) and runs bundle before Rails says it.
    assert "Missing `secret_key_base`" in sh("docker", "logs", web).stderr

    rc, out = health_report()
    assert rc != 0, out
    assert component_line(out, "web")[0] == "failing", out
    assert "is unhealthy: web:" in flat(out), out

    assert_healed_by_site(env_file, text, before)


def _start(log, *args, playbook="site.yml"):
    cmd = ["ansible-playbook", playbook, "-e", f"@{VARS_FILE}", *args]
    # Into files, not pipes: a run blocked on a full pipe while it holds the lock would stall the others.
    with open(log, "w", encoding="utf-8") as out:
        return subprocess.Popen(cmd, cwd=REPO, env={"ANSIBLE_NOCOLOR": "1", "PATH": _path()}, stdout=out,
                                stderr=subprocess.STDOUT, text=True)


@pytest.mark.promise("runs_serialised_by_the_lock")
def test_runs_at_once_are_serialised_by_the_hosts_lock(first_run, tmp_path):
    seed()
    before = fingerprint()
    env_before = (PROJECT / ".env").read_text()
    # This test holds the lock first, as a live run of this machine would, so that every run below meets it.
    plant_lock(pid=os.getpid(), run="e2e-holder")
    logs = [tmp_path / name for name in ("first.log", "second.log", "check.log")]
    runs = [_start(logs[0]), _start(logs[1]), _start(logs[2], "--check", playbook="playbooks/backup.yml")]
    try:
        runs[2].wait(timeout=600)
        check_out = logs[2].read_text()
        assert runs[2].returncode == 0, check_out[-6000:]
        assert "another run holds /run/lock/sinapum-chatwoot/" in flat(check_out), check_out[-6000:]
        assert "run=e2e-holder" in LOCK.read_text(), "the check-mode run took the lock"
        time.sleep(5)  # both real runs are waiting by now
    finally:
        LOCK.unlink(missing_ok=True)
    for run, log in zip(runs[:2], logs[:2]):
        run.wait(timeout=900)
        out = flat(log.read_text())
        assert run.returncode == 0, out[-6000:]
        assert "waiting up to 1800 s for /run/lock/sinapum-chatwoot/" in out, out[-6000:]
        assert "held by the e2e run e2e-holder" in out, out[-6000:]
        assert re.search(r"got /run/lock/sinapum-chatwoot/\S+ after waiting [0-9]+ s", out), out[-6000:]
    assert not LOCK.exists(), LOCK.read_text()
    assert (PROJECT / ".env").read_text() == env_before
    wait_healthy()
    assert fingerprint() == before


@pytest.mark.promise("refused_run_gives_the_lock_back")
def test_a_run_refused_after_the_lock_gives_it_back(first_run):
    run = playbook("-e", "chatwoot_version=v4.14.0")
    assert run.rc != 0 and "older than the deployed" in flat(run.out), run
    assert "TASK [sinapum.chatwoot.chatwoot : Try to take the lock]" in run.out, "it stopped before the lock: nothing proven"
    assert not LOCK.exists(), LOCK.read_text()


@pytest.mark.promise("backup_on_its_own_waits_for_the_lock")
def test_a_backup_on_its_own_waits_for_the_projects_lock(first_run, tmp_path):
    installer = _start(tmp_path / "backup.log", playbook="playbooks/backup.yml")
    assert installer.wait(timeout=600) == 0, (tmp_path / "backup.log").read_text()[-6000:]
    script = Path("/usr/local/sbin", f"chatwoot-backup-{VARS['chatwoot_project_name']}")
    backups = Path(VARS.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{VARS['chatwoot_project_name']}"))
    before = sorted(p.name for p in backups.iterdir())
    plant_lock(pid=os.getpid(), run="e2e-holder")
    with open(tmp_path / "scheduled.log", "w", encoding="utf-8") as out:
        # As the timer starts it: no CHATWOOT_LOCK_HELD in its environment.
        proc = subprocess.Popen([str(script)], stdout=out, stderr=subprocess.STDOUT, env={"PATH": os.environ["PATH"]})
    try:
        time.sleep(8)
        assert proc.poll() is None, (tmp_path / "scheduled.log").read_text()
        assert "run=e2e-holder" in LOCK.read_text()
        assert sorted(p.name for p in backups.iterdir()) == before, "it backed up while another run held the lock"
    finally:
        LOCK.unlink(missing_ok=True)
    assert proc.wait(timeout=300) == 0, (tmp_path / "scheduled.log").read_text()
    log = (tmp_path / "scheduled.log").read_text()
    assert f"acquired {LOCK}" in log, log
    # Its last line is the new backup's path (older ones may have been rotated away).
    new = Path(log.strip().splitlines()[-1])
    assert new.parent == backups and new.is_dir() and new.name not in before, log
    assert not LOCK.exists(), LOCK.read_text()
