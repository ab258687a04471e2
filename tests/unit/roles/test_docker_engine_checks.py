# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The docker_engine role's two checks through ansible-playbook on localhost, with nothing on the host looked at:
its variables (tasks/preflight.yml, after the argument specs) and the Compose version the host has
(tasks/verify.yml, from the probe's answer or the one asked again after an install). Each stops the run with a
message that names what is wrong, and lets a good value through without a word."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration"))

from health_fixtures import ANSIBLE, PYTHON, collections_root  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the role's check
      ansible.builtin.include_role:
        name: sinapum.chatwoot.docker_engine
        tasks_from: %(file)s
      vars:
        __docker_engine_present: %(present)s
        __docker_engine_probe: {compose: "%(probe)s"}

    - name: Say the check let the run through
      ansible.builtin.debug:
        msg: CHECK PASSED
"""


def run_check(file, extra=None, probe="2.26.1", present="true", check_mode=False):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_NOCOLOR="1",
               ANSIBLE_RETRY_FILES_ENABLED="0")
    env.pop("ANSIBLE_CONFIG", None)
    argv = []
    for key, value in (extra or {}).items():
        argv += ["-e", "%s=%s" % (key, value)]
    with tempfile.TemporaryDirectory(prefix="cw-engine-checks-") as workdir:
        path = os.path.join(workdir, "play.yml")
        with open(path, "w") as handle:
            handle.write(PLAYBOOK % {"file": file, "probe": probe, "present": present})
        proc = subprocess.run([ANSIBLE + "-playbook", "-i", "localhost,", "-c", "local", "-e",
                               "ansible_python_interpreter=%s" % PYTHON, path] + argv + (["--check"] if check_mode else []),
                              cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("version", ["2.18.0", "2.30.1"])
def test_a_minimum_compose_version_from_2_18_on_passes(version):
    rc, out = run_check("preflight", {"docker_engine_min_compose_version": version})
    assert rc == 0 and "CHECK PASSED" in out, out


def test_a_minimum_compose_version_before_2_18_is_refused_naming_the_variable():
    rc, out = run_check("preflight", {"docker_engine_min_compose_version": "2.17.3"})
    assert rc != 0 and "CHECK PASSED" not in out, out
    assert "docker_engine_min_compose_version must be 2.18.0 or newer" in out and "got 2.17.3" in out, out


@pytest.mark.parametrize("probe", ["2.18.0", "v2.26.1", "2.26.1-4"])
def test_a_compose_at_or_above_the_minimum_passes(probe):
    rc, out = run_check("verify", probe=probe)
    assert rc == 0 and "CHECK PASSED" in out, out


@pytest.mark.parametrize("probe, says", [("2.17.3", "this host has 2.17.3"),
                                         ("", "this host has no `docker compose` plugin")])
def test_a_compose_below_the_minimum_or_none_stops_the_run_saying_what_the_host_has(probe, says):
    rc, out = run_check("verify", probe=probe)
    assert rc != 0 and "CHECK PASSED" not in out, out
    assert "Docker Compose v2 2.18.0 or newer is required" in out and says in out, out


def test_check_mode_before_a_simulated_install_does_not_ask_for_compose():
    # No engine yet, in check mode: the install was only simulated, so there is no Compose to check.
    rc, out = run_check("verify", probe="", present="false", check_mode=True)
    assert rc == 0 and "CHECK PASSED" in out, out
