# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/chatwoot/files/chatwoot-lock.sh, run by sh as the role runs it: take, hold, take over, give back, look - and
each decision made on one read of the lock, which may be removed by hand while it is looked at."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles" / "chatwoot" / "files" / "chatwoot-lock.sh"
pytestmark = pytest.mark.skipif(shutil.which("flock") is None, reason="flock (util-linux) is not installed")


def owner(run):
    return f"run={run}\nwhat=deploy\ncontroller=elsewhere\nboot_id=x\npid=1\npid_start=1\nuser=t\nstarted={int(time.time())}\n"


def lock_sh(action, lock, run="mine", path=None, *args):
    env = {"PATH": path or os.environ["PATH"], "LOCK_OWNER": owner(run), "LOCK_STALE_AGE": "7200"}
    proc = subprocess.run(["sh", str(SCRIPT), action, str(lock), *args], env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    said = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return proc.returncode, said


def test_a_free_lock_is_taken_and_named_after_its_run(tmp_path):
    lock = tmp_path / "p.lock"
    assert lock_sh("try", lock)[1]["state"] == "acquired"
    assert lock.read_text().splitlines()[0] == "run=mine"
    assert lock_sh("show", lock)[1]["holder_run"] == "mine"


def test_another_runs_lock_is_held_a_lock_naming_no_run_is_taken_over(tmp_path):
    lock = tmp_path / "p.lock"
    lock.write_text(owner("other"))
    rc, said = lock_sh("try", lock)
    assert (rc, said["state"], said["holder_run"]) == (0, "held", "other")
    lock.write_text("written by hand\n")
    said = lock_sh("try", lock)[1]
    assert said["state"] == "taken_over" and "names no run" in said["reason"]
    assert "run=mine" in lock.read_text()


def test_only_the_holder_gives_it_back(tmp_path):
    lock = tmp_path / "p.lock"
    lock.write_text(owner("other"))
    assert lock_sh("release", lock)[1]["state"] == "not_ours" and lock.exists()
    lock.write_text(owner("mine"))
    assert lock_sh("release", lock)[1]["state"] == "released" and not lock.exists()
    assert lock_sh("release", lock)[1]["state"] == "free"
    assert lock_sh("show", lock)[1]["state"] == "free"


def test_a_lock_removed_while_it_is_read_is_judged_on_what_was_read(tmp_path):
    # A sed that removes the lock before it runs: a second read of the lock file would find it gone and take the
    # holder for a lock that names no run.
    lock = tmp_path / "p.lock"
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "sed").write_text(f'#!/bin/sh\nrm -f "{lock}"\nexec {shutil.which("sed")} "$@"\n')
    (shims / "sed").chmod(0o755)
    lock.write_text(owner("other"))
    rc, said = lock_sh("try", lock, "mine", f"{shims}:{os.environ['PATH']}")
    assert (rc, said["state"], said["holder_run"]) == (0, "held", "other"), said
