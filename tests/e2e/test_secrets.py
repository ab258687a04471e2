# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets stay where they belong through every playbook, and awkward values reach Chatwoot as written.

One pass over the tests' deployed project, every entry point at -vvv with --diff: site.yml (with a chatwoot_extra_env
of values full of quotes, dollars, backslashes, hashes and spaces, so .env changes and web and worker restart),
health, backup, status, logs, then restore of the backup just taken (which writes .env back without those values).
The generated secrets may be in .env, the secrets file, the backup's copy of it, and the containers' environment
(Config.Env: that is how Chatwoot, Postgres and Redis receive them); anywhere else is a leak.
"""
import base64
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import CONTAINERS, REPO, VARS, VARS_FILE, _path, secrets, sh

PROJECT = Path(VARS["chatwoot_project_dir"])
STATE = Path(VARS["chatwoot_state_dir"])
BACKUPS = Path(VARS.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{VARS['chatwoot_project_name']}"))
BACKUP_SCRIPT = Path(f"/usr/local/sbin/chatwoot-backup-{VARS['chatwoot_project_name']}")

# What Compose's dotenv rules would bend: quotes of both kinds, $ and ${...} (interpolation: here even of the
# secrets), backslashes (escapes, a final one before the closing quote), # (comments) and edge spaces.
SPECIAL = {
    "SMTP_PASSWORD": "p@ss w$rd 'single' \"double\" \\back\\slash\\n #hash ${POSTGRES_PASSWORD} $REDIS_PASSWORD $$ `id`",
    "MAILER_SENDER_EMAIL": 'Chatwoot "Support" <support@example.org>',
    "SMTP_ADDRESS": "smtp.example.org",
    "SMTP_USERNAME": "chat woot+e2e@example.org",
    "SMTP_PORT": 587,
    "SMTP_ENABLE_STARTTLS_AUTO": True,
    "E2E_LITERAL_DOLLARS": "${POSTGRES_PASSWORD}",
    "E2E_TRAILING_BACKSLASH": "C:\\chatwoot\\",
    "E2E_PADDED": "  padded #not a comment  ",
    "E2E_ONE_QUOTE": "'",
}
EXPECTED = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in SPECIAL.items()}


def run(playbook, *args):
    cmd = ["ansible-playbook", playbook, "-e", f"@{VARS_FILE}", *args, "--diff", "-vvv"]
    env = {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PATH": _path(), "HOME": os.environ.get("HOME", "/root")}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def process_env(container):
    """The environment the container's main process was started with."""
    raw = sh("docker", "exec", container, "cat", "/proc/1/environ").stdout
    return dict(kv.split("=", 1) for kv in raw.split("\0") if "=" in kv)


