# SPDX-License-Identifier: GPL-3.0-or-later
"""Taking over the SinapUm team's Chatwoot, built as their report describes it (tests/seed): one compose file shared
with another service, containers <prefix>_chatwoot_*, volumes <project>_chatwoot_*_data, the env file
services/chatwoot_service/.env with their secrets, mail and integration settings, a database prepared by hand with
rows, uploads, and a worker that keeps files in its own layer.

One story, in order: a run without chatwoot_adopt stops before touching anything; an adoption onto a broken image puts
the old stack back (its database restored from the takeover's backup); the adoption; a second run; restore.yml's check
of the takeover's backup.
"""
import hashlib
import json
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import LOCK_SCRIPT, REPO, ansible_playbook, local_image_refs, remove_lock_script, remove_project, sh

VARS_FILE = REPO / "tests" / "e2e" / "vars-adopt.yml"
AV = yaml.safe_load(VARS_FILE.read_text())
SEED = REPO / "tests" / "seed"
# The team's /root/Core_SinapUm, under a name tests/leftovers.py knows as the tests': the directory makes the Compose
# project e2e_core_sinapum, and so the volumes and the network e2e_core_sinapum_*.
CORE = Path("/opt/chatwoot-e2e-adopt/E2E_Core_SinapUm")
SEED_PROJECT = "e2e_core_sinapum"
SHARED_COMPOSE = CORE / "docker-compose.yml"
OLD_ENV = CORE / "services" / "chatwoot_service" / ".env"
PREFIX = "e2e_sinapum"
OLD = {s: f"{PREFIX}_chatwoot_{s}" for s in ("postgres", "redis", "rails", "sidekiq")}
OTHER = f"{PREFIX}_cache"
VOLUMES = {s: f"{SEED_PROJECT}_chatwoot_{s}_data" for s in ("postgres", "redis", "storage")}
NETWORK = f"{SEED_PROJECT}_mcp_network"
STATE = Path(AV["chatwoot_state_dir"])
BACKUPS = Path(AV["chatwoot_backup_dir"])
SECRET_KEY_BASE = hashlib.sha512(b"sinapum-seed").hexdigest()
FRONTEND_URL = f"http://localhost:{AV['chatwoot_rails_port']}"
# The seed's images are the report's names, given to the rig's stand-ins for the time of the test.
SEED_IMAGES = {"chatwoot/chatwoot:latest": "127.0.0.1:5000/chatwoot/chatwoot:v4.15.1",
               "pgvector/pgvector:pg16": "127.0.0.1:5000/pgvector/pgvector:pg17",
               "redis:7-alpine": "127.0.0.1:5000/redis:8"}
# An image that claims the running version and whose web dies at start (the stand-in's boot fault): name, source.
BROKEN = ("127.0.0.1:5000/e2e-broken/chatwoot:v4.15.1", "127.0.0.1:5000/chatwoot/chatwoot:v4.17.0-fault-boot")
LAYER_FILE = "zz/yy/avatar-from-url.png"
# What the deploy adds to any Chatwoot (tasks/admin.yml): its Platform App for automation, with the app's token and
# permissions. Left out of the tables' comparison, and counted on their own.
APP = "sinapum.chatwoot"
APP_IDS = f"(SELECT id FROM platform_apps WHERE name = '{APP}')"
ROLE_ROWS = {"platform_apps": f"name <> '{APP}'",
             "access_tokens": f"NOT (owner_type = 'PlatformApp' AND owner_id IN {APP_IDS})",
             "platform_app_permissibles": f"platform_app_id NOT IN {APP_IDS}"}


def adopt_playbook(*args, playbook="site.yml"):
    """A playbook with only the team's own choices (vars-adopt.yml): nothing about the old stack is told."""
    return ansible_playbook(playbook, "-e", f"@{VARS_FILE}", *args, timeout=1500)


def said(run):
    return " ".join(run.out.split())


def old_compose(*args, check=True):
    return sh("docker", "compose", "--project-directory", str(CORE), *args, check=check)


def psql(sql, container=OLD["postgres"]):
    return sh("docker", "exec", container, "psql", "-U", "chatwoot", "-d", "chatwoot", "-v", "ON_ERROR_STOP=1",
              "-tAc", sql).stdout.strip()


def redis(*args):
    return sh("docker", "exec", OLD["redis"], "sh", "-c", 'redis-cli -a "$0" --no-auth-warning "$@"',
              "sinapum_redis25", *args).stdout.strip()


def inspect(name, fmt):
    return sh("docker", "inspect", "--format", fmt, name).stdout.strip()


def identity(name):
    """The container as it is: id, start time, project and whether it runs."""
    return inspect(name, '{{.Id}} {{.State.StartedAt}} {{.State.Running}} {{index .Config.Labels "com.docker.compose.project"}}')


