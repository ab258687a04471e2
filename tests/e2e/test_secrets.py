# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets stay where they belong through every playbook, and awkward values reach Chatwoot as written.

One pass over the tests' deployed project, every entry point at -vvv with --diff: site.yml (with a chatwoot_extra_env
of values full of quotes, dollars, backslashes, hashes and spaces, so .env changes and web and worker restart, and
rotating the Postgres and Redis passwords to values just as awkward), health, backup, status, logs, then restore of
the backup just taken (which writes .env back without those values, and keeps the host's passwords).
The generated secrets may be in .env, the secrets file, the backup's copy of it, and the containers' environment
(Config.Env: that is how Chatwoot, Postgres and Redis receive them); anywhere else is a leak: the output, the
containers' logs, and whatever the runs left in /tmp, ~/.ansible or the checkout.
"""
import base64
import json
import os
import stat
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import CONTAINERS, REPO, VARS, VARS_FILE, _path, secrets, sh
from test_durability import fingerprint, seed

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
# Passwords an existing database or Redis may already have (not the operator's to choose): a leading space, $ and ${...}
# (Compose interpolation, the shell), both quotes, " #" (YAML and dotenv comments), : @ / ? % + (URLs), a backslash and
# a final one (escapes), and a letter beyond ASCII. The Redis one is short, so weak: warned about, and kept all the same.
PG_PASSWORD = " pg $HOME ${POSTGRES_PASSWORD} $$ \"dq\" 'sq' #hash p@ss:w/rd?%41+\u00e9 back\\slash\\"
REDIS_PASSWORD = "r$ '\" \\ #x"
# Test modules are imported before any test runs: files written since then were written by this session's runs.
SESSION_STARTED = time.time()


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
    """The value, its percent-encoded form (in a URL), its escaped forms (in .env's double quotes, in JSON), and what
    stands for it in base64 whatever the bytes before it (a slurped file is base64)."""
    out = {value, urllib.parse.quote(value, safe=""),
           value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$"),
           # JSON's (and a double-quoted YAML string's) escapes, with and without \u for what is beyond ASCII.
           json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    data = value.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data + b"\0\0").decode()
        first, last = -(-8 * offset // 6), (8 * (offset + len(data))) // 6
        out.add(encoded[first:last])
    return out


# The secrets the containers receive; the secrets file also keeps the administrator's password and the tokens for
# automation (tasks/admin.yml), which no container's environment holds, and the account's id, which is no secret.
ENV_SECRETS = ("secret_key_base", "postgres_password", "redis_password", "active_record_encryption_primary_key",
               "active_record_encryption_deterministic_key", "active_record_encryption_key_derivation_salt")
ADMIN_SECRETS = ("admin_password", "admin_user_token", "platform_app_token")


def kept_secrets():
    return {name: value for name, value in secrets().items() if name in ENV_SECRETS + ADMIN_SECRETS}


def leaks(text, generated):
    return sorted(name for name, value in generated.items() for form in forms(value) if form in text)


def container_logs():
    """Every container's log, stdout and stderr (a recreated container starts a new one: read after each run)."""
    logs = {}
    for container in CONTAINERS.values():
        proc = sh("docker", "logs", container, check=False)
        logs[container] = proc.stdout + proc.stderr
    return logs


def files_written_since(started, *roots):
    """{path: text} of the files under roots (symlinks not followed) modified since `started`."""
    found = {}
    for root in roots:
        for directory, dirnames, filenames in os.walk(root, onerror=lambda error: None):
            dirnames[:] = [d for d in dirnames if d not in (".git", ".venv")]
            for name in filenames:
                # The engine's own: runc's spec of a `docker exec` (a health check's, every few seconds), the
                # container's environment in it, removed once runc has started the process; no run writes it.
                if directory == "/tmp" and name.startswith("runc-process"):
                    continue
                path = os.path.join(directory, name)
                try:
                    info = os.lstat(path)
                    if not stat.S_ISREG(info.st_mode) or info.st_mtime < started or info.st_size > 50_000_000:
                        continue
                    with open(path, "rb") as handle:
                        found[path] = handle.read().decode("utf-8", errors="replace")
                except OSError:
                    continue  # gone meanwhile, or not readable
    return found


def opens_postgres(password):
    """Whether Postgres lets Chatwoot's role in with this password, over TCP to its address on the project network as
    web and worker connect (127.0.0.1 and the socket are trusted inside the container)."""
    return sh("docker", "exec", "-e", f"PGPASSWORD={password}", CONTAINERS["postgres"], "psql", "-h", "chatwoot_postgres",
              "-U", "chatwoot", "-d", "chatwoot", "-tAc", "SELECT 1", check=False).stdout.strip() == "1"


def opens_redis(password):
    """Whether Redis answers PONG over TCP to a client that authenticates with this password."""
    return sh("docker", "exec", "-e", f"REDISCLI_AUTH={password}", CONTAINERS["redis"], "redis-cli", "-h", "127.0.0.1",
              "ping", check=False).stdout.strip() == "PONG"


@pytest.fixture(scope="module")
def every_playbook(first_run, tmp_path_factory):  # pylint: disable=redefined-outer-name
    seed()
    data_before = fingerprint()
    generated = secrets()
    extra = tmp_path_factory.mktemp("secrets") / "extra_env.json"
    extra.write_text(json.dumps({"chatwoot_extra_env": SPECIAL, "chatwoot_postgres_password": PG_PASSWORD,
                                 "chatwoot_redis_password": REDIS_PASSWORD, "chatwoot_postgres_password_rotate": True}))
    outputs = {"site.yml (first run)": first_run.out}
    logs = {}
    rc, outputs["site.yml"] = run("site.yml", "-e", f"@{extra}")
    assert rc == 0, outputs["site.yml"][-5000:]
    logs["after site.yml"] = container_logs()
    rotated = {"data": fingerprint(), "postgres": opens_postgres(PG_PASSWORD), "redis": opens_redis(REDIS_PASSWORD),
               "old postgres": opens_postgres(generated["postgres_password"]),
               "old redis": opens_redis(generated["redis_password"])}
    seen = {s: process_env(CONTAINERS[s]) for s in ("rails", "sidekiq")}
    inspect = json.loads(sh("docker", "inspect", *CONTAINERS.values()).stdout)
    compose = (PROJECT / "docker-compose.yml").read_text()
    for playbook in ("health", "backup", "status", "logs"):
        rc, outputs[playbook] = run(f"playbooks/{playbook}.yml")
        assert rc == 0, outputs[playbook][-5000:]
    backup = max(p for p in BACKUPS.iterdir() if p.is_dir())
    rc, outputs["restore"] = run("playbooks/restore.yml", "-e", f"chatwoot_restore_backup={backup.name}")
    assert rc == 0, outputs["restore"][-5000:]
    logs["after restore"] = container_logs()
    restored = {"data": fingerprint(), "postgres": opens_postgres(PG_PASSWORD), "redis": opens_redis(REDIS_PASSWORD)}
    return {"outputs": outputs, "logs": logs, "seen": seen, "inspect": inspect, "compose": compose, "backup": backup,
            "after_restore": process_env(CONTAINERS["rails"]), "extra": str(extra), "data_before": data_before,
            "rotated": rotated, "restored": restored}


@pytest.mark.promise("a_rotation_changes_the_passwords_in_the_servers_and_keeps")
def test_a_rotation_changes_the_passwords_in_the_servers_and_keeps_every_row(every_playbook):  # pylint: disable=redefined-outer-name
    rotated = every_playbook["rotated"]
    assert rotated["postgres"] and rotated["redis"], rotated
    assert not rotated["old postgres"] and not rotated["old redis"], rotated
    assert {k: secrets()[k] for k in ("postgres_password", "redis_password")} == {
        "postgres_password": PG_PASSWORD, "redis_password": REDIS_PASSWORD}
    assert rotated["data"] == every_playbook["data_before"]


@pytest.mark.promise("awkward_passwords_open_postgres_and_redis_and_survive")
def test_awkward_passwords_open_postgres_and_redis_and_survive_backup_and_restore(every_playbook):  # pylint: disable=redefined-outer-name
    # Chatwoot itself: the health report (web's /api reads both, the worker's heartbeat is in Redis) and status passed.
    outputs = every_playbook["outputs"]
    assert "is healthy" in outputs["health"], outputs["health"][-3000:]
    restored = every_playbook["restored"]
    assert restored["postgres"] and restored["redis"], restored
    assert restored["data"] == every_playbook["data_before"]
    site = " ".join(outputs["site.yml"].split())
    assert "warning: chatwoot_redis_password is weak" in site, site[-5000:]
    assert "chatwoot_postgres_password is weak" not in site


@pytest.mark.promise("awkward_values_reach_chatwoot")
def test_awkward_values_reach_chatwoot_unchanged(every_playbook):  # pylint: disable=redefined-outer-name
    for service, env in every_playbook["seen"].items():
        got = {name: env.get(name) for name in EXPECTED}
        assert got == EXPECTED, f"{service} received {got}"
    # Restore wrote .env from the variables it was given, which had no chatwoot_extra_env.
    assert "SMTP_PASSWORD" not in every_playbook["after_restore"]


@pytest.mark.promise("no_secret_in_output")
def test_no_secret_in_the_output_of_any_playbook(every_playbook):  # pylint: disable=redefined-outer-name
    generated = kept_secrets()
    assert len(generated) == 9
    for playbook, out in every_playbook["outputs"].items():
        assert not leaks(out, generated), f"{playbook} printed {leaks(out, generated)}"


@pytest.mark.promise("no_secret_in_the_logs_or_the_files_runs_leave_behind")
def test_no_secret_in_the_logs_or_the_files_runs_leave_behind(every_playbook):  # pylint: disable=redefined-outer-name
    generated = secrets()
    # The names found, never the text: a failing assertion must not print the secrets it found.
    for when, logs in every_playbook["logs"].items():
        for container, text in logs.items():
            assert text.strip(), f"{container} logged nothing {when}: nothing proven"
            found = leaks(text, generated)
            assert not found, f"{container}'s log {when} holds {found}"
    # ~/.ansible_async would hold what an async task returned (the role has none now); the jobs it runs in the background
    # on the host (the pull, db:chatwoot_prepare) keep their output beside the lock until a round reads it.
    written = files_written_since(SESSION_STARTED, "/tmp", Path.home() / ".ansible", Path.home() / ".ansible_async",
                                  Path("/run/lock/sinapum-chatwoot"), REPO)
    # The extra variables this test wrote under /tmp (pytest's tmp_path) prove that the walk reads what runs leave there.
    assert every_playbook["extra"] in written, sorted(written)[:50]
    for path, text in written.items():
        found = [] if path == every_playbook["extra"] else leaks(text, generated)  # the passwords it gave the run
        assert not found, f"{path} holds {found}"


@pytest.mark.promise("secrets_only_where_they_belong")
def test_no_secret_outside_env_the_secrets_file_and_the_backup_copy(every_playbook):  # pylint: disable=redefined-outer-name
    generated = kept_secrets()
    assert not leaks(every_playbook["compose"], generated), "the compose file holds a secret"
    for container in every_playbook["inspect"]:
        name = container["Name"]
        labels = json.dumps(container["Config"].get("Labels") or {})
        assert not leaks(labels, generated), f"{name}: labels hold {leaks(labels, generated)}"
        env = container["Config"].pop("Env")
        assert not leaks(json.dumps(container), generated), f"{name}: inspect outside Config.Env holds a secret"
        # Config.Env is the channel by design: Compose hands each service the variables it reads.
        expected = {"postgres": ["postgres_password"], "redis": ["redis_password"]}.get(
            name.rsplit("_", 1)[1], list(ENV_SECRETS))
        assert set(leaks("\n".join(env), generated)) == set(expected), f"{name}: Config.Env lacks or has too many secrets"
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