def forms(value):
    """The value, and what stands for it in base64 whatever the bytes before it (a slurped file is base64)."""
    out = {value}
    data = value.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data + b"\0\0").decode()
        first, last = -(-8 * offset // 6), (8 * (offset + len(data))) // 6
        out.add(encoded[first:last])
    return out


def leaks(text, generated):
    return sorted(name for name, value in generated.items() for form in forms(value) if form in text)


@pytest.fixture(scope="module")
def every_playbook(first_run, tmp_path_factory):  # pylint: disable=redefined-outer-name
    extra = tmp_path_factory.mktemp("secrets") / "extra_env.json"
    extra.write_text(json.dumps({"chatwoot_extra_env": SPECIAL}))
    outputs = {"site.yml (first run)": first_run.out}
    rc, outputs["site.yml"] = run("site.yml", "-e", f"@{extra}")
    assert rc == 0, outputs["site.yml"][-5000:]
    seen = {s: process_env(CONTAINERS[s]) for s in ("rails", "sidekiq")}
    inspect = json.loads(sh("docker", "inspect", *CONTAINERS.values()).stdout)
    compose = (PROJECT / "docker-compose.yml").read_text()
    for playbook in ("health", "backup", "status", "logs"):
        rc, outputs[playbook] = run(f"playbooks/{playbook}.yml")
        assert rc == 0, outputs[playbook][-5000:]
    backup = max(p for p in BACKUPS.iterdir() if p.is_dir())
    rc, outputs["restore"] = run("playbooks/restore.yml", "-e", f"chatwoot_restore_backup={backup.name}")
    assert rc == 0, outputs["restore"][-5000:]
    return {"outputs": outputs, "seen": seen, "inspect": inspect, "compose": compose, "backup": backup,
            "after_restore": process_env(CONTAINERS["rails"])}


@pytest.mark.promise("awkward_values_reach_chatwoot")
def test_awkward_values_reach_chatwoot_unchanged(every_playbook):  # pylint: disable=redefined-outer-name
    for service, env in every_playbook["seen"].items():
        got = {name: env.get(name) for name in EXPECTED}
        assert got == EXPECTED, f"{service} received {got}"
    # Restore wrote .env from the variables it was given, which had no chatwoot_extra_env.
    assert "SMTP_PASSWORD" not in every_playbook["after_restore"]


@pytest.mark.promise("no_secret_in_output")
def test_no_secret_in_the_output_of_any_playbook(every_playbook):  # pylint: disable=redefined-outer-name
    generated = secrets()
    assert len(generated) == 6
    for playbook, out in every_playbook["outputs"].items():
        assert not leaks(out, generated), f"{playbook} printed {leaks(out, generated)}"


@pytest.mark.promise("secrets_only_where_they_belong")
def test_no_secret_outside_env_the_secrets_file_and_the_backup_copy(every_playbook):  # pylint: disable=redefined-outer-name
    generated = secrets()
    assert not leaks(every_playbook["compose"], generated), "the compose file holds a secret"
    for container in every_playbook["inspect"]:
        name = container["Name"]
        labels = json.dumps(container["Config"].get("Labels") or {})
        assert not leaks(labels, generated), f"{name}: labels hold {leaks(labels, generated)}"
        env = container["Config"].pop("Env")
        assert not leaks(json.dumps(container), generated), f"{name}: inspect outside Config.Env holds a secret"
        # Config.Env is the channel by design: Compose hands each service the variables it reads.
        expected = {"postgres": ["postgres_password"], "redis": ["redis_password"]}.get(
            name.rsplit("_", 1)[1], list(generated))
        assert not set(expected) - set(leaks("\n".join(env), generated)), f"{name}: Config.Env lacks a secret"
    allowed = {PROJECT / ".env", STATE / "secrets.json", every_playbook["backup"] / "secrets.json"}
    texts = [p for root in (PROJECT, STATE, every_playbook["backup"]) for p in root.rglob("*")
             if p.is_file() and p not in allowed and p.suffix not in (".gz", ".dump")]
    texts += [BACKUP_SCRIPT, *Path("/etc/systemd/system").glob(f"chatwoot-backup-{VARS['chatwoot_project_name']}.*")]
    assert every_playbook["backup"] / "manifest.json" in texts
    for path in texts:
        found = leaks(path.read_text(errors="replace"), generated)
        assert not found, f"{path} holds {found}"
    for path in allowed:
        assert leaks(path.read_text(), generated), f"{path} should hold the secrets"


@pytest.mark.promise("secret_files_root_only")
def test_secret_files_are_root_only(every_playbook):  # pylint: disable=redefined-outer-name
    def mode(path):
        st = path.stat()
        return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid

    backup = every_playbook["backup"]
    expected = {PROJECT: 0o750, PROJECT / ".env": 0o600, PROJECT / "docker-compose.yml": 0o640, STATE: 0o700,
                STATE / "secrets.json": 0o600, BACKUPS: 0o700, backup: 0o700, BACKUP_SCRIPT: 0o700}
    expected.update({p: 0o600 for p in backup.iterdir()})
    got = {str(p): mode(p) for p in expected}
    assert got == {str(p): (m, 0, 0) for p, m in expected.items()}
