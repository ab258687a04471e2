# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/chatwoot/tasks/job_wait.yml through ansible-playbook on localhost, with rounds of one second: a job that
outlives its first round is waited for in later rounds, each a task named with how long it has run, until the round
that sees it end (changed, with what it printed); a job that fails fails that round with its stderr; a job whose
output holds secrets (a deploy's prepare, with admin.rb's answer) has rounds that show nothing and leave the failure to
the includer. A deploy's pull and
prepare end within their first round on the rig, so no e2e test reaches these rounds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration"))

from health_fixtures import ANSIBLE, PYTHON, collections_root  # noqa: E402  pylint: disable=wrong-import-position

SCRIPT = Path(__file__).resolve().parents[3] / "roles" / "chatwoot" / "files" / "host_job.sh"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Start the job, with a first round of 0 s
      ansible.builtin.command:
        argv: [sh, %(script)s, start, %(base)s, "0", "0", "0", run, sh, -c, %(job)s]
      register: first
      changed_when: false

    - name: Wait for it in the role's rounds
      ansible.builtin.include_role:
        name: sinapum.chatwoot.chatwoot
        tasks_from: job_wait
      vars:
        __chatwoot_job_round: 1
        __chatwoot_job_name: The test job
        __chatwoot_job_attempts: 1
        __chatwoot_job_changed: "{{ not __chatwoot_job | sinapum.chatwoot.job_running }}"
        __chatwoot_job_said: "{{ first | sinapum.chatwoot.job_running }}"
        __chatwoot_job_secret: %(secret)s

    - name: Say what the last round gave
      ansible.builtin.debug:
        msg: "LAST rc={{ __chatwoot_job.rc }} changed={{ __chatwoot_job.changed }} out={{ __chatwoot_job.stdout | trim }}"
"""


def run_rounds(tmp_path, job, secret=False, verbosity=0):
    base = tmp_path / "job.lock.test"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_NOCOLOR="1",
               ANSIBLE_RETRY_FILES_ENABLED="0")
    env.pop("ANSIBLE_CONFIG", None)
    with tempfile.TemporaryDirectory(prefix="cw-job-rounds-") as workdir:
        path = os.path.join(workdir, "play.yml")
        with open(path, "w") as handle:
            handle.write(PLAYBOOK % {"script": SCRIPT, "base": base, "job": "'%s'" % job.replace("'", "''"),
                                     "secret": "true" if secret else "false"})
        proc = subprocess.run([ANSIBLE + "-playbook", "-i", "localhost,", "-c", "local", "-e",
                               "ansible_python_interpreter=%s" % PYTHON, path] + ["-v"] * verbosity, cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
    return proc, list(tmp_path.glob("job.lock.test.*"))


def round_names(out):
    return re.findall(r"TASK \[sinapum\.chatwoot\.chatwoot : (The test job[^\]]*)\]", out)


def test_a_job_that_outlives_its_first_round_is_waited_for_in_named_rounds(tmp_path):
    # Long enough that a second round is due even when a loaded machine takes seconds over each step (2.5 s did not).
    proc, left = run_rounds(tmp_path, "sleep 6; echo prepared")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    names = round_names(out)
    assert len(names) >= 2, out
    assert all(re.fullmatch(r"The test job, still running after \d+ s", name) for name in names), names
    # Each round names the time of the one before: they grow.
    waited = [int(re.search(r"after (\d+) s", name).group(1)) for name in names]
    assert waited == sorted(waited) and waited[-1] >= 1, names
    assert "LAST rc=0 changed=True out=prepared" in out, out
    assert not left, "the round that saw the end left the job's directory behind"


def test_a_job_that_fails_fails_the_round_that_sees_it_end_with_its_stderr(tmp_path):
    proc, left = run_rounds(tmp_path, "sleep 1.5; echo 'StandinFaultBrokenMigration: canceled' >&2; exit 3")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert round_names(out), out
    failed = out.split("fatal: [localhost]", 1)[1]
    assert "StandinFaultBrokenMigration: canceled" in failed and '"rc": 3' in failed, failed
    assert "LAST rc=" not in out
    assert not left


def test_a_secret_jobs_rounds_show_nothing_and_leave_its_failure_to_the_includer(tmp_path):
    # The token is put together by the job: the command line that starts it does not hold it.
    proc, left = run_rounds(tmp_path, "sleep 3; printf 'SINAPUM_CHATWOOT_ADMIN={\"tokens\": \"t0ken-%s\"}\\n' s3cret; exit 4",
                            secret=True, verbosity=3)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert round_names(out), out
    assert "t0ken-s3cret" not in out.split("Say what the last round gave", 1)[0], out
    assert "censored" in out, out
    # The includer reads what the round gave, the failure among it (prepare.yml says it, masked).
    assert "LAST rc=4 changed=True" in out and "t0ken-s3cret" in out.split("Say what the last round gave", 1)[1]
    assert not left
