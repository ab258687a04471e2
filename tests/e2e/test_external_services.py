# SPDX-License-Identifier: GPL-3.0-or-later
"""Web and worker on an external Postgres and Redis: a Postgres 17 with pgvector whose application role is no
superuser (as on a managed service) and which speaks TLS, and a Redis with a password that speaks TLS only
(rediss://), both started here on the project's network, with certificates from a private CA of the tests' own:
Postgres is asked with sslmode verify-full, and Chatwoot verifies Redis' certificate (as it does unless
REDIS_OPENSSL_VERIFY_MODE is none)."""
import json
import re
import secrets as random_secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import REPO, _path, playbook, sh

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
# The private CA's file on the controller (this machine), set by the fixture.
CA = {}


def deploy(*extra, password=APP_PASSWORD):
    return playbook("-e", f"@{EXT_VARS_FILE}", "-e", f"chatwoot_postgres_password={password}",
                    "-e", f"chatwoot_redis_password={REDIS_PASSWORD}",
                    "-e", f"chatwoot_external_postgres_ca_file={CA['file']}",
                    "-e", f"chatwoot_external_redis_ca_file={CA['file']}", *extra)


def superuser_psql(sql, database=DATABASE):
    return sh("docker", "exec", PG, "psql", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql).stdout.strip()


def remove():
    if (PROJECT / "docker-compose.yml").exists():
        sh("docker", "compose", "--project-directory", str(PROJECT), "down", "--volumes", "--remove-orphans", check=False)
    sh("docker", "rm", "-f", "-v", PG, REDIS, *(f"{PREFIX}_{s}" for s in ("postgres", "redis", "rails", "sidekiq")), check=False)
    sh("docker", "volume", "rm", "-f", EV["chatwoot_storage_volume"], check=False)
    sh("docker", "network", "rm", NETWORK, check=False)
    # The lock's guard file outlives every run (roles/chatwoot/files/chatwoot-lock.sh): the tests' own goes too.
    sh("rm", "-rf", str(PROJECT), str(STATE),
       f"/run/lock/sinapum-chatwoot/{EV['chatwoot_project_name']}.lock.guard")


def project_containers():
    return sorted(sh("docker", "ps", "-a", "--filter", f"name=^{PREFIX}_", "--format", "{{.Names}}").stdout.split())


def leftover_ca_copies():
    """Temporary copies of the CA the preflight may leave on the host (tasks/preflight_services.yml)."""
    return sorted(str(p) for p in Path("/tmp").glob("ansible.*-postgres-ca.pem"))


def make_ca(tls):
    """A private CA, and a certificate it signs for both servers, naming them by their addresses (verify-full)."""
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Sinapum e2e private CA",
       "-keyout", str(tls / "ca-key.pem"), "-out", str(tls / "ca.pem"))
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=external.test",
       "-keyout", str(tls / "key.pem"), "-out", str(tls / "server.csr"))
    (tls / "san.ext").write_text(f"subjectAltName=IP:{PG_IP},IP:{REDIS_IP},DNS:external.test\n")
    sh("openssl", "x509", "-req", "-in", str(tls / "server.csr"), "-CA", str(tls / "ca.pem"), "-CAkey",
       str(tls / "ca-key.pem"), "-CAcreateserial", "-days", "2", "-extfile", str(tls / "san.ext"), "-out", str(tls / "cert.pem"))
    CA["file"] = str(tls / "ca.pem")


def redis_cli(*args, check=True):
    return sh("docker", "exec", "-e", f"REDISCLI_AUTH={REDIS_PASSWORD}", REDIS, "redis-cli", "--tls", "--insecure", *args,
              check=check).stdout


@pytest.fixture(scope="module")
def external(tmp_path_factory):
    remove()
    tls = tmp_path_factory.mktemp("external-tls")
    make_ca(tls)
    # Read by the redis user inside the container; a throwaway key.
    tls.chmod(0o755)
    (tls / "key.pem").chmod(0o644)
    # Outside Docker's default pools (172.17-31/16, 192.168/16): a network Docker gives an address itself, such as the
    # main e2e project's, can never take this range first.
    sh("docker", "network", "create", "--subnet", "10.199.251.0/24", NETWORK)
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


@pytest.mark.promise("a_verifying_mode_without_a_ca_is_refused_before_anything")
def test_a_verifying_mode_without_a_ca_is_refused_before_anything_changes(external):
    run = deploy("-e", "chatwoot_external_postgres_ca_file=")
    assert run.rc != 0, run
    message = " ".join(run.out.split())
    assert "chatwoot_external_postgres_ca_file: chatwoot_external_postgres_sslmode=verify-full verifies" in message, run
    assert not PROJECT.exists() and not STATE.exists() and project_containers() == []


@pytest.mark.promise("managed_postgres_role_without_rights_stops_the_deploy")
def test_a_role_that_may_not_create_vector_stops_the_deploy_with_the_dba_statements(external):
    run = deploy()
    assert run.rc != 0, run
    told = re.search(r"as a superuser \(psql\): (.*?) Then run this again", re.sub(r"\s+", " ", run.out))
    assert told, run
    TOLD["statements"] = re.split(r"(?<=;) |(?<=\") (?=CREATE)", told.group(1).strip())
    # pg_trgm and pgcrypto are trusted, so the database's owner creates them itself; these two need a superuser.
    assert TOLD["statements"] == ['\\connect "chatwoot_ext"', "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;",
                                  "CREATE EXTENSION IF NOT EXISTS vector;"], TOLD
    assert "Nothing was changed" in run.out, run
    assert APP_PASSWORD not in run.out and REDIS_PASSWORD not in run.out
    assert not PROJECT.exists() and not STATE.exists()
    assert project_containers() == []
    assert leftover_ca_copies() == []


