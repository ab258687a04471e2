# SPDX-License-Identifier: GPL-3.0-or-later
"""`ansible-playbook site.yml` on this machine: deploy, idempotence, check mode, restarts, data, bad input, secrets."""
import json
import os
import re
import socket
import stat
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import (CONTAINERS, VARS, VARS_FILE, ansible_playbook, container_ids, http_json, own_project, playbook,
                      psql, redis_cli, remove_project, secrets, sh)

PROJECT = Path(VARS["chatwoot_project_dir"])
STATE = Path(VARS["chatwoot_state_dir"])


def test_first_run_leaves_chatwoot_healthy(first_run):
    assert first_run.failed == 0
    status, body = http_json("/api")
    assert status == 200
    assert body["data_services"] == "ok" and body["queue_services"] == "ok", body
    assert http_json("/health") == (200, {"status": "woot"})


@pytest.mark.promise("first_run_pulled_its_images_from_the_registry")
def test_first_run_pulled_its_images_from_the_registry(first_run):
    registry = "127.0.0.1:5000"  # inventories/local
    refs = {s: sh("docker", "inspect", "-f", "{{.Config.Image}}", c).stdout.strip() for s, c in CONTAINERS.items()}
    assert all(ref.startswith(f"{registry}/") for ref in refs.values()), refs
    # The rig leaves them only in the registry (tests/rig/selftest.sh checks it): the host holds them only when
    # a deployment pulled them before. The pull is waited for in rounds, each a task "Pull the images...", the first
    # of which starts it: the one that sees it end reports the change.
    lacking = set(refs.values()) - first_run.images_held_before
    rounds = re.findall(r": Pull the images[^\]]*\][^\n]*\n(.*?)(?=\nTASK \[|\Z)", first_run.out, re.S)
    assert rounds, first_run.out[-3000:]
    if lacking:
        assert any("changed: [localhost]" in part for part in rounds), (lacking, rounds)
    else:
        assert len(rounds) == 1 and "skipping: [localhost]" in rounds[0], rounds
    for service, ref in refs.items():
        path, tag = ref.removeprefix(f"{registry}/").rsplit(":", 1)
        request = urllib.request.Request(f"http://{registry}/v2/{path}/manifests/{tag}", headers={
            "Accept": "application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            served = json.loads(resp.read())["config"]["digest"]
        running = sh("docker", "inspect", "-f", "{{.Image}}", CONTAINERS[service]).stdout.strip()
        assert running == served, f"{service} runs {running}, the registry serves {served} as {ref}"


def test_first_run_prepared_the_database(first_run):
    assert "db:chatwoot_prepare" in first_run.out
    assert psql("SELECT extname FROM pg_extension WHERE extname = 'vector'") == "vector"
    assert psql("SELECT to_regclass('public.installation_configs') IS NOT NULL") == "t"
    assert psql("SELECT to_regclass('public.ar_internal_metadata') IS NOT NULL") == "t"


def test_second_run_changes_nothing_and_skips_prepare(first_run):
    run = playbook()
    assert run.rc == 0, run
    assert run.changed == 0, run
    # Nothing after the files has work (module_utils/_deploy_plan.py deploy_work): the rest of the deploy - bringing
    # the stack up, prepare among it, the health gate, the record - is skipped as one step.
    assert "Decide whether anything is left to do]" in run.out, run
    rest = run.out.split("bring the stack up and prove it healthy, record the deployment]", 1)[1].split("TASK [", 1)[0]
    assert "skipping: [localhost]" in rest, rest
    assert "Prepare the database (db:chatwoot_prepare)]" not in run.out, run
    # The health probes were asked with the host's read, and found every part healthy: the run takes that verdict
    # instead of asking again, and Chatwoot's answer from the state admin.rb left.
    assert "Wait until Chatwoot reports healthy]" not in run.out, run
    report = run.out.split("Report what Chatwoot did]", 1)[1].split("TASK [", 1)[0]
    assert "so it was not asked again" in report, report


def test_check_mode_with_diff_on_a_deployed_host_changes_nothing(first_run):
    run = playbook("--check", "--diff")
    assert run.rc == 0, run
    assert run.changed == 0, run


def test_files_are_root_only_where_secrets_live(first_run):
    def mode(path):
        st = path.stat()
        return stat.S_IMODE(st.st_mode), st.st_uid

    assert mode(PROJECT / ".env") == (0o600, 0)
    assert mode(STATE / "secrets.json") == (0o600, 0)
    assert mode(STATE) == (0o700, 0)
    compose = (PROJECT / "docker-compose.yml").read_text()
    assert "Ansible" in compose.splitlines()[0]
    for name, value in secrets().items():
        assert value not in compose, f"{name} is written into the compose file"


def test_postgres_and_redis_are_published_on_loopback_only(first_run):
    for service, port in (("postgres", 5432), ("redis", 6379)):
        published = sh("docker", "port", CONTAINERS[service], str(port)).stdout.split()
        assert published == [f"127.0.0.1:{VARS[f'chatwoot_{service}_port']}"], published


def test_postgres_and_redis_can_stay_unpublished(first_run):
    run = playbook("-e", "chatwoot_postgres_publish=false", "-e", "chatwoot_redis_publish=false")
    assert run.rc == 0, run  # the final health check reached them on the project network instead
    for service, port in (("postgres", 5432), ("redis", 6379)):
        assert sh("docker", "port", CONTAINERS[service], str(port), check=False).stdout.strip() == ""
    assert http_json("/api")[1]["data_services"] == "ok"

    republished = playbook()
    assert republished.rc == 0, republished
    assert sh("docker", "port", CONTAINERS["postgres"], "5432").stdout.split() == [f"127.0.0.1:{VARS['chatwoot_postgres_port']}"]


def test_redis_demands_the_password(first_run):
    with socket.create_connection(("127.0.0.1", VARS["chatwoot_redis_port"]), timeout=5) as conn:
        conn.sendall(b"PING\r\n")
        assert conn.recv(200).startswith(b"-NOAUTH"), "Redis answered without a password"
        conn.sendall(f"AUTH {secrets()['redis_password']}\r\nPING\r\n".encode())
        time.sleep(0.2)
        assert b"+PONG" in conn.recv(200)


def test_a_job_enqueued_is_processed_by_sidekiq(first_run):
    marker = f"e2e-{uuid.uuid4().hex[:8]}"
    sh("docker", "exec", CONTAINERS["rails"], "bundle", "exec", "rails", "runner",
       f'StandinProbeJob.perform_async("{marker}")')
    # The stand-in's job leaves its proof in Redis.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if marker in redis_cli("GET", f"standin:job:{marker}"):
            return
        time.sleep(1)
    raise AssertionError(f"job {marker} was not processed within 60 s")


def test_env_change_restarts_web_and_worker_only_and_keeps_data(first_run):
    psql("CREATE TABLE IF NOT EXISTS e2e_durability (note text)")
    note = uuid.uuid4().hex
    psql(f"INSERT INTO e2e_durability VALUES ('{note}')")
    before = container_ids()

    run = playbook("-e", "chatwoot_log_level=debug")
    assert run.rc == 0, run
    after = container_ids()
    assert after["postgres"] == before["postgres"] and after["redis"] == before["redis"]
    assert after["rails"] != before["rails"] and after["sidekiq"] != before["sidekiq"]
    assert psql(f"SELECT count(*) FROM e2e_durability WHERE note = '{note}'") == "1"

    restored = playbook()
    assert restored.rc == 0 and restored.changed > 0, restored
    assert psql(f"SELECT count(*) FROM e2e_durability WHERE note = '{note}'") == "1"


def test_no_secret_in_any_output_even_at_vvv_with_diff(first_run):
    run = playbook("--diff", verbosity=3)
    assert run.rc == 0, run
    leaked = [name for name, value in secrets().items() if value in run.out]
    assert not leaked, f"secrets printed: {leaked}"
    assert os.path.getsize(PROJECT / ".env") > 0


def _health_report():
    import subprocess

    from conftest import REPO, VARS_FILE, _path

    proc = subprocess.run(["ansible-playbook", "playbooks/health.yml", "-e", f"@{VARS_FILE}"], cwd=REPO,
                          env={"ANSIBLE_NOCOLOR": "1", "PATH": _path()}, capture_output=True, text=True, timeout=300,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_health_report_and_a_stopped_worker_healed_by_site(first_run):
    rc, out = _health_report()
    assert rc == 0, out
    for component in ("web", "postgres", "redis", "sidekiq"):
        assert f"localhost {component}: ok" in out, out

    # docker stop, not kill: restart: always would bring a killed worker back before the report is read.
    sh("docker", "stop", CONTAINERS["sidekiq"])
    rc, out = _health_report()
    assert rc != 0, out
    assert "localhost sidekiq: failing" in out and "localhost web: ok" in out, out
    assert "is unhealthy: sidekiq" in out, out

    healed = playbook()
    assert healed.rc == 0 and healed.changed > 0, healed
    rc, out = _health_report()
    assert rc == 0, out


def test_a_kept_postgres_password_the_database_refuses_stops_the_run_naming_the_variables(first_run):
    # secrets.json edited by hand: the next .env would carry a password the database was never given.
    path = STATE / "secrets.json"
    kept = path.read_text()
    env_before = (PROJECT / ".env").read_bytes()
    wrong = "not-the-password-postgres-was-given-1"
    path.write_text(json.dumps({**json.loads(kept), "postgres_password": wrong}))
    try:
        run = playbook()
    finally:
        path.write_text(kept)
    assert run.rc != 0, run
    stopped = run.out.split("Stop when the database does not accept the password]", 1)[1].split("PLAY RECAP", 1)[0]
    assert f"refused user {VARS.get('chatwoot_postgres_user', 'chatwoot')}" in stopped and "chatwoot_postgres_password" in stopped, stopped
    assert f"kept in {STATE}/secrets.json" in stopped and f"{PROJECT}/.env was left as it was" in stopped, stopped
    assert wrong not in run.out
    # Refused before the write: .env still holds the password the database accepts (a web or worker recreated from
    # it by hand before the next run still starts).
    assert (PROJECT / ".env").read_bytes() == env_before
    healed = playbook()
    assert healed.rc == 0, healed
    status, body = http_json("/api")
    assert status == 200 and body.get("data_services") == "ok", body


def test_a_restore_with_a_postgres_password_the_volume_was_not_given_stops_before_any_secret_changes(first_run):
    # A backup from another host (its own application keys), restored with a password that is neither the one this
    # host keeps nor a rotation: the refusal comes before the backup's secrets replace the host's.
    backups = Path(VARS.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{VARS['chatwoot_project_name']}"))
    taken = ansible_playbook("playbooks/backup.yml", "-e", f"@{VARS_FILE}")
    assert taken.rc == 0, taken
    newest = max(p for p in backups.iterdir() if re.fullmatch(r"\d{8}T\d{6}Z", p.name))
    other = backups / "20000101T000000Z"
    sh("cp", "-a", str(newest), str(other))
    try:
        copied = json.loads((other / "secrets.json").read_text())
        (other / "secrets.json").write_text(json.dumps({**copied, "secret_key_base": "another-hosts-key-" + "0" * 64}))
        sh("sh", "-c", f"cd {other} && sha256sum postgres.dump storage.tar.gz secrets.json manifest.json > SHA256SUMS")
        kept, env_before = (STATE / "secrets.json").read_bytes(), (PROJECT / ".env").read_bytes()
        running = _started()
        run = ansible_playbook("playbooks/restore.yml", "-e", f"@{VARS_FILE}", "-e", f"chatwoot_restore_backup={other.name}",
                               "-e", "chatwoot_postgres_password=not-the-one-this-volume-was-given-1")
    finally:
        sh("rm", "-rf", str(other), str(newest))
    assert run.rc != 0, run
    refused = run.out.split("Refuse to guess a Postgres password for a database that already exists]", 1)[1]
    assert "fatal:" in refused.split("TASK [", 1)[0] and "Nothing was changed" in refused, refused[:3000]
    assert "Put the backup's secrets in place" not in run.out, run
    assert (STATE / "secrets.json").read_bytes() == kept and (PROJECT / ".env").read_bytes() == env_before
    assert _started() == running, running
    status, body = http_json("/api")
    assert status == 200 and body.get("data_services") == "ok", body


def _started():
    """Each container of the project: running or not, and since when (a stop and start would change it)."""
    return {s: sh("docker", "inspect", "-f", "{{.State.Running}} {{.State.StartedAt}}", c).stdout.strip()
            for s, c in CONTAINERS.items()}


@pytest.mark.promise("deleted_database_volume_prepared_again")
def test_a_database_volume_deleted_by_hand_is_prepared_again(first_run):
    # The record of the last prepare survives in the state dir; the database it describes does not.
    sh("docker", "compose", "--project-directory", str(PROJECT), "down", "--volumes")
    run = playbook()
    assert run.rc == 0, run
    prepare = run.out.split("Prepare the database (db:chatwoot_prepare)]", 1)[1].split("TASK [", 1)[0]
    assert "changed: [localhost]" in prepare, prepare
    assert psql("SELECT count(*) FROM pg_extension WHERE extname = 'vector'") == "1"
    assert psql("SELECT to_regclass('public.ar_internal_metadata') IS NOT NULL") == "t"
    status, body = http_json("/api")
    assert status == 200 and body.get("queue_services") == "ok", body


NEVER = {**own_project("never", 13901), "chatwoot_postgres_port": 15901, "chatwoot_redis_port": 16901}
NO_TAG = {**own_project("notag", 13911), "chatwoot_postgres_publish": False, "chatwoot_redis_publish": False}
UNTOUCHED = {"paths": [], "containers": [], "volumes": [], "network": False}


def _never_deployed_traces(project=NEVER):
    paths = [p for p in (project["chatwoot_project_dir"], project["chatwoot_state_dir"], project["chatwoot_backup_dir"],
                         f"/run/lock/sinapum-chatwoot/{project['chatwoot_project_name']}.lock") if Path(p).exists()]
    containers = sh("docker", "ps", "-a", "--filter", f"name=^{project['chatwoot_container_prefix']}_",
                    "--format", "{{.Names}}").stdout.split()
    volumes = [v for v in (project["chatwoot_postgres_volume"], project["chatwoot_redis_volume"],
                           project["chatwoot_storage_volume"])
               if sh("docker", "volume", "inspect", v, check=False).returncode == 0]
    network = sh("docker", "network", "inspect", project["chatwoot_network_name"], check=False).returncode == 0
    return {"paths": paths, "containers": containers, "volumes": volumes, "network": network}


@pytest.mark.promise("a_version_the_registry_lacks_changes_nothing")
def test_a_version_the_registry_does_not_have_stops_the_run_naming_it_and_changes_nothing():
    remove_project(NO_TAG)
    missing = "v4.99.9"  # a well-formed tag the rig's registry does not have
    try:
        run = playbook("-e", json.dumps({**NO_TAG, "chatwoot_version": missing, "chatwoot_pull_retries": 1,
                                         "chatwoot_pull_delay": 0}))
        assert run.rc != 0 and run.failed == 1, run
        said = run.out.rsplit("Stop with the error]", 1)[1]
        assert f"chatwoot:{missing}" in said and '"Pull the images" failed: ' in said, said
        assert _never_deployed_traces(NO_TAG) == UNTOUCHED
    finally:
        remove_project(NO_TAG)


@pytest.mark.promise("check_mode_on_a_server_never_deployed_creates_nothing_and")
def test_check_mode_on_a_server_never_deployed_creates_nothing_and_says_what_it_would_do():
    import json

    assert _never_deployed_traces() == UNTOUCHED
    # A secret imposed, so that the test knows one the output must not hold (the others are made in the run).
    secret = uuid.uuid4().hex * 4
    run = playbook("--check", "--diff", "-e", json.dumps({**NEVER, "chatwoot_secret_key_base": secret}))
    assert run.rc == 0 and run.failed == 0, run
    assert _never_deployed_traces() == UNTOUCHED
    # What a real run would do: the files it would write, and the services it would start and prepare.
    assert run.changed > 0, run
    files = run.out.split("Keep the secrets, write the project directory, .env and the compose file]", 1)[1].split("TASK [", 1)[0]
    assert "changed: [localhost]" in files, run
    # The diff shows the compose file's content and, for .env and the secrets file, only that they hold secrets.
    assert "+services:" in files and "(secret content" in files, files
    for path in (NEVER["chatwoot_project_dir"] + "/.env", NEVER["chatwoot_state_dir"] + "/secrets.json"):
        assert path + " (new file" in files, files
    assert "SECRET_KEY_BASE=" not in run.out and secret not in run.out, "a secret was shown"
    would = run.out.split("Say what a real run would do]", 1)[1].split("TASK [", 1)[0]
    for words in ("chatwoot_postgres, chatwoot_redis, chatwoot_rails, chatwoot_sidekiq", "db:chatwoot_prepare",
                  NEVER["chatwoot_project_dir"]):
        assert words in " ".join(would.split()), would