def tables():
    """Every table of the database: its columns and rows (but the deploy's own, ROLE_ROWS), checksummed in a fixed
    order."""
    names = psql("SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'").split()
    return {t: psql(f"SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), ''))"
                    f" || ':' || (SELECT md5(string_agg(attname, ',' ORDER BY attnum)) FROM pg_attribute"
                    f" WHERE attrelid = 'public.{t}'::regclass AND attnum > 0 AND NOT attisdropped) FROM public.{t} x"
                    f" WHERE {ROLE_ROWS.get(t, 'true')}")
            for t in names}


def apps():
    return psql(f"SELECT count(*) FROM platform_apps WHERE name = '{APP}'")


def uploads():
    """Path -> sha256 and mode of every file in the uploads volume."""
    out = sh("docker", "run", "--rm", "--network", "none", "-v", f"{VOLUMES['storage']}:/s:ro", "--entrypoint", "sh",
             SEED_IMAGES["pgvector/pgvector:pg16"], "-c",
             "cd /s && find . -type f -exec sha256sum {} + && find . -type f -exec stat -c '%a %n' {} +").stdout
    files = {}
    for line in out.splitlines():
        first, path = line.split(maxsplit=1)
        files.setdefault(path, []).append(first)
    return files


def remove_everything():
    """The collection's project (on the seed's volumes and network, once taken over), then the seed's stack."""
    remove_project({**AV, "chatwoot_network_name": NETWORK, **{f"chatwoot_{s}_volume": v for s, v in VOLUMES.items()}})
    if SHARED_COMPOSE.exists():
        old_compose("down", "--volumes", "--remove-orphans", check=False)
    names = [*OLD.values(), OTHER]
    sh("docker", "rm", "-f", "-v", *names, *(n + "-before-adoption" for n in names), check=False)
    sh("docker", "volume", "rm", "-f", *VOLUMES.values(), check=False)
    sh("docker", "network", "rm", NETWORK, check=False)
    sh("rm", "-rf", str(CORE.parent))


