# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_input_checks.py: each check of the chatwoot role's preflight on its own, on the role's defaults
(defaults/main.yml and vars/main.yml as the role reads them) with one value changed at a time."""
import copy
from pathlib import Path

import jinja2
import pytest
import yaml

from ansible_collections.sinapum.chatwoot.plugins.module_utils._deploy_plan import PlanError
from ansible_collections.sinapum.chatwoot.plugins.plugin_utils._input_checks import GROUPS, INPUTS, input_checks

ROLE = Path(__file__).resolve().parents[4] / "roles" / "chatwoot"
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
FACTS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
# The defaults that are templates, as a host named chat.example.org in no inventory group renders them.
RENDERED = {
    "inventory_hostname": "chat.example.org",
    "chatwoot_state_dir": "/var/lib/sinapum-chatwoot/chatwoot",
    "chatwoot_backup_dir": "/var/backups/chatwoot/chatwoot",
    "chatwoot_frontend_url": "http://chat.example.org:3001",
    "chatwoot_components": ["postgres", "redis", "rails", "sidekiq"],
    "__chatwoot_variable_names": ["chatwoot_rails_port", "chatwoot_hosts"],
    "__chatwoot_argument_specs_file": str(ROLE / "meta" / "argument_specs.yml"),
}
SMTP = {"SMTP_ADDRESS": "smtp.example.org"}


def values(**changes):
    base = {name: copy.deepcopy(DEFAULTS[name] if name in DEFAULTS else FACTS.get(name)) for name in INPUTS}
    base.update(RENDERED, chatwoot_extra_env=dict(SMTP))
    base.update(changes)
    return base


def problems(**changes):
    return input_checks(values(**changes))["problems"]


def test_the_role_reads_the_names_the_checks_read():
    assert FACTS["__chatwoot_input_names"] == list(INPUTS)
    assert {name for name in INPUTS if not name.startswith("__")} - set(DEFAULTS) == {"inventory_hostname"}
    assert set(RENDERED) - {"chatwoot_extra_env"} <= set(INPUTS)


def test_the_defaults_pass_with_a_mail_server_and_warn_without_one():
    assert input_checks(values()) == {"problems": [], "warnings": []}
    bare = input_checks(values(chatwoot_extra_env={}))
    assert bare["problems"] == []
    assert len(bare["warnings"]) == 1
    assert bare["warnings"][0].startswith("warning: chatwoot_extra_env has no SMTP_ADDRESS, so Chatwoot will hand mail")
    assert input_checks(values(chatwoot_extra_env={}, chatwoot_mail_warning="false"))["warnings"] == []


# (changes, the variable the one problem names, words of its message)
BAD = {
    "version_not_a_tag": ({"chatwoot_version": "v4 15"}, "chatwoot_version", "must be an image tag such as v4.15.1"),
    "version_floating": ({"chatwoot_version": "latest"}, "chatwoot_version", "'latest' moves under you"),
    "version_three": ({"chatwoot_version": "v3.16.0"}, "chatwoot_version", "v3.16.0 is older than Chatwoot 4.0"),
    "floating_maybe": ({"chatwoot_allow_floating_tag": "maybe"}, "chatwoot_allow_floating_tag", "must be true or false"),
    "repository_with_tag": ({"chatwoot_image_repository": "chatwoot/chatwoot:v4"}, "chatwoot_image_repository",
                            "without tag"),
    "postgres_image": ({"chatwoot_postgres_image": "PG"}, "chatwoot_postgres_image", "pgvector/pgvector:pg16, got PG"),
    "redis_image": ({"chatwoot_redis_image": ""}, "chatwoot_redis_image", "such as redis:7-alpine"),
    "registry": ({"chatwoot_image_registry": "https://registry"}, "chatwoot_image_registry", "must be empty or"),
    "pull_policy": ({"chatwoot_pull_policy": "never"}, "chatwoot_pull_policy", "got never"),
    "pull_retries_zero": ({"chatwoot_pull_retries": "0"}, "chatwoot_pull_retries", "at least 1"),
    "pull_delay_negative": ({"chatwoot_pull_delay": -1}, "chatwoot_pull_delay", "got -1"),
    "project_dir_system": ({"chatwoot_project_dir": "/etc"}, "chatwoot_project_dir", "not a system directory"),
    "project_dir_dots": ({"chatwoot_project_dir": "/opt/../etc"}, "chatwoot_project_dir", "absolute path"),
    "project_dir_dot": ({"chatwoot_project_dir": "/opt/./chatwoot"}, "chatwoot_project_dir", "absolute path"),
    "state_dir_same": ({"chatwoot_state_dir": "/opt/chatwoot"}, "chatwoot_state_dir", "different from chatwoot_project_dir"),
    "project_name": ({"chatwoot_project_name": "Chatwoot"}, "chatwoot_project_name", "Compose project name"),
    "container_prefix": ({"chatwoot_container_prefix": "-x"}, "chatwoot_container_prefix", "container name prefix"),
    "network": ({"chatwoot_network_name": "a b"}, "chatwoot_network_name", "Docker network name"),
    "volumes_same": ({"chatwoot_redis_volume": "chatwoot_postgres_data"},
                     "chatwoot_postgres_volume, chatwoot_redis_volume, chatwoot_storage_volume", "three different"),
    "volume_a_list": ({"chatwoot_storage_volume": ["a"]},
                      "chatwoot_postgres_volume, chatwoot_redis_volume, chatwoot_storage_volume", "three different"),
    "restart_policy_false": ({"chatwoot_restart_policy": False}, "chatwoot_restart_policy", "got False"),
    "bind_address_a_name": ({"chatwoot_postgres_bind_address": "localhost"},
                            "chatwoot_rails_bind_address, chatwoot_postgres_bind_address, chatwoot_redis_bind_address",
                            "IPv4 addresses"),
    "publish_maybe": ({"chatwoot_redis_publish": "maybe"},
                      "chatwoot_rails_publish, chatwoot_postgres_publish, chatwoot_redis_publish", "true or false"),
    "frontend_ftp": ({"chatwoot_frontend_url": "ftp://chat.example.org"}, "chatwoot_frontend_url",
                     "its scheme is not http or https"),
    "frontend_path": ({"chatwoot_frontend_url": "https://chat.example.org/chatwoot"}, "chatwoot_frontend_url",
                      "got 'https://chat.example.org/chatwoot': it has a path, query or fragment"),
    "frontend_trailing_slash": ({"chatwoot_frontend_url": "http://chat.example.org/"}, "chatwoot_frontend_url",
                                "no trailing / either"),
    "frontend_user": ({"chatwoot_frontend_url": "https://admin:secret@chat.example.org"}, "chatwoot_frontend_url",
                      "it has a user or password (user@host)"),
    "frontend_no_host": ({"chatwoot_frontend_url": "http://:3001"}, "chatwoot_frontend_url", "it names no host"),
    "frontend_port": ({"chatwoot_frontend_url": "http://chat.example.org:70000"}, "chatwoot_frontend_url",
                      "its port is not from 1 to 65535"),
    "frontend_space": ({"chatwoot_frontend_url": "http://exa mple.com"}, "chatwoot_frontend_url",
                       "it has spaces or control characters"),
    "frontend_newline": ({"chatwoot_frontend_url": "http://chat.example.org\n"}, "chatwoot_frontend_url",
                         "it has spaces or control characters"),
    "force_ssl_maybe": ({"chatwoot_force_ssl": "maybe"}, "chatwoot_force_ssl, chatwoot_enable_account_signup",
                        "true or false"),
    "postgres_user": ({"chatwoot_postgres_database": "Chat-woot"}, "chatwoot_postgres_user, chatwoot_postgres_database",
                      "PostgreSQL names"),
    "log_level": ({"chatwoot_log_level": "loud"}, "chatwoot_log_level", "got loud"),
    "sidekiq_concurrency": ({"chatwoot_sidekiq_concurrency": 101}, "chatwoot_sidekiq_concurrency", "from 1 to 100"),
    "storage_service": ({"chatwoot_active_storage_service": "s3"}, "chatwoot_active_storage_service", "got s3"),
    "extra_env_reserved": ({"chatwoot_extra_env": {**SMTP, "RAILS_ENV": "development"}}, "chatwoot_extra_env",
                           "not set by the role itself (RAILS_ENV,"),
    "extra_env_lower_case": ({"chatwoot_extra_env": {**SMTP, "smtp_port": "25"}}, "chatwoot_extra_env", "upper-case names"),
    "extra_env_line_break": ({"chatwoot_extra_env": {**SMTP, "FOO": "a\nB=c"}}, "chatwoot_extra_env", "no line break"),
    "extra_env_a_list_value": ({"chatwoot_extra_env": {**SMTP, "FOO": [1]}}, "chatwoot_extra_env", "single-line values"),
    "timeouts_zero": ({"chatwoot_health_wait_timeout": "0"},
                      "chatwoot_services_wait_timeout, chatwoot_health_wait_timeout, chatwoot_health_heartbeat_threshold",
                      "above 0"),
    "failure_log_lines": ({"chatwoot_failure_log_lines": "many"}, "chatwoot_failure_log_lines", "got many"),
    "rotate_without_password": ({"chatwoot_postgres_password_rotate": True}, "chatwoot_postgres_password_rotate",
                                "must be the new password"),
    "secret_with_a_tab": ({"chatwoot_secret_key_base": "x1Y2z3\t" * 8}, "chatwoot_secret_key_base",
                          "leave it empty to have a secret generated"),
    "secret_a_number": ({"chatwoot_postgres_password": 1234567890123456}, "chatwoot_postgres_password",
                        "quoted in YAML"),
    "registry_user_without_password": ({"chatwoot_image_registry_username": "bot", "chatwoot_image_registry": "r.example:5000"},
                                       "chatwoot_image_registry_username, chatwoot_image_registry_password",
                                       "give both"),
    "registry_user_without_registry": ({"chatwoot_image_registry_username": "bot", "chatwoot_image_registry_password": "pw"},
                                       "chatwoot_image_registry_username, chatwoot_image_registry_password", "(now '')"),
    "components_unknown": ({"chatwoot_components": ["postgres", "redis", "rails", "sidekiq", "web"]}, "chatwoot_components",
                           "got ['postgres', 'redis', 'rails', 'sidekiq', 'web']"),
    "components_twice": ({"chatwoot_components": ["postgres", "redis", "rails", "sidekiq", "rails"]}, "chatwoot_components",
                         "some of postgres"),
    "sslmode": ({"chatwoot_external_postgres_sslmode": "verify"}, "chatwoot_external_postgres_sslmode",
                "libpq's modes"),
    "ca_file_missing": ({"chatwoot_external_redis_ca_file": "/nonexistent/ca.pem"}, "chatwoot_external_redis_ca_file",
                        "got '/nonexistent/ca.pem'"),
    "smtp_port": ({"chatwoot_extra_env": {**SMTP, "SMTP_PORT": "587a"}}, "chatwoot_extra_env.SMTP_PORT", "got 587a"),
    "smtp_authentication": ({"chatwoot_extra_env": {**SMTP, "SMTP_AUTHENTICATION": "md5"}},
                            "chatwoot_extra_env.SMTP_AUTHENTICATION", "got md5"),
    "smtp_verify_mode": ({"chatwoot_extra_env": {**SMTP, "SMTP_OPENSSL_VERIFY_MODE": "all"}},
                         "chatwoot_extra_env.SMTP_OPENSSL_VERIFY_MODE", "client_once"),
    "smtp_ssl_yes": ({"chatwoot_extra_env": {**SMTP, "SMTP_SSL": "yes"}}, "chatwoot_extra_env", "SMTP_SSL, SMTP_TLS"),
    "smtp_username_alone": ({"chatwoot_extra_env": {**SMTP, "SMTP_USERNAME": "u"}}, "chatwoot_extra_env",
                            "SMTP_USERNAME and SMTP_PASSWORD go together"),
    "smtp_username_without_address": ({"chatwoot_extra_env": {"SMTP_USERNAME": "u", "SMTP_PASSWORD": "p"}},
                                      "chatwoot_extra_env", "SMTP_ADDRESS, the server it logs in to, is not"),
    "sender": ({"chatwoot_extra_env": {**SMTP, "MAILER_SENDER_EMAIL": "support"}}, "chatwoot_extra_env.MAILER_SENDER_EMAIL",
               "got support"),
    "storage_needs": ({"chatwoot_active_storage_service": "amazon"}, "chatwoot_extra_env",
                      "chatwoot_active_storage_service=amazon needs S3_BUCKET_NAME"),
    "storage_endpoint": ({"chatwoot_extra_env": {**SMTP, "STORAGE_ENDPOINT": "minio:9000"}},
                         "chatwoot_extra_env.STORAGE_ENDPOINT", "http(s)://"),
    "gcs_credentials_a_path": ({"chatwoot_extra_env": {**SMTP, "GCS_CREDENTIALS": "/etc/key.json"}},
                               "chatwoot_extra_env.GCS_CREDENTIALS", "not a path"),
    "admin_email_localhost": ({"chatwoot_admin_email": "a@localhost"}, "chatwoot_admin_email", "a@localhost is refused"),
    "admin_email_dots": ({"chatwoot_admin_email": "a..b@example.org"}, "chatwoot_admin_email", "got a..b@example.org"),
    "admin_password_weak": ({"chatwoot_admin_password": "password"}, "chatwoot_admin_password", "(value not shown)"),
    "admin_password_accent": ({"chatwoot_admin_password": "Pässw0rd!"}, "chatwoot_admin_password", "no accents"),
    "admin_name_blank": ({"chatwoot_admin_name": "  "}, "chatwoot_admin_name, chatwoot_account_name", "one line"),
    "installation_config_unknown": ({"chatwoot_installation_config": {"BRAND": "x", "LOGO": "y"}},
                                    "chatwoot_installation_config", "unknown: BRAND"),
    "installation_config_a_list": ({"chatwoot_installation_config": ["LOGO"]}, "chatwoot_installation_config",
                                   "unknown: not a dictionary"),
    "installation_config_boolean": ({"chatwoot_installation_config": {"ENABLE_ACCOUNT_SIGNUP": "sometimes"}},
                                    "chatwoot_installation_config", "ENABLE_ACCOUNT_SIGNUP: Chatwoot types these boolean"),
    "rotate_tokens_maybe": ({"chatwoot_rotate_tokens": "maybe"},
                            "chatwoot_enable_account_signup, chatwoot_platform_app, chatwoot_rotate_tokens", "true or false"),
}


def test_several_mistakes_come_at_once_in_the_groups_order():
    found = problems(chatwoot_admin_email="x", chatwoot_rails_port=70000, chatwoot_version="latest")
    assert [line.split(":")[0] for line in found] == [
        "chatwoot_version", "chatwoot_rails_port, chatwoot_postgres_port, chatwoot_redis_port", "chatwoot_admin_email"]
    assert "got [70000, 5435, 6381]" in found[1]


def test_ports_and_booleans_from_the_command_line_are_strings():
    assert problems(chatwoot_rails_port="3002", chatwoot_rails_publish="true", chatwoot_force_ssl="no",
                    chatwoot_pull_retries="3", chatwoot_postgres_password_rotate="0") == []
    assert problems(chatwoot_postgres_port="3001")[0].startswith("chatwoot_rails_port, chatwoot_postgres_port, ")
    # A port published twice is a clash only where both are published.
    assert problems(chatwoot_postgres_port=3001, chatwoot_postgres_publish="false") == []


def test_a_floating_tag_passes_on_purpose_and_counts_as_the_newest():
    assert problems(chatwoot_version="latest", chatwoot_allow_floating_tag="true") == []
    assert problems(chatwoot_version="v4.0.0") == []
    assert problems(chatwoot_version="4.10.0-ce") == []


def test_components_not_a_list_is_named_first():
    found = problems(chatwoot_components="all")
    assert found[0].startswith("chatwoot_components: must list the services this host runs"), found
    assert found[0].endswith("got all"), found


def test_force_ssl_needs_https():
    found = problems(chatwoot_force_ssl=True)
    assert found == ["chatwoot_force_ssl: is true, so chatwoot_frontend_url must start with https://"]
    assert problems(chatwoot_force_ssl=True, chatwoot_frontend_url="https://chat.example.org") == []


@pytest.mark.parametrize("text", ["/" + "a b " * 40, "/ " + "x" * 83, "/ " + "x" * 84, "/" + "ab " * 30 + "x" * 60])
def test_a_long_value_is_cut_as_jinja_truncate_cuts_it(text):
    expected = jinja2.Environment().from_string("{{ text | truncate(80) }}").render(text=text)
    assert problems(chatwoot_project_dir=text)[0].endswith(", got " + expected)


def test_secrets_any_printable_text_and_weak_ones_are_warned_about():
    strong = "Aa1!" * 4 + "bcdefgh"
    check = input_checks(values(chatwoot_redis_password="short", chatwoot_postgres_password=strong,
                                chatwoot_secret_key_base="q" * 40))
    assert check["problems"] == []
    assert check["warnings"] == [
        "warning: chatwoot_secret_key_base, chatwoot_redis_password are weak (shorter than 16 characters, 32 for "
        "chatwoot_secret_key_base, or fewer than 8 different ones). Used as given; change it where it is used when you "
        "can (for Postgres with chatwoot_postgres_password_rotate)."]
    assert problems(chatwoot_redis_password="pass word $ \\ # 'quoted'") == []


def test_several_bad_secrets_are_named_in_one_line():
    found = problems(chatwoot_redis_password="a\nb", chatwoot_active_record_encryption_primary_key=["k"])
    assert found[0].startswith("chatwoot_redis_password, chatwoot_active_record_encryption_primary_key: leave it empty")


def test_the_proxy_is_checked_only_when_enabled(tmp_path):
    proxy = {"chatwoot_proxy_enabled": True, "chatwoot_proxy_hostname": "chat.example.org", "chatwoot_proxy_tls": "none",
             "chatwoot_frontend_url": "http://chat.example.org", "chatwoot_admin_email": "admin@example.org"}
    assert problems(chatwoot_proxy_hostname="not a host") == []
    assert problems(**proxy) == []
    assert problems(**{**proxy, "chatwoot_frontend_url": "http://chat.example.org:8080"}) == [
        "chatwoot_frontend_url: must be the proxy's address, http://chat.example.org, got http://chat.example.org:8080: "
        "Chatwoot builds links, mail and websocket addresses from it"]
    assert problems(**{**proxy, "chatwoot_force_ssl": True})[-1].startswith(
        "chatwoot_force_ssl: is true while chatwoot_proxy_tls=none")
    assert problems(**{**proxy, "chatwoot_proxy_http_port": 3001})[0] == (
        "chatwoot_proxy_http_port, chatwoot_proxy_https_port: clash with a port already published by this project: "
        "3001, 5435, 6381")
    assert problems(**{**proxy, "chatwoot_proxy_tls": "acme", "chatwoot_frontend_url": "https://chat.example.org"}) == [
        "chatwoot_proxy_acme_email: with chatwoot_proxy_tls=acme the certificate authority needs a contact address, "
        "such as ops@example.com"]
    assert problems(**{**proxy, "chatwoot_admin_email": ""}) == [
        "chatwoot_admin_email: is needed with chatwoot_proxy_enabled: the proxy publishes web beyond this host, and "
        "without an administrator Chatwoot's onboarding page would make whoever reaches it first SuperAdmin"]
    assert problems(**{**proxy, "chatwoot_components": ["sidekiq"]})[0].startswith(
        "chatwoot_proxy_enabled: the proxy stands in front of web")
    files = {**proxy, "chatwoot_proxy_tls": "files", "chatwoot_frontend_url": "https://chat.example.org"}
    assert problems(**files)[0].startswith("chatwoot_proxy_tls_certificate, chatwoot_proxy_tls_key: with chatwoot_proxy_tls=files")
    (tmp_path / "c.pem").write_text("x")
    (tmp_path / "k.pem").write_text("x")
    assert problems(**files, chatwoot_proxy_tls_certificate=str(tmp_path / "c.pem"),
                    chatwoot_proxy_tls_key=str(tmp_path / "k.pem")) == []
    # A port out of range in the URL is named by the URL's own check, not a crash.
    assert problems(**{**proxy, "chatwoot_frontend_url": "http://chat.example.org:99999"})[0].startswith(
        "chatwoot_frontend_url: must be the public URL")


def test_split_hosts_name_what_they_must_share_and_where_the_others_are(tmp_path):
    web = {"chatwoot_components": ["rails"], "chatwoot_external_postgres_host": "db.internal",
           "chatwoot_external_redis_url": "redis://db.internal:6379/0"}
    found = problems(**web)
    assert found == [
        "chatwoot_postgres_password, chatwoot_redis_password, chatwoot_secret_key_base, "
        "chatwoot_active_record_encryption_primary_key, chatwoot_active_record_encryption_deterministic_key, "
        "chatwoot_active_record_encryption_key_derivation_salt: this host runs rails, and shares these secrets with the "
        "hosts that run the rest: set them to the same values for all of them (from ansible-vault), or each host would "
        "generate its own"]
    shared = {name: "Shared-secret-0123456789abcdef-XYZ" for name in found[0].split(":")[0].split(", ")}
    check = input_checks(values(**web, **shared))
    assert check["problems"] == []
    assert len(check["warnings"]) == 1
    assert check["warnings"][0].startswith("warning: chatwoot_active_storage_service=local keeps uploads in a volume of "
                                           "this host, which runs only rails: web and worker")
    assert problems(**shared, chatwoot_components=["rails"], chatwoot_external_redis_url="redis://:pw@db:6379") == [
        "chatwoot_external_postgres_host: this host does not run postgres, so it needs the address of the Postgres it "
        "uses (a host name or IP address), got ''",
        "chatwoot_external_redis_url: this host does not run redis, so it needs the URL of the Redis it uses: "
        "redis://host:port/db, or rediss:// for TLS, with the password in chatwoot_redis_password and not in the URL, "
        "got 'redis://(hidden)@db:6379'"]
    assert problems(**web, **shared, chatwoot_external_postgres_sslmode="verify-full")[0].startswith(
        "chatwoot_external_postgres_ca_file: chatwoot_external_postgres_sslmode=verify-full verifies")
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n")
    assert problems(**web, **shared, chatwoot_external_postgres_sslmode="verify-full",
                    chatwoot_external_postgres_ca_file=str(ca)) == []
    # A database host that runs both postgres and redis, and neither web nor worker, shares the two passwords.
    assert problems(chatwoot_components=["postgres", "redis"])[0].startswith(
        "chatwoot_postgres_password, chatwoot_redis_password: this host runs postgres, redis,")


def test_names_chatwoot_does_not_read_are_warned_about_not_refused():
    check = input_checks(values(chatwoot_extra_env={**SMTP, "SMTP_PROT": "25", "CW_WHATEVER": "x"}))
    assert check["problems"] == []
    assert check["warnings"] == ["warning: chatwoot_extra_env sets SMTP_PROT, CW_WHATEVER, which Chatwoot does not read "
                                 "(a typo?). They are written to .env all the same."]


def test_groups_pick_the_checks():
    bad = values(chatwoot_admin_email="x", chatwoot_rails_port=0, chatwoot_extra_env={"SMTP_PORT": "x"})
    assert [p.split(":")[0] for p in input_checks(bad, ["inputs", "secrets"])["problems"]] == [
        "chatwoot_rails_port, chatwoot_postgres_port, chatwoot_redis_port"]
    assert [p.split(":")[0] for p in input_checks(bad, ["mail", "inputs"])["problems"]] == [
        "chatwoot_rails_port, chatwoot_postgres_port, chatwoot_redis_port", "chatwoot_extra_env.SMTP_PORT"]
    assert len(input_checks(bad, list(GROUPS[:8]))["problems"]) == 3


# The Day-2 entry points' groups: (groups, changes, the variable the one problem names, words of its message)
DAY2 = {
    "backup_dir_in_the_project": (["layout"], {"chatwoot_backup_dir": "/opt/chatwoot/backups"}, "chatwoot_backup_dir",
                                  "neither inside nor around chatwoot_project_dir"),
    "backup_dir_around_the_state": (["layout"], {"chatwoot_backup_dir": "/var/lib/sinapum-chatwoot"}, "chatwoot_backup_dir",
                                    "got /var/lib/sinapum-chatwoot"),
    "backup_dir_system": (["layout"], {"chatwoot_backup_dir": "/var/log"}, "chatwoot_backup_dir", "not a system directory"),
    "state_dir_media": (["layout"], {"chatwoot_state_dir": "/media"}, "chatwoot_state_dir", "(no . or .. in it), got /media"),
    "storage_volume": (["layout"], {"chatwoot_storage_volume": "-"}, "chatwoot_container_prefix, chatwoot_storage_volume",
                       "a container name prefix and a volume name"),
    "backup_keep": (["backup"], {"chatwoot_backup_keep": "0"}, "chatwoot_backup_keep", "how many backups are kept), got 0"),
    "backup_schedule": (["backup"], {"chatwoot_backup_schedule": "daily; rm -rf /"}, "chatwoot_backup_schedule",
                        "OnCalendar spec"),
    "backup_schedule_on_a_web_host": (["backup"], {"chatwoot_backup_schedule": "daily", "chatwoot_components": ["rails"]},
                                      "chatwoot_backup_schedule",
                                      "and chat.example.org runs rails: back up a split deployment's database"),
    "backup_fetch": (["backup"], {"chatwoot_backup_fetch": "maybe"}, "chatwoot_backup_fetch", "true or false"),
    "backup_fetch_dir": (["backup"], {"chatwoot_backup_fetch_dir": " "}, "chatwoot_backup_fetch_dir",
                         "a directory on the controller"),
    "bundled_db": (["bundled_db"], {"chatwoot_components": ["postgres", "redis"]}, "chatwoot_components",
                   "and chat.example.org runs postgres, redis:"),
    "restore_dots": (["restore"], {"chatwoot_restore_backup": ".."}, "chatwoot_restore_backup",
                     "a directory in /var/backups/chatwoot/chatwoot (such as 20260101T030000Z), got .."),
    "restore_a_path": (["restore"], {"chatwoot_restore_backup": "/etc"}, "chatwoot_restore_backup", "got /etc"),
    "logs_service": (["logs"], {"chatwoot_logs_service": "proxy"}, "chatwoot_logs_service",
                     "must be one of postgres, redis, rails, sidekiq, got proxy"),
    "logs_lines": (["logs"], {"chatwoot_logs_lines": 100001}, "chatwoot_logs_lines", "from 1 to 100000"),
    "runner_code": (["runner"], {"chatwoot_runner_code": "  "}, "chatwoot_runner_code", "make runner CODE="),
    "runner_on_a_worker": (["runner"], {"chatwoot_runner_code": "puts 1", "chatwoot_components": ["sidekiq"]},
                           "chatwoot_components", "chat.example.org runs sidekiq: limit the run to a web host (-l)"),
    "remove_maybe": (["remove"], {"chatwoot_remove_data": "maybe"}, "chatwoot_remove_data", "true or false"),
    "remove_data_unconfirmed": (["remove"], {"chatwoot_remove_data": True}, "chatwoot_remove_data, chatwoot_remove_data_confirm",
                                "got chatwoot_remove_data=True and chatwoot_remove_data_confirm=''. Set neither"),
    "remove_confirm_wrong": (["remove"], {"chatwoot_remove_data": "true", "chatwoot_remove_data_confirm": "other"},
                             "chatwoot_remove_data, chatwoot_remove_data_confirm", "needs both chatwoot_remove_data=true"),
    "remove_confirm_alone": (["remove"], {"chatwoot_remove_data_confirm": "chatwoot"},
                             "chatwoot_remove_data, chatwoot_remove_data_confirm", "of project chatwoot on chat.example.org"),
    "remove_project_dir": (["remove"], {"chatwoot_project_dir": "/mnt"}, "chatwoot_project_dir", "got /mnt"),
    "remove_volumes": (["remove"], {"chatwoot_redis_volume": "a/b"},
                       "chatwoot_postgres_volume, chatwoot_redis_volume, chatwoot_storage_volume", "Docker volume names"),
}


# A deploy's checks (groups None) and the Day-2 entry points' alike.
@pytest.mark.parametrize("groups,changes,var,words", [(None, *case) for case in BAD.values()] + list(DAY2.values()),
                         ids=list(BAD) + list(DAY2))
def test_each_mistake_is_one_line_that_names_its_variable(groups, changes, var, words):
    found = input_checks(values(**changes), groups)["problems"]
    assert len(found) == 1, found
    assert found[0].startswith(var + ": "), found
    assert words in found[0], found


def test_day2_defaults_pass_and_confirmed_removal_passes():
    runner = ("chatwoot_runner_code: must be the Ruby code rails runner runs in the web container, such as "
              "-e '{\"chatwoot_runner_code\": \"puts Account.count\"}' (make runner CODE='puts Account.count')")
    assert input_checks(values(), list(GROUPS[8:]))["problems"] == [runner]
    assert input_checks(values(chatwoot_remove_data="yes", chatwoot_remove_data_confirm="chatwoot"), ["remove"])["problems"] == []
    assert input_checks(values(chatwoot_logs_service="proxy", chatwoot_proxy_enabled=True), ["logs"])["problems"] == []


def test_a_deploy_checks_the_backups_too_and_says_a_line_once():
    found = problems(chatwoot_backup_keep=0, chatwoot_postgres_user="Chat")
    assert found == ["chatwoot_postgres_user, chatwoot_postgres_database: must be PostgreSQL names (lower-case letters, "
                     "digits, _; at most 63)",
                     "chatwoot_backup_keep: must be a whole number of at least 1 (how many backups are kept), got 0"]


@pytest.mark.parametrize("args", [("nope",), ({}, None), (values(), "inputs"), (values(), ["inputs", "typo"])])
def test_what_is_not_the_role_s_input_is_an_error_that_says_so(args):
    with pytest.raises(PlanError):
        input_checks(*args)


def test_a_deploy_names_the_state_directory_once():
    assert problems(chatwoot_state_dir="/var/log") == [
        "chatwoot_state_dir: must be an absolute path of its own (no . or .. in it), got /var/log"]
    assert problems(chatwoot_state_dir="/opt/chatwoot") == [
        "chatwoot_state_dir: must be an absolute path of its own, different from chatwoot_project_dir, got /opt/chatwoot"]
    assert problems(chatwoot_storage_volume="-") == [
        "chatwoot_postgres_volume, chatwoot_redis_volume, chatwoot_storage_volume: must be three different Docker volume "
        "names (letters, digits, _ . -)"]


def test_a_chatwoot_variable_the_role_does_not_know_is_refused_with_the_name_it_is_like():
    seen = ["chatwoot_rails_prot", "chatwoot_rails_port", "chatwoot_zzz", "chatwoot_config_accounts"]
    assert problems(__chatwoot_variable_names=seen) == [
        "chatwoot_rails_prot (did you mean chatwoot_rails_port?), chatwoot_zzz: not a variable of the "
        "sinapum.chatwoot.chatwoot role, so it would change nothing. Correct the name, or set "
        "chatwoot_unknown_variables=warn if your playbook uses such names of its own. Nothing was changed."]
    check = input_checks(values(__chatwoot_variable_names=seen, chatwoot_unknown_variables="warn"))
    assert check == {"problems": [], "warnings": [
        "warning: chatwoot_rails_prot (did you mean chatwoot_rails_port?), chatwoot_zzz: not a variable of the "
        "sinapum.chatwoot.chatwoot role, so it changes nothing."]}
    # Every entry point's options are known, not only the deploy's.
    assert problems(__chatwoot_variable_names=["chatwoot_restore_backup", "chatwoot_logs_lines"]) == []
    assert problems(chatwoot_unknown_variables="ignore", __chatwoot_variable_names=seen) == [
        "chatwoot_unknown_variables: must be refuse or warn, got ignore"]


def test_argument_specs_that_cannot_be_read_are_an_error_that_says_so(tmp_path):
    with pytest.raises(PlanError, match="cannot read the argument specs"):
        input_checks(values(__chatwoot_argument_specs_file=str(tmp_path / "none.yml")))
