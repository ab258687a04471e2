# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/runner.yml on the tests' deployed project: Ruby run once with `bundle exec rails runner` in the web
container (the stand-in's runner evaluates Ruby with its models loaded, see tests/standin/README.md), its output
shown, nothing secret printed even at -vvv; code that fails stops the run with its error and gives the lock back;
no code at all is refused before anything runs."""
import json
import os
import re
import subprocess

import pytest

from conftest import CONTAINERS, REPO, VARS_FILE, _path, psql, secrets, sh
from test_secrets import leaks


def runner(code, *extra):
    """playbooks/runner.yml with the code as JSON (quotes stay as written): (rc, output)."""
    cmd = ["ansible-playbook", "playbooks/runner.yml", "-e", f"@{VARS_FILE}", *extra]
    if code is not None:
        cmd += ["-e", json.dumps({"chatwoot_runner_code": code})]
    env = {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PATH": _path(), "HOME": os.environ.get("HOME", "/root")}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.promise("runner_runs_in_the_web_container")
def test_the_code_runs_in_the_web_container_and_its_output_is_shown(first_run):
    code = ('require "socket"; puts "host=#{Socket.gethostname}"; puts "installation_configs=#{InstallationConfig.count}"; '
            "puts %q(quotes 'single' \"double\" $HOME stay)")
    rc, out = runner(code, "-vvv")
    assert rc == 0, out
    hostname = sh("docker", "inspect", "-f", "{{.Config.Hostname}}", CONTAINERS["rails"]).stdout.strip()
    assert f"host={hostname}" in out, out
    # Counted by the app's own model, through its own connection: equal to what Postgres says.
    assert f"installation_configs={psql('SELECT count(*) FROM installation_configs')}" in out, out
    # Neither make, the shell, Ansible nor docker exec expands $HOME in it: it reaches Ruby as written.
    assert "- quotes 'single' \"double\" $HOME stay\n" in out, out
    assert leaks(out, secrets()) == []


def test_code_that_fails_stops_the_run_with_its_error_and_gives_the_lock_back(first_run):
    rc, out = runner('raise "e2e runner boom"')
    assert rc != 0, out
    assert f"rails runner failed in {CONTAINERS['rails']} on localhost (exit 1)" in " ".join(out.split()), out
    assert "e2e runner boom" in out, out
    # A lock left held would make this run wait, and give up after 5 s.
    rc, out = runner("puts 6 * 7", "-e", "chatwoot_lock_timeout=5")
    assert rc == 0, out
    assert re.search(r"^ *- '?42'?$", out, re.M), out


def test_no_code_is_refused_before_anything_runs(first_run):
    rc, out = runner(None)
    assert rc != 0, out
    assert "chatwoot_runner_code: must be the Ruby code rails runner runs" in " ".join(out.split()), out
    assert "Run the code with rails runner" not in out, out