def wait_for(what, probe, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = probe()
            if result:
                return result
        except (subprocess.CalledProcessError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout} s")
        time.sleep(1)


def api(container=OLD["rails"]):
    return json.loads(sh("docker", "exec", container, "wget", "-q", "-O", "-", "http://127.0.0.1:3000/api").stdout)


def healthy_api():
    answer = api()
    return answer if answer["data_services"] == "ok" and answer["queue_services"] == "ok" else None


@pytest.fixture(scope="module")
def seed(request):
    """The team's stack, built by hand as they did, and used for a while."""
    lock_script_was_here = LOCK_SCRIPT.exists()
    held = local_image_refs()
    tagged = []

    def remove_all():
        remove_everything()
        remove_lock_script(lock_script_was_here)
        # The report's names given to the stand-ins, and what was pulled for them (the rig leaves the host without).
        brought = tagged + [source for name, source in [*SEED_IMAGES.items(), BROKEN] if name in tagged and source not in held]
        if brought:
            sh("docker", "rmi", *brought, check=False)

    remove_everything()
    # Registered before anything is built: the seed and the takeover go also when building the seed fails.
    request.addfinalizer(remove_all)
    for name, source in [*SEED_IMAGES.items(), BROKEN]:
        if sh("docker", "image", "inspect", name, check=False).returncode != 0:
            sh("docker", "pull", "--quiet", source)
            sh("docker", "tag", source, name)
            tagged.append(name)
    # Built as molecule/adopt builds it on a bare server: one recipe, tests/seed/build.yml.
    values = {"seed_dir": str(CORE), "seed_prefix": PREFIX, "seed_rails_port": AV["chatwoot_rails_port"],
              "seed_postgres_port": AV["chatwoot_postgres_port"], "seed_redis_port": AV["chatwoot_redis_port"],
              "seed_secret_key_base": SECRET_KEY_BASE, "seed_frontend_url": FRONTEND_URL, "seed_layer_file": LAYER_FILE}
    build = ansible_playbook(str(SEED / "build.yml"), "-e", json.dumps(values), timeout=600)
    assert build.rc == 0, build


def snapshot():
    return {"tables": tables(), "uploads": uploads(), "marker": redis("GET", "sinapum:seed-marker"),
            "other": identity(OTHER), "shared_compose": SHARED_COMPOSE.read_bytes(), "env": OLD_ENV.read_bytes()}


@pytest.mark.promise("stops_before_touching_what_it_did_not_make")
def test_without_adoption_the_run_stops_before_touching_anything(seed):  # pylint: disable=redefined-outer-name,unused-argument
    before = {n: identity(n) for n in [*OLD.values(), OTHER]}
    env = OLD_ENV.read_bytes(), OLD_ENV.stat().st_mode

    run = adopt_playbook()

    assert run.rc != 0, run
    text = said(run)
    for name in [*OLD.values(), *VOLUMES.values(), str(OLD_ENV), f"Compose project {SEED_PROJECT}", "chatwoot_adopt=true",
                 "Nothing was changed"]:
        assert name in text, (name, run)
    assert {n: identity(n) for n in before} == before
    assert (OLD_ENV.read_bytes(), OLD_ENV.stat().st_mode) == env
    assert not (OLD_ENV.parent / "docker-compose.yml").exists()
    assert not STATE.exists() and not BACKUPS.exists()
    assert not Path("/run/lock/sinapum-chatwoot", f"{AV['chatwoot_project_name']}.lock").exists()


@pytest.mark.promise("failed_takeover_puts_the_old_stack_back")
def test_an_adoption_onto_a_broken_image_puts_the_old_stack_back(seed):  # pylint: disable=redefined-outer-name,unused-argument
    before = snapshot()
    ids = {n: inspect(n, "{{.Id}}") for n in OLD.values()}

    run = adopt_playbook("-e", "chatwoot_adopt=true", "-e", "chatwoot_image_repository=e2e-broken/chatwoot",
                         "-e", "chatwoot_services_wait_timeout=45", "-e", "chatwoot_health_wait_timeout=45")

    assert run.rc != 0, run
    text = said(run)
    assert "The old stack is back" in text and "the database restored from the backup" in text, run
    backup = re.search(r"before anything else changed: (\S+)\.", text)
    assert backup and (Path(backup.group(1)) / "SHA256SUMS").exists(), run
    assert {n: inspect(n, "{{.Id}}") for n in OLD.values()} == ids, "not the same containers"
    for name in OLD.values():
        assert inspect(name, "{{.State.Running}}") == "true", name
    assert wait_for("the old web", healthy_api)["version"] == "4.15.1"
    after = snapshot()
    assert after["uploads"] == before["uploads"], run
    assert after == before
    assert apps() == "0"
    assert not (STATE / "adopted.json").exists()
    assert not list(OLD_ENV.parent.glob(".env.before-adoption-*")), run


@pytest.fixture(scope="module")
def adopted(seed):  # pylint: disable=redefined-outer-name,unused-argument
    before = snapshot()
    start = time.monotonic()
    run = adopt_playbook("-e", "chatwoot_adopt=true")
    print(f"adoption: {time.monotonic() - start:.0f} s")
    assert run.rc == 0, run
    return run, before


@pytest.mark.promise("takeover_keeps_every_row_and_file")
def test_adoption_keeps_every_row_and_file(adopted):  # pylint: disable=redefined-outer-name
    run, before = adopted
    assert tables() == before["tables"]
    files = uploads()
    assert {p: v for p, v in files.items() if p != f"./{LAYER_FILE}"} == before["uploads"]
    assert f"./{LAYER_FILE}" in files, files
    assert redis("GET", "sinapum:seed-marker") == before["marker"] == "kept"
    for name in OLD.values():
        assert inspect(name, '{{index .Config.Labels "com.docker.compose.project"}}') == AV["chatwoot_project_name"]
        assert sh("docker", "inspect", name + "-before-adoption", check=False).returncode != 0
    mounts = json.loads(inspect(OLD["postgres"], "{{json .Mounts}}"))
    assert [m["Name"] for m in mounts] == [VOLUMES["postgres"]]
    assert NETWORK in json.loads(inspect(OLD["rails"], "{{json .NetworkSettings.Networks}}"))
    answer = api()
    assert answer["data_services"] == answer["queue_services"] == "ok"
    # Onboarding stays closed: / does not send anyone to /installation/onboarding. The image's wget (BusyBox) follows
    # redirects and knows no --max-redirect (it printed its usage, which passed); -S shows each answer's Location.
    home = sh("docker", "exec", OLD["rails"], "wget", "-q", "-S", "-O", "/dev/null", "http://127.0.0.1:3000/",
              check=False).stderr
    assert "HTTP/" in home and "onboarding" not in home, home
    assert "identical" in said(run).lower(), run
    # The team's SuperAdmin did the onboarding: no second administrator, no second account (the tables above); the
    # deploy's Platform App is all it adds.
    assert "not a user there: left alone, no administrator and no account made" in said(run), run
    assert apps() == "1"


def container_env(name):
    return dict(e.split("=", 1) for e in json.loads(inspect(name, "{{json .Config.Env}}")))


@pytest.mark.promise("takeover_carries_every_setting")
def test_adoption_carries_every_setting(adopted):  # pylint: disable=redefined-outer-name
    run = adopted[0]
    for name in ("rails", "sidekiq"):
        env = container_env(OLD[name])
        assert env["SECRET_KEY_BASE"] == SECRET_KEY_BASE
        # Chatwoot takes the passwords from the URLs (the role gives web and worker the plain variables empty).
        assert unquote(urlsplit(env["DATABASE_URL"]).password) == "chatwoot_postgres_2025", env["DATABASE_URL"].split("@")[-1]
        # Rails 7.1.5 refuses a host with "_" in DATABASE_URL: the deploy's own names Postgres by its alias.
        assert urlsplit(env["DATABASE_URL"]).hostname == "chatwoot-postgres", env["DATABASE_URL"].split("@")[-1]
        assert unquote(urlsplit(env["REDIS_URL"]).password) == "sinapum_redis25"
        assert env["SMTP_ADDRESS"] == "smtp.sinapum.example" and env["SMTP_PASSWORD"] == "s3nh@ de e-mail, com espaço"
        assert env["MAILER_SENDER_EMAIL"] == "SinapUm Suporte <suporte@sinapum.example>"
        assert env["SLACK_CLIENT_ID"] == "2718281828.3141592653" and env["EVOLUTION_API_URL"] == "http://evolution_api:8080"
        assert env["DEFAULT_LOCALE"] == "pt_BR" and env["FRONTEND_URL"] == FRONTEND_URL
        assert env["SMTP_DOMAIN"] == "sinapum.example"
    unknown = re.search(r"Not known to this role \(carried all the same[^)]*\): ([^.]+)\.", said(run))
    assert unknown and set(unknown.group(1).split(", ")) == {"CHATWOOT_POSTGRES_PASSWORD", "CHATWOOT_REDIS_PASSWORD",
                                                             "EVOLUTION_API_URL"}, run
    assert "but not in the running containers (carried): SMTP_DOMAIN." in said(run), run
    # Sign-up, opened in the database (its row is what Chatwoot reads), stays open: the tables are identical too.
    assert "chatwoot_enable_account_signup=True" in said(run), run
    assert "sinapum_redis25" not in run.out and SECRET_KEY_BASE not in run.out


@pytest.mark.promise("takeover_leaves_the_rest_of_the_team_alone")
def test_adoption_leaves_the_rest_of_the_team_alone(adopted):  # pylint: disable=redefined-outer-name
    run, before = adopted
    assert identity(OTHER) == before["other"] and inspect(OTHER, "{{.State.Running}}") == "true"
    assert SHARED_COMPOSE.read_bytes() == before["shared_compose"]
    copies = sorted(OLD_ENV.parent.glob(".env.before-adoption-*"))
    assert len(copies) == 1, copies
    assert copies[0].read_bytes() == before["env"]
    assert oct(copies[0].stat().st_mode & 0o777) == "0o600" and copies[0].stat().st_uid == 0
    text = said(run)
    assert str(copies[0]) in text, run
    # The copies of this takeover (a failed one keeps its own, in a directory of its time).
    kept_in = re.search(r"Copies of the old files \(root only\): (\S+?)/files\b", text)
    assert kept_in and Path(kept_in.group(1)).parent == STATE / "adopted", run
    kept = Path(kept_in.group(1), "files", *SHARED_COMPOSE.parts[1:])
    assert kept.read_bytes() == before["shared_compose"]
    assert (f"Left to do in {SHARED_COMPOSE}: delete the services chatwoot_postgres, chatwoot_rails, chatwoot_redis, "
            "chatwoot_sidekiq and the volumes chatwoot_postgres_data, chatwoot_redis_data, chatwoot_storage_data") in text, run
    # restore.yml checks it (test_restore_accepts_the_takeovers_backup_for_the_adopted_volumes).
    assert re.search(r"The backup taken when the old web and worker had stopped: (\S+) ", text), run


@pytest.mark.promise("run_after_a_takeover_changes_nothing")
def test_the_next_run_changes_nothing(adopted):  # pylint: disable=redefined-outer-name,unused-argument
    run = adopt_playbook()
    assert run.rc == 0 and run.changed == 0, run


@pytest.mark.promise("takeover_backup_restores")
def test_restore_accepts_the_takeovers_backup_for_the_adopted_volumes(adopted):  # pylint: disable=redefined-outer-name
    # Check mode: restore.yml checks the backup (checksums, manifest, version) and says what it would replace, with
    # the adopted names; the rollback's test restores its database for real (40 s more to restore it all here).
    backup = re.search(r"The backup taken when the old web and worker had stopped: (\S+) ", said(adopted[0]))
    assert backup, adopted[0]

    check = adopt_playbook("--check", "-e", f"chatwoot_restore_backup={Path(backup.group(1)).name}",
                           playbook="playbooks/restore.yml")

    assert check.rc == 0 and check.changed == 0, check
    assert (f"Would restore {backup.group(1)} (Chatwoot " in said(check)
            and f"checksums good) on localhost with v4.15.1: the database chatwoot and the volume {VOLUMES['storage']} are"
            " replaced." in said(check)), check
