# SPDX-License-Identifier: GPL-3.0-or-later
"""Web and worker on an external Postgres and Redis: a Postgres 17 with pgvector whose application role is no
superuser (as on a managed service) and which speaks TLS, and a Redis with a password that speaks TLS only
(rediss://), both started here on the project's network."""
import json
import re
import secrets as random_secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import REPO, playbook, sh

EXT_VARS_FILE = REPO / "tests" / "e2e" / "vars-external.yml"
EV = yaml.safe_load(EXT_VARS_FILE.read_text())
PROJECT = Path(EV["chatwoot_project_dir"])
STATE = Path(EV["chatwoot_state_dir"])
PREFIX = EV["chatwoot_container_prefix"]
NETWORK = EV["chatwoot_network_name"]
PG, REDIS = "sinapum-e2e-external-pg", "sinapum-e2e-external-redis"
PG_IP, REDIS_IP = EV["chatwoot_external_postgres_host"], EV["chatwoot_external_redis_url"].split("//")[1].split(":")[0]
USER, DATABASE = EV["chatwoot_postgres_user"], EV["chatwoot_postgres_database"]
SUPER_PASSWORD = random_secrets.token_hex(16)
APP_PASSWORD = random_secrets.token_hex(16)
REDIS_PASSWORD = random_secrets.token_hex(16)
# What the refusal told the DBA to run, for the next test to run it.
TOLD = {}


def deploy(*extra):
    return playbook("-e", f"@{EXT_VARS_FILE}", "-e", f"chatwoot_postgres_password={APP_PASSWORD}",
                    "-e", f"chatwoot_redis_password={REDIS_PASSWORD}", *extra)


def superuser_psql(sql, database=DATABASE):
    return sh("docker", "exec", PG, "psql", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql).stdout.strip()


def remove():
    if (PROJECT / "docker-compose.yml").exists():
        sh("docker", "compose", "--project-directory", str(PROJECT), "down", "--volumes", "--remove-orphans", check=False)
    sh("docker", "rm", "-f", PG, REDIS, *(f"{PREFIX}_{s}" for s in ("postgres", "redis", "rails", "sidekiq")), check=False)
    sh("docker", "volume", "rm", "-f", EV["chatwoot_storage_volume"], check=False)
    sh("docker", "network", "rm", NETWORK, check=False)
    # The lock's guard file outlives every run (roles/chatwoot/files/chatwoot-lock.sh): the tests' own goes too.
    sh("rm", "-rf", str(PROJECT), str(STATE),
       f"/run/lock/sinapum-chatwoot/{EV['chatwoot_project_name']}.lock.guard")


def project_containers():
    return sorted(sh("docker", "ps", "-a", "--filter", f"name=^{PREFIX}_", "--format", "{{.Names}}").stdout.split())


def redis_cli(*args, check=True):
    return sh("docker", "exec", "-e", f"REDISCLI_AUTH={REDIS_PASSWORD}", REDIS, "redis-cli", "--tls", "--insecure", *args,
              check=check).stdout


@pytest.fixture(scope="module")
def external(tmp_path_factory):
    remove()
    tls = tmp_path_factory.mktemp("redis-tls")
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=redis.test",
       "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem"))
    # Read by the redis user inside the container; a throwaway key.
    tls.chmod(0o755)
    (tls / "key.pem").chmod(0o644)
    sh("docker", "network", "create", "--subnet", "172.30.251.0/24", NETWORK)
    # Postgres wants its key owned by itself and private: copied in before the server starts.
    sh("docker", "run", "-d", "--name", PG, "--network", NETWORK, "--ip", PG_IP, "-v", f"{tls}:/tls:ro",
       "-e", f"POSTGRES_PASSWORD={SUPER_PASSWORD}", "--entrypoint", "sh", "sinapum-rig/pgvector:pg17", "-c",
       "install -o postgres -g postgres -m 600 /tls/key.pem /tmp/key.pem && "
       "install -o postgres -g postgres -m 644 /tls/cert.pem /tmp/cert.pem && "
       "exec docker-entrypoint.sh postgres -c ssl=on -c ssl_cert_file=/tmp/cert.pem -c ssl_key_file=/tmp/key.pem")
    sh("docker", "run", "-d", "--name", REDIS, "--network", NETWORK, "--ip", REDIS_IP, "-v", f"{tls}:/tls:ro",
       "sinapum-rig/redis:8", "redis-server", "--requirepass", REDIS_PASSWORD, "--port", "0", "--tls-port", "6379",
       "--tls-cert-file", "/tls/cert.pem", "--tls-key-file", "/tls/key.pem", "--tls-auth-clients", "no")
    deadline = time.monotonic() + 60
    while sh("docker", "exec", PG, "pg_isready", "-h", "127.0.0.1", "-U", "postgres", check=False).returncode != 0:
        assert time.monotonic() < deadline, sh("docker", "logs", PG, check=False).stderr
        time.sleep(0.5)
    while "PONG" not in redis_cli("PING", check=False):
        assert time.monotonic() < deadline, sh("docker", "logs", REDIS, check=False).stdout
        time.sleep(0.5)
    # What a managed service hands out: a database owned by a role that may neither create databases nor extensions.
    superuser_psql(f"CREATE ROLE {USER} LOGIN PASSWORD '{APP_PASSWORD}'", "postgres")
    superuser_psql(f"CREATE DATABASE {DATABASE} OWNER {USER}", "postgres")
    # Chatwoot's role gets in over TLS only, so every connection that works proves PGSSLMODE was honoured.
    sh("docker", "exec", PG, "sh", "-c", f'sed -i "1i hostnossl all {USER} all reject" "$PGDATA/pg_hba.conf"')
    superuser_psql("SELECT pg_reload_conf()", "postgres")
    yield
    remove()


