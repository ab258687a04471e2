# SPDX-License-Identifier: GPL-3.0-or-later
"""Every shell command of the README's ```sh blocks, run as written, as a new user runs it: from a fresh shell that
has only PATH=/usr/bin:/bin and HOME (`env -i`), in the checkout, one block's `export` lines carried to its later
lines as a pasted block would.

The commands act on a project of the tests' own, never on what `make deploy` made: ANSIBLE_INVENTORY (Ansible's own
setting, which the playbooks and make targets honour as written) points them at an inventory like inventories/local
whose group_vars are the e2e project's (tests/e2e/vars.yml). That matters most for restore and remove, which come
last; these tests run after every other e2e test (marker runs_last), since remove takes the project's containers.

Commands not run are listed in NOT_RUN with the reason; a listed command the README no longer has fails the test
that checks the list, so the list cannot go stale.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import CONTAINERS, REPO, VARS, secrets

README = REPO / "README.md"
NOT_RUN = {
    "make test": "the run this test is part of",
    "ansible-galaxy collection install sinapum.chatwoot": "for your servers: needs Galaxy, which this machine cannot reach",
    "cp -r inventories/example inventories/prod": "for your servers: a production inventory of your own",
    "ansible-playbook -i inventories/prod site.yml": "for your servers (inventories/prod)",
    "ansible-playbook -i inventories/prod sinapum.chatwoot.site": "for your servers, from an installed collection",
    "ansible-playbook -i inventories/prod site.yml -e @new-password.yml -e chatwoot_postgres_password_rotate=true": (
        "for your servers (inventories/prod); tests/e2e/test_secrets.py rotates the passwords of the tests' project"),
    "ansible-playbook -i inventories/prod site.yml -e chatwoot_adopt=true": (
        "for your servers (inventories/prod); tests/e2e/test_adopt.py adopts a seed-style stack built on this machine"),
    "jq -r .admin_password /var/lib/sinapum-chatwoot/chatwoot/secrets.json": (
        "reads the default project's secrets file; the tests' project keeps its own in its state directory, which "
        "tests/e2e/test_first_admin.py reads for the same key"),
    "docker exec -it mcp_sinapum_chatwoot_rails bundle exec rails c": (
        "interactive: it needs a terminal, and the Chatwoot stand-in has no console (tests/standin/README.md)"),
}
DESTRUCTIVE = ("make restore", "make remove")
BACKUPS = Path(VARS.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{VARS['chatwoot_project_name']}"))


def readme_blocks():
    """The README's ```sh blocks: lists of (command as written, command without its comment)."""
    blocks = []
    for block in re.findall(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M):
        lines = [line.rstrip() for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        blocks.append([(line, re.sub(r"\s+#\s.*$", "", line)) for line in lines])
    return blocks


def commands():
    """(command as written, the block's export lines before it) of every command this test runs: in README order,
    but restore and remove last, as they take the project down."""
    out = []
    for block in readme_blocks():
        exports = []
        for line, bare in block:
            if bare in NOT_RUN:
                continue
            if bare.startswith("export "):
                exports.append(line)
                continue
            out.append(pytest.param(line, list(exports), id=bare))
    return sorted(out, key=lambda param: param.values[0].startswith(DESTRUCTIVE))


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    """inventories/local, with the e2e project's variables."""
    directory = tmp_path_factory.mktemp("readme-inventory")
    (directory / "hosts.yml").write_text((REPO / "inventories/local/hosts.yml").read_text(encoding="utf-8"))
    local = yaml.safe_load((REPO / "inventories/local/group_vars/chatwoot.yml").read_text(encoding="utf-8"))
    (directory / "group_vars").mkdir()
    (directory / "group_vars" / "chatwoot.yml").write_text(yaml.safe_dump({**local, **VARS}))
    return directory / "hosts.yml"


def fresh_shell(line, exports, inventory):  # pylint: disable=redefined-outer-name
    """The line run by bash from `env -i`, in the checkout: only PATH, HOME and the tests' inventory."""
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "ANSIBLE_INVENTORY": str(inventory)}
    script = "\n".join([*exports, line])
    proc = subprocess.run(["env", "-i", *(f"{k}={v}" for k, v in env.items()), "bash", "-c", script], cwd=REPO,
                          capture_output=True, text=True, timeout=1200, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def flat(text):
    return " ".join(text.split())


def test_the_readme_commands_left_out_are_still_in_it_and_the_rest_is_run():
    bare = [command for block in readme_blocks() for _written, command in block]
    assert sorted(set(NOT_RUN) - set(bare)) == [], "NOT_RUN names commands the README no longer has"
    assert len(commands()) >= 9, [p.values[0] for p in commands()]


@pytest.mark.runs_last
@pytest.mark.promise("readme_commands_work")
@pytest.mark.parametrize("line,exports", commands())
def test_a_readme_command_works_from_a_fresh_shell(first_run, inventory, line, exports):  # pylint: disable=redefined-outer-name
    backups_before = {p.name for p in BACKUPS.iterdir()} if BACKUPS.is_dir() else set()
    rc, out = fresh_shell(line, exports, inventory)
    assert rc == 0, out[-6000:]
    assert "command not found" not in out, out[-6000:]
    assert not any(value in out for value in secrets().values() if isinstance(value, str) and len(value) >= 16)
    if line.startswith("make status"):
        assert re.search(rf"rails +running +healthy +\S*{re.escape('chatwoot/chatwoot:')}", out), out[-3000:]
    if line.startswith("make logs"):
        assert f"{CONTAINERS['sidekiq']}, last 200 lines:" in flat(out), out[-3000:]
    if line.startswith("make backup"):
        assert {p.name for p in BACKUPS.iterdir()} - backups_before, "make backup made no new backup"
    if line.startswith("make runner"):
        assert "rails runner exited 0:" in out, out[-3000:]
    if line.startswith("make remove"):
        running = subprocess.run(["docker", "ps", "-a", "--format", "{{.Names}}"], capture_output=True, text=True,
                                 check=True).stdout.split()
        assert not set(CONTAINERS.values()) & set(running), running
