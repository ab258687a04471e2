# SPDX-License-Identifier: GPL-3.0-or-later
"""Rows and files come through restarts and re-deploys identical, checked by their checksums.

The upgrade and the failed upgrade are checked the same way by molecule/upgrade, the reboot by molecule/default.
`seed()` and `fingerprint()` serve tests/e2e/test_faults.py too.
"""
import os
import subprocess
import time
from pathlib import Path

import pytest

import pg_fingerprint
from conftest import CONTAINERS, REPO, VARS, VARS_FILE, _path, http_json, playbook, psql, sh

STORAGE_FILE = "/app/storage/e2e/ab/upload.bin"
LOCK = Path("/run/lock/sinapum-chatwoot", f"{VARS['chatwoot_project_name']}.lock")


def seed():
    """500 rows of the test's own, rows in Chatwoot's own tables and two files in the storage volume, written once per
    deployment."""
    psql("CREATE TABLE IF NOT EXISTS e2e_fingerprint (note text)")
    if psql("SELECT count(*) FROM e2e_fingerprint") == "0":
        psql("INSERT INTO e2e_fingerprint SELECT md5(g::text) FROM generate_series(1, 500) g")
        # An account with a conversation of a few messages, as Chatwoot's own tables hold them.
        psql("WITH a AS (INSERT INTO accounts (name, created_at, updated_at) VALUES ('E2E Durability', now(), now())"
             " RETURNING id), i AS (INSERT INTO inboxes (account_id, name, channel_type, created_at, updated_at)"
             " SELECT id, 'E2E inbox', 'Channel::Api', now(), now() FROM a RETURNING id, account_id),"
             " c AS (INSERT INTO conversations (account_id, inbox_id, display_id, created_at, updated_at)"
             " SELECT account_id, id, 1, now(), now() FROM i RETURNING id, account_id)"
             " INSERT INTO messages (account_id, conversation_id, content, message_type, created_at, updated_at)"
             " SELECT account_id, id, 'message ' || g || E' with \\'quotes\\' and \u00e9', 0, now(), now()"
             " FROM c, generate_series(1, 20) g")
    sh("docker", "exec", CONTAINERS["rails"], "sh", "-c",
       f"test -s {STORAGE_FILE} || {{ mkdir -p /app/storage/e2e/ab && head -c 200000 /dev/urandom > {STORAGE_FILE}"
       " && echo hello > /app/storage/e2e/note.txt; }")


def fingerprint():
    """Every table of the database (tests/pg_fingerprint.py: rows, columns, indexes, extensions, migrations) and the
    files of the storage volume (sha256 of their sha256s)."""
    database = pg_fingerprint.fingerprint(pg_fingerprint.docker_psql(CONTAINERS["postgres"], "chatwoot", "chatwoot"))
    # Read through a throwaway container, so a web container that is down does not matter.
    files = sh("docker", "run", "--rm", "--network", "none", "-v", f"{VARS['chatwoot_storage_volume']}:/s:ro",
               "--entrypoint", "sh", _postgres_image(), "-c",
               "cd /s && find . -type f | sort | xargs sha256sum | sha256sum").stdout.strip()
    rows = database["rows"]
    assert rows["e2e_fingerprint"].startswith("500:") and not rows["messages"].startswith("0:"), rows
    assert database["migrations"] and len(files) > 64, (database, files)
    return {"database": database, "files": files}


def _postgres_image():
    return sh("docker", "inspect", "-f", "{{.Config.Image}}", CONTAINERS["postgres"]).stdout.strip()


def health_report(*extra):
    """playbooks/health.yml on this project: (rc, output)."""
    proc = subprocess.run(["ansible-playbook", "playbooks/health.yml", "-e", f"@{VARS_FILE}", *extra], cwd=REPO,
                          env={"ANSIBLE_NOCOLOR": "1", "PATH": _path()}, capture_output=True, text=True, timeout=300,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


def wait_healthy(timeout=120):
    """Ask the health report until every component is ok; return its output."""
    deadline = time.monotonic() + timeout
    while True:
        rc, out = health_report()
        if rc == 0:
            return out
        if time.monotonic() > deadline:
            raise AssertionError(f"still unhealthy after {timeout} s:\n{out[-3000:]}")
        time.sleep(3)


@pytest.mark.promise("restart_keeps_data")
def test_rows_and_files_survive_a_restart_of_every_container(first_run):
    seed()
    before = fingerprint()
    sh("docker", "restart", *CONTAINERS.values())
    wait_healthy()
    assert fingerprint() == before


@pytest.mark.promise("redeploy_keeps_data")
def test_rows_and_files_survive_a_redeploy_and_a_dead_runs_lock_is_taken_over(first_run):
    seed()
    before = fingerprint()
    sh("docker", "compose", "--project-directory", VARS["chatwoot_project_dir"], "down")
    # The lock a run leaves when it dies: its ansible-playbook process (a pid of this machine) is gone.
    plant_lock(pid=_a_dead_pid())

    run = playbook()
    assert run.rc == 0, run
    said = " ".join(run.out.split())
    assert "took over /run/lock/sinapum-chatwoot/" in said and "its process on" in said, run
    assert not LOCK.exists(), LOCK.read_text()
    assert http_json("/api")[1]["data_services"] == "ok"
    assert fingerprint() == before


def _boot_id():
    with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
        return handle.read().strip()


def _pid_start(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        return handle.read().rsplit(") ", 1)[1].split()[19]


def _a_dead_pid():
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def plant_lock(pid, run="e2e-holder", what="e2e"):
    """Write the lock as a run of this machine with that pid would hold it."""
    LOCK.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    start = _pid_start(pid) if os.path.exists(f"/proc/{pid}") else "1"
    LOCK.write_text(f"run={run}\nwhat={what}\ncontroller={os.uname().nodename}\nboot_id={_boot_id()}\npid={pid}\n"
                    f"pid_start={start}\nuser=root\nstarted={int(time.time())}\nstarted_utc=now\n")