@pytest.mark.promise("managed_postgres_role_without_rights_stops_the_deploy")
def test_a_role_that_may_not_create_vector_stops_the_deploy_with_the_dba_statements(external):
    run = deploy()
    assert run.rc != 0, run
    told = re.search(r"as a superuser \(psql\): (.*?) Then run this again", re.sub(r"\s+", " ", run.out))
    assert told, run
    TOLD["statements"] = re.split(r"(?<=;) |(?<=\") (?=CREATE)", told.group(1).strip())
    assert TOLD["statements"] == ['\\connect "chatwoot_ext"', "CREATE EXTENSION IF NOT EXISTS vector;"], TOLD
    assert "Nothing was changed" in run.out, run
    assert APP_PASSWORD not in run.out and REDIS_PASSWORD not in run.out
    assert not PROJECT.exists() and not STATE.exists()
    assert project_containers() == []


def test_a_wrong_password_stops_the_deploy_and_is_never_shown(external):
    wrong = random_secrets.token_hex(16)
    run = playbook("-e", f"@{EXT_VARS_FILE}", "-e", f"chatwoot_postgres_password={wrong}",
                   "-e", f"chatwoot_redis_password={REDIS_PASSWORD}")
    assert run.rc != 0, run
    assert "not ready for Chatwoot" in run.out and "authentication failed for user chatwoot_app" in run.out, run
    assert wrong not in run.out and REDIS_PASSWORD not in run.out
    assert not PROJECT.exists() and project_containers() == []


@pytest.mark.promise("external_postgres_and_redis")
def test_after_the_dba_statements_web_and_worker_run_on_the_external_services(external):
    # The statements the refusal named, run as the DBA would: psql, as a superuser.
    subprocess.run(["docker", "exec", "-i", PG, "psql", "-U", "postgres", "-v", "ON_ERROR_STOP=1"],
                   input="\n".join(TOLD["statements"]) + "\n", text=True, capture_output=True, timeout=60, check=True)
    run = deploy()
    assert run.rc == 0 and run.failed == 0, run
    assert APP_PASSWORD not in run.out and REDIS_PASSWORD not in run.out
    assert project_containers() == [f"{PREFIX}_rails", f"{PREFIX}_sidekiq"]
    env = (PROJECT / ".env").read_text()
    assert f"POSTGRES_HOST='{PG_IP}'" in env and "PGSSLMODE='require'" in env, env
    assert f"REDIS_URL='rediss://{REDIS_IP}:6379/0'" in env
    with urllib.request.urlopen(f"http://127.0.0.1:{EV['chatwoot_rails_port']}/api", timeout=10) as resp:
        api = json.loads(resp.read())
    assert api["data_services"] == "ok" and api["queue_services"] == "ok", api
    # The server refuses the role without TLS: web and worker got in with it (PGSSLMODE reached libpq in them).
    plain = sh("docker", "exec", "-e", "PGSSLMODE=disable", "-e", f"PGPASSWORD={APP_PASSWORD}", PG, "psql", "-h", "127.0.0.1",
               "-U", USER, "-d", DATABASE, "-c", "SELECT 1", check=False)
    assert plain.returncode != 0 and "no encryption" in plain.stderr, plain.stderr
    # db:chatwoot_prepare loaded the schema into the external database, vector included.
    assert superuser_psql("SELECT to_regclass('public.ar_internal_metadata') IS NOT NULL") == "t"
    assert superuser_psql("SELECT count(*) FROM pg_extension WHERE extname = 'vector'") == "1"
    # The worker beats in the external Redis, over TLS (the server has no plain port).
    assert redis_cli("SMEMBERS", "processes").strip(), "no Sidekiq process registered in the external Redis"


def test_a_plain_text_connection_the_server_refuses_stops_the_run_before_anything_changes(external):
    env_before = (PROJECT / ".env").read_text()
    run = deploy("-e", "chatwoot_external_postgres_sslmode=disable")
    assert run.rc != 0 and "not ready for Chatwoot" in run.out and "no encryption" in run.out, run
    assert (PROJECT / ".env").read_text() == env_before


def test_a_second_run_changes_nothing(external):
    run = deploy()
    assert run.rc == 0 and run.changed == 0, run


def test_a_worker_alone_must_be_given_the_secrets_it_shares_with_web(external):
    run = deploy("-e", '{"chatwoot_components": ["sidekiq"]}')
    assert run.rc != 0, run
    assert "chatwoot_secret_key_base" in run.out and "chatwoot_active_record_encryption_primary_key" in run.out, run
    assert project_containers() == [f"{PREFIX}_rails", f"{PREFIX}_sidekiq"]