def test_a_wrong_password_stops_the_deploy_and_is_never_shown(external):
    wrong = random_secrets.token_hex(16)
    run = deploy(password=wrong)
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
    assert f"POSTGRES_HOST='{PG_IP}'" in env and "PGSSLMODE='verify-full'" in env, env
    # The password goes to Chatwoot in the URL (hex: the same percent-encoded), the plain variables to the probes.
    assert f"REDIS_URL='rediss://:{REDIS_PASSWORD}@{REDIS_IP}:6379/0'" in env
    assert f"DATABASE_URL='postgresql://{USER}:{APP_PASSWORD}@{PG_IP}:{EV.get('chatwoot_external_postgres_port', 5432)}/{DATABASE}'" in env
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


def in_web(*argv, env=()):
    return sh("docker", "exec", *(a for pair in env for a in ("-e", pair)), f"{PREFIX}_rails", *argv, check=False)


# Connects to Redis over TLS with Ruby's default certificate store and the peer verified, as Chatwoot's client does.
RUBY_TLS = ("s = OpenSSL::SSL::SSLSocket.new(TCPSocket.new(ARGV[0], 6379), OpenSSL::SSL::SSLContext.new.tap { |c| "
            "c.set_params(verify_mode: OpenSSL::SSL::VERIFY_PEER) }); s.hostname = ARGV[0]; s.connect; "
            "s.post_connection_check(ARGV[0]); puts 'verified'")
# Verifies the first certificate of the image's own CA bundle with Ruby's default store: the system's CAs still count.
RUBY_SYSTEM_CA = ("b = File.read('/etc/ssl/certs/ca-certificates.crt')[/-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----/m]; "
                  "s = OpenSSL::X509::Store.new; s.set_default_paths; puts(s.verify(OpenSSL::X509::Certificate.new(b)) ? 'trusted' : 'untrusted')")


def health_module(**args):
    """sinapum.chatwoot.chatwoot_health, ad hoc on this machine, as the role calls it on the host."""
    proc = subprocess.run(["ansible", "localhost", "-o", "-m", "sinapum.chatwoot.chatwoot_health", "-a", json.dumps(args)],
                          cwd=REPO, env={"PATH": _path(), "ANSIBLE_NOCOLOR": "1"}, capture_output=True, text=True,
                          timeout=120, check=False)
    return json.loads(proc.stdout.split("=> ", 1)[1])


@pytest.mark.promise("the_private_ca_is_what_web_worker_and_the_probes_trust")
def test_the_private_ca_is_what_web_worker_and_the_probes_trust(external):
    ca = Path(CA["file"]).read_text()
    for path in (PROJECT / "ca" / "postgres-ca.pem", PROJECT / "ca" / "redis" / "ca.pem"):
        assert path.read_text() == ca and (path.stat().st_mode & 0o777, path.stat().st_uid) == (0o644, 0), path
    hashed = sorted(p.name for p in (PROJECT / "ca" / "redis").iterdir() if re.fullmatch(r"[0-9a-f]{8}\.0", p.name))
    assert len(hashed) == 1, hashed
    env = (PROJECT / ".env").read_text()
    assert "PGSSLROOTCERT='/etc/sinapum-chatwoot/ca/postgres-ca.pem'" in env, env
    assert "SSL_CERT_DIR='/etc/sinapum-chatwoot/ca/redis:/etc/ssl/certs'" in env, env
    assert "REDIS_OPENSSL_VERIFY_MODE" not in env, "Chatwoot verifies Redis' certificate only without it"

    # libpq in web verifies Postgres (verify-full) with the CA it was given, and cannot without it.
    query = ["psql", f"host={PG_IP} dbname={DATABASE} user={USER}", "-tAc", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"]
    assert in_web(*query, env=[f"PGPASSWORD={APP_PASSWORD}"]).stdout.strip() == "t"
    without = in_web(*query, env=[f"PGPASSWORD={APP_PASSWORD}", "PGSSLROOTCERT=/nonexistent.pem"])
    assert without.returncode != 0 and "root certificate file" in without.stderr, without.stderr

    # Ruby's OpenSSL in web verifies Redis' certificate with the CA, not without it, and still trusts the system's CAs.
    ruby = ["ruby", "-rsocket", "-ropenssl", "-e"]
    verified = in_web(*ruby, RUBY_TLS, REDIS_IP)
    assert verified.stdout.strip() == "verified", verified.stderr
    unverified = in_web(*ruby, RUBY_TLS, REDIS_IP, env=["SSL_CERT_DIR=/etc/ssl/certs"])
    assert unverified.returncode != 0 and "certificate verify failed" in unverified.stderr, unverified.stderr
    assert in_web(*ruby, RUBY_SYSTEM_CA).stdout.strip() == "trusted"

    # The health module verifies as Chatwoot does: with the installed CA Redis is ok, without it it is not.
    args = {"components": ["redis"], "env_file": str(PROJECT / ".env"), "redis_host": REDIS_IP, "redis_port": 6379}
    with_ca = health_module(**args, redis_ca_file=str(PROJECT / "ca" / "redis" / "ca.pem"))
    assert with_ca["components"]["redis"]["status"] == "ok", with_ca
    without_ca = health_module(**args)
    assert without_ca["components"]["redis"]["status"] == "failing", without_ca
    assert "certificate verify failed" in without_ca["components"]["redis"]["reason"], without_ca


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
