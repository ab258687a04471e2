# SPDX-License-Identifier: GPL-3.0-or-later
"""The bad input catalogue: every entry point refuses each invalid value before anything on the host changes,
with a message that names the variable.

Each playbook runs once with every case of its own as a separate inventory host (all of them this machine, over
the local connection, on the tests' deployed project): a host's variables are its own, so the cases stay
independent, and the catalogue costs one ansible-playbook per entry point instead of one per case. The snapshot
of the project's files, containers, volumes, network and backup schedule taken before is compared after.
"""
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, VARS, _path, playbook, sh

PROJECT = Path(VARS["chatwoot_project_dir"])
STATE = Path(VARS["chatwoot_state_dir"])
BACKUPS = Path(VARS.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{VARS['chatwoot_project_name']}"))
PREFIX = VARS["chatwoot_container_prefix"]
VOLUMES = [VARS[v] for v in ("chatwoot_postgres_volume", "chatwoot_redis_volume", "chatwoot_storage_volume")]
SCHEDULE = [Path(p.format(VARS["chatwoot_project_name"])) for p in (
    "/usr/local/sbin/chatwoot-backup-{}", "/etc/systemd/system/chatwoot-backup-{}.service",
    "/etc/systemd/system/chatwoot-backup-{}.timer", "/etc/cron.d/chatwoot-backup-{}")]
# The tasks a bad value may stop at: the argument specs, the role's checks, docker_engine's check, the one that
# compares an imposed Postgres password with the one the existing database was initialised with, and chatwoot_config's
# check of its structure against Chatwoot's rules.
CHECK_TASKS = ("Validating arguments against arg spec", "Check the ", "Refuse to guess a Postgres password",
               "Check chatwoot_config_accounts")
PORT = VARS["chatwoot_rails_port"]
# The chatwoot role's first task in site.yml (its argument specs; the preflight follows).
SITE_CHECKS_START = "Validating arguments against arg spec 'main' - Deploy Chatwoot*"


def _account(**lists):
    """chatwoot_config_accounts with one account holding the given lists (configure.yml's cases)."""
    return {"chatwoot_config_accounts": [{"name": "SinapUm Support", **lists}]}


# entry point -> {case id: (the host's variables, the variable the message must name)}
CATALOGUE = {
    "site.yml": {
        "rails_port_out_of_range": ({"chatwoot_rails_port": 70000}, "chatwoot_rails_port"),
        "postgres_port_zero": ({"chatwoot_postgres_port": 0}, "chatwoot_postgres_port"),
        "redis_port_negative": ({"chatwoot_redis_port": -6379}, "chatwoot_redis_port"),
        "redis_port_a_word": ({"chatwoot_redis_port": "redis"}, "chatwoot_redis_port"),
        "rails_port_a_list": ({"chatwoot_rails_port": [PORT]}, "chatwoot_rails_port"),
        "postgres_port_same_as_rails": ({"chatwoot_postgres_port": PORT}, "chatwoot_postgres_port"),
        "redis_port_same_as_postgres": ({"chatwoot_redis_port": VARS["chatwoot_postgres_port"]}, "chatwoot_redis_port"),
        "bind_address_a_host_name": ({"chatwoot_postgres_bind_address": "localhost"}, "chatwoot_postgres_bind_address"),
        "publish_maybe": ({"chatwoot_redis_publish": "maybe"}, "chatwoot_redis_publish"),
        # Any printable text is a password (an existing server's is not the operator's to choose); a line break, a tab
        # or a NUL is not: .env holds one line, and C strings end at NUL.
        "redis_password_with_a_line_break": ({"chatwoot_redis_password": "pass\nREDIS_URL=redis://evil"}, "chatwoot_redis_password"),
        "secret_key_base_with_a_tab": ({"chatwoot_secret_key_base": "x1Y2z3\t" * 8}, "chatwoot_secret_key_base"),
        "encryption_key_with_a_nul": ({"chatwoot_active_record_encryption_primary_key": "k" * 31 + "\0"},
                                      "chatwoot_active_record_encryption_primary_key"),
        "postgres_password_a_number": ({"chatwoot_postgres_password": 12345678901234567890}, "chatwoot_postgres_password"),
        "postgres_password_differs_from_the_kept_one": ({"chatwoot_postgres_password": "a-different-password-1234"},
                                                        "chatwoot_postgres_password"),
        "postgres_password_rotate_without_a_password": ({"chatwoot_postgres_password_rotate": True},
                                                        "chatwoot_postgres_password_rotate"),
        "postgres_password_rotate_maybe": ({"chatwoot_postgres_password_rotate": "maybe"}, "chatwoot_postgres_password_rotate"),
        "frontend_url_not_a_url": ({"chatwoot_frontend_url": "not-a-url"}, "chatwoot_frontend_url"),
        "frontend_url_ftp": ({"chatwoot_frontend_url": "ftp://chat.example.org"}, "chatwoot_frontend_url"),
        "frontend_url_trailing_newline": ({"chatwoot_frontend_url": f"http://127.0.0.1:{PORT}\n"}, "chatwoot_frontend_url"),
        "frontend_url_injects_a_line": ({"chatwoot_frontend_url": f"http://127.0.0.1:{PORT}/\nRAILS_ENV=development"},
                                        "chatwoot_frontend_url"),
        # Chatwoot builds links as FRONTEND_URL + "/app/..." and compares request hosts with URI.parse(FRONTEND_URL).host.
        "frontend_url_with_a_space": ({"chatwoot_frontend_url": "http://exa mple.com"}, "chatwoot_frontend_url"),
        "frontend_url_with_a_path": ({"chatwoot_frontend_url": "https://chat.example.org/chatwoot"}, "chatwoot_frontend_url"),
        "frontend_url_trailing_slash": ({"chatwoot_frontend_url": f"http://127.0.0.1:{PORT}/"}, "chatwoot_frontend_url"),
        "frontend_url_with_userinfo": ({"chatwoot_frontend_url": "https://admin:secret@chat.example.org"},
                                       "chatwoot_frontend_url"),
        "frontend_url_without_host": ({"chatwoot_frontend_url": f"http://:{PORT}"}, "chatwoot_frontend_url"),
        "frontend_url_port_out_of_range": ({"chatwoot_frontend_url": "http://chat.example.org:70000"}, "chatwoot_frontend_url"),
        "frontend_url_javascript": ({"chatwoot_frontend_url": "javascript://chat.example.org"}, "chatwoot_frontend_url"),
        "variable_name_misspelt": ({"chatwoot_rails_prot": 3005}, "chatwoot_rails_port"),
        "unknown_variables_neither_refuse_nor_warn": ({"chatwoot_unknown_variables": "ignore"}, "chatwoot_unknown_variables"),
        "force_ssl_over_http": ({"chatwoot_force_ssl": True}, "chatwoot_force_ssl"),
        "postgres_image_not_a_reference": ({"chatwoot_postgres_image": "Not A Reference"}, "chatwoot_postgres_image"),
        "redis_image_two_colons": ({"chatwoot_redis_image": "redis::8"}, "chatwoot_redis_image"),
        "repository_with_a_tag": ({"chatwoot_image_repository": "chatwoot/chatwoot:v4.15.1"}, "chatwoot_image_repository"),
        "version_with_a_command": ({"chatwoot_version": "v4.15.1; rm -rf /"}, "chatwoot_version"),
        "version_trailing_newline": ({"chatwoot_version": "v4.15.1\n"}, "chatwoot_version"),
        "version_before_4": ({"chatwoot_version": "v3.16.0"}, "chatwoot_version"),
        "latest_without_opt_in": ({"chatwoot_version": "latest"}, "chatwoot_allow_floating_tag"),
        "registry_with_a_scheme": ({"chatwoot_image_registry": "http://127.0.0.1:5000"}, "chatwoot_image_registry"),
        "storage_service_unknown": ({"chatwoot_active_storage_service": "dropbox"}, "chatwoot_active_storage_service"),
        "project_dir_relative": ({"chatwoot_project_dir": "relative/path"}, "chatwoot_project_dir"),
        "project_dir_root": ({"chatwoot_project_dir": "/"}, "chatwoot_project_dir"),
        "project_dir_etc": ({"chatwoot_project_dir": "/etc"}, "chatwoot_project_dir"),
        "project_dir_dot_dot": ({"chatwoot_project_dir": "/opt/../etc"}, "chatwoot_project_dir"),
        "project_dir_space": ({"chatwoot_project_dir": "/opt/chatwoot a1"}, "chatwoot_project_dir"),
        "project_dir_newline": ({"chatwoot_project_dir": "/opt/chatwoot-a1\n"}, "chatwoot_project_dir"),
        "project_dir_a_dict": ({"chatwoot_project_dir": {"path": "/opt/chatwoot-a1"}}, "chatwoot_project_dir"),
        "state_dir_is_project_dir": ({"chatwoot_state_dir": VARS["chatwoot_project_dir"]}, "chatwoot_state_dir"),
        "state_dir_var_lib": ({"chatwoot_state_dir": "/var/lib"}, "chatwoot_state_dir"),
        "project_name_upper_case": ({"chatwoot_project_name": "Chatwoot A1"}, "chatwoot_project_name"),
        "container_prefix_slash": ({"chatwoot_container_prefix": "a1/chatwoot"}, "chatwoot_container_prefix"),
        "network_name_empty": ({"chatwoot_network_name": ""}, "chatwoot_network_name"),
        "volumes_shared": ({"chatwoot_redis_volume": VARS["chatwoot_postgres_volume"]}, "chatwoot_redis_volume"),
        "restart_policy_unknown": ({"chatwoot_restart_policy": "sometimes"}, "chatwoot_restart_policy"),
        "log_level_unknown": ({"chatwoot_log_level": "verbose"}, "chatwoot_log_level"),
        "sidekiq_concurrency_zero": ({"chatwoot_sidekiq_concurrency": 0}, "chatwoot_sidekiq_concurrency"),
        "health_timeout_a_word": ({"chatwoot_health_wait_timeout": "soon"}, "chatwoot_health_wait_timeout"),
        "pull_delay_negative": ({"chatwoot_pull_delay": -1}, "chatwoot_pull_delay"),
        "failure_log_lines_zero": ({"chatwoot_failure_log_lines": 0}, "chatwoot_failure_log_lines"),
        "upgrade_backup_perhaps": ({"chatwoot_upgrade_backup": "perhaps"}, "chatwoot_upgrade_backup"),
        "extra_env_a_string": ({"chatwoot_extra_env": "SMTP_PORT=587"}, "chatwoot_extra_env"),
        "extra_env_lower_case_name": ({"chatwoot_extra_env": {"smtp_port": 587}}, "chatwoot_extra_env"),
        "extra_env_overrides_a_secret": ({"chatwoot_extra_env": {"POSTGRES_PASSWORD": "mine"}}, "chatwoot_extra_env"),
        "extra_env_newline": ({"chatwoot_extra_env": {"SMTP_PASSWORD": "pass\nRAILS_ENV=development"}}, "chatwoot_extra_env"),
        "extra_env_carriage_return": ({"chatwoot_extra_env": {"SMTP_PASSWORD": "pass\rword"}}, "chatwoot_extra_env"),
        "extra_env_nul": ({"chatwoot_extra_env": {"SMTP_PASSWORD": "pass\0word"}}, "chatwoot_extra_env"),
        "extra_env_nested": ({"chatwoot_extra_env": {"SMTP_SETTINGS": {"port": 587}}}, "chatwoot_extra_env"),
        "backup_dir_inside_project": ({"chatwoot_backup_dir": f"{VARS['chatwoot_project_dir']}/backups"}, "chatwoot_backup_dir"),
        "backup_keep_zero": ({"chatwoot_backup_keep": 0}, "chatwoot_backup_keep"),
        "backup_schedule_with_a_command": ({"chatwoot_backup_schedule": "daily; reboot"}, "chatwoot_backup_schedule"),
        "storage_amazon_without_keys": ({"chatwoot_active_storage_service": "amazon",
                                         "chatwoot_extra_env": {"S3_BUCKET_NAME": "uploads"}}, "AWS_ACCESS_KEY_ID"),
        "storage_endpoint_not_a_url": ({"chatwoot_active_storage_service": "s3_compatible", "chatwoot_extra_env": {
            "STORAGE_BUCKET_NAME": "b", "STORAGE_ACCESS_KEY_ID": "k", "STORAGE_SECRET_ACCESS_KEY": "s",
            "STORAGE_REGION": "r", "STORAGE_ENDPOINT": "minio:9000"}}, "STORAGE_ENDPOINT"),
        "smtp_port_a_word": ({"chatwoot_extra_env": {"SMTP_ADDRESS": "smtp.example.org", "SMTP_PORT": "submission"}},
                             "SMTP_PORT"),
        "smtp_user_without_password": ({"chatwoot_extra_env": {"SMTP_ADDRESS": "smtp.example.org", "SMTP_USERNAME": "cw"}},
                                       "SMTP_PASSWORD"),
        "mailer_sender_not_an_address": ({"chatwoot_extra_env": {"MAILER_SENDER_EMAIL": "support"}}, "MAILER_SENDER_EMAIL"),
        "registry_user_without_password": ({"chatwoot_image_registry_username": "puller"}, "chatwoot_image_registry_password"),
        "proxy_frontend_url_elsewhere": ({"chatwoot_proxy_enabled": True, "chatwoot_proxy_hostname": "chat.example.org",
                                          "chatwoot_proxy_tls": "none", "chatwoot_proxy_http_port": 18080},
                                         "chatwoot_frontend_url"),
        "proxy_tls_unknown": ({"chatwoot_proxy_enabled": True, "chatwoot_proxy_hostname": "chat.example.org",
                               "chatwoot_proxy_tls": "self-signed"}, "chatwoot_proxy_tls"),
        "components_unknown": ({"chatwoot_components": ["rails", "nginx"]}, "chatwoot_components"),
        "components_empty": ({"chatwoot_components": []}, "chatwoot_components"),
        "external_postgres_host_missing": ({"chatwoot_components": ["redis", "rails", "sidekiq"]}, "chatwoot_external_postgres_host"),
        "external_postgres_host_a_url": ({"chatwoot_components": ["redis", "rails", "sidekiq"],
                                          "chatwoot_external_postgres_host": "postgres://db.example.org"},
                                         "chatwoot_external_postgres_host"),
        "external_postgres_sslmode_unknown": ({"chatwoot_external_postgres_sslmode": "on"}, "chatwoot_external_postgres_sslmode"),
        "external_postgres_verify_full_without_ca": ({"chatwoot_components": ["redis", "rails", "sidekiq"],
                                                      "chatwoot_external_postgres_host": "10.0.0.5",
                                                      "chatwoot_external_postgres_sslmode": "verify-full"},
                                                     "chatwoot_external_postgres_ca_file"),
        "external_redis_ca_file_missing": ({"chatwoot_external_redis_ca_file": "/nonexistent/redis-ca.pem"},
                                           "chatwoot_external_redis_ca_file"),
        "external_redis_url_with_password": ({"chatwoot_components": ["postgres", "rails", "sidekiq"],
                                              "chatwoot_external_redis_url": "redis://:hunter2hunter2@10.0.0.5:6379/0"},
                                             "chatwoot_external_redis_url"),
        "worker_alone_without_shared_secrets": ({"chatwoot_components": ["sidekiq"], "chatwoot_external_postgres_host": "10.0.0.5",
                                                 "chatwoot_external_redis_url": "redis://10.0.0.5:6379/0"},
                                                "chatwoot_secret_key_base"),
        # What Chatwoot's AccountBuilder and devise refuse, refused before anything changes (issue 14).
        "admin_email_domain_without_dot": ({"chatwoot_admin_email": "admin@localhost"}, "chatwoot_admin_email"),
        "admin_email_two_dots": ({"chatwoot_admin_email": "admin@example..org"}, "chatwoot_admin_email"),
        "admin_email_display_name": ({"chatwoot_admin_email": "Admin <admin@example.org>"}, "chatwoot_admin_email"),
        "admin_password_without_special": ({"chatwoot_admin_password": "Password123"}, "chatwoot_admin_password"),
        "admin_password_too_short": ({"chatwoot_admin_password": "Pa1!"}, "chatwoot_admin_password"),
        "admin_password_accented": ({"chatwoot_admin_password": "Pässword1!"}, "chatwoot_admin_password"),
        "installation_setting_unknown": ({"chatwoot_installation_config": {"ENABLE_SIGNUP": True}},
                                         "chatwoot_installation_config"),
        "installation_setting_boolean_a_word": ({"chatwoot_installation_config": {"ENABLE_ACCOUNT_SIGNUP": "maybe"}},
                                                "chatwoot_installation_config"),
        "admin_name_empty": ({"chatwoot_admin_name": ""}, "chatwoot_admin_name"),
        "proxy_without_admin_email": ({"chatwoot_admin_email": "", "chatwoot_proxy_enabled": True, "chatwoot_proxy_tls": "none",
                                       "chatwoot_proxy_hostname": "chat.example.org", "chatwoot_proxy_http_port": 18080,
                                       "chatwoot_frontend_url": "http://chat.example.org:18080"}, "chatwoot_admin_email"),
    },
    "playbooks/configure.yml": {
        "config_accounts_not_a_list": ({"chatwoot_config_accounts": "SinapUm Support"}, "chatwoot_config_accounts"),
        "config_channel_type_unknown": (_account(inboxes=[{"name": "Fax", "channel_type": "fax"}]), "channel_type"),
        "config_event_unknown": (_account(webhooks=[{"url": "https://hooks.example.org/cw",
                                                     "subscriptions": ["message_deleted"]}]), "subscriptions"),
        "config_agent_role_unknown": (_account(agents=[{"email": "carla@example.org", "role": "owner"}]), "role"),
        "config_webhook_url_javascript": (_account(webhooks=[{"url": "javascript:alert(1)"}]), "chatwoot_config_accounts"),
        "config_inbox_named_twice": (_account(inboxes=[{"name": "Site", "channel_type": "web_widget",
                                                        "channel": {"website_url": "https://example.org"}}] * 2),
                                     "chatwoot_config_accounts"),
    },
    "playbooks/backup.yml": {
        "backup_dir_system": ({"chatwoot_backup_dir": "/var/backups"}, "chatwoot_backup_dir"),
        "backup_dir_relative": ({"chatwoot_backup_dir": "backups"}, "chatwoot_backup_dir"),
        "backup_keep_a_word": ({"chatwoot_backup_keep": "seven"}, "chatwoot_backup_keep"),
        "backup_fetch_maybe": ({"chatwoot_backup_fetch": "maybe"}, "chatwoot_backup_fetch"),
        "backup_fetch_dir_empty": ({"chatwoot_backup_fetch_dir": " "}, "chatwoot_backup_fetch_dir"),
        "state_dir_dot_dot": ({"chatwoot_state_dir": "/var/lib/../etc"}, "chatwoot_state_dir"),
        "storage_volume_with_space": ({"chatwoot_storage_volume": "a1 storage"}, "chatwoot_storage_volume"),
        "host_without_postgres": ({"chatwoot_components": ["rails", "sidekiq"]}, "chatwoot_components"),
    },
    "playbooks/restore.yml": {
        "restore_parent_dirs": ({"chatwoot_restore_backup": "../../etc"}, "chatwoot_restore_backup"),
        "restore_through_a_backup": ({"chatwoot_restore_backup": "20260101T030000Z/../../../etc"}, "chatwoot_restore_backup"),
        "restore_dot_dot": ({"chatwoot_restore_backup": ".."}, "chatwoot_restore_backup"),
        "restore_absolute": ({"chatwoot_restore_backup": "/etc/passwd"}, "chatwoot_restore_backup"),
        "restore_trailing_newline": ({"chatwoot_restore_backup": "latest\n"}, "chatwoot_restore_backup"),
        "restore_latest_floating_tag": ({"chatwoot_version": "develop"}, "chatwoot_allow_floating_tag"),
        "restore_variable_name_misspelt": ({"chatwoot_restore_bakup": "latest"}, "chatwoot_restore_backup"),
    },
    "playbooks/health.yml": {
        "heartbeat_a_word": ({"chatwoot_health_heartbeat_threshold": "a minute"}, "chatwoot_health_heartbeat_threshold"),
        "rails_publish_maybe": ({"chatwoot_rails_publish": "maybe"}, "chatwoot_rails_publish"),
    },
    "playbooks/status.yml": {
        "status_rails_port_a_word": ({"chatwoot_rails_port": "web"}, "chatwoot_rails_port"),
    },
    "playbooks/logs.yml": {
        "logs_service_unknown": ({"chatwoot_logs_service": "all"}, "chatwoot_logs_service"),
        "logs_service_with_a_command": ({"chatwoot_logs_service": "rails; reboot"}, "chatwoot_logs_service"),
        "logs_lines_zero": ({"chatwoot_logs_lines": 0}, "chatwoot_logs_lines"),
        "logs_lines_too_many": ({"chatwoot_logs_lines": 1000001}, "chatwoot_logs_lines"),
        "logs_lines_with_an_option": ({"chatwoot_logs_lines": "100 --follow"}, "chatwoot_logs_lines"),
    },
    "playbooks/runner.yml": {
        "runner_without_code": ({"chatwoot_runner_code": ""}, "chatwoot_runner_code"),
        "runner_code_only_blanks": ({"chatwoot_runner_code": "  \n "}, "chatwoot_runner_code"),
        "runner_on_a_host_without_web": ({"chatwoot_components": ["postgres", "redis"], "chatwoot_runner_code": "puts 1"},
                                         "chatwoot_components"),
    },
    "playbooks/remove.yml": {
        "remove_data_without_confirmation": ({"chatwoot_remove_data": True}, "chatwoot_remove_data_confirm"),
        "remove_data_confirms_another_project": ({"chatwoot_remove_data": True, "chatwoot_remove_data_confirm": "chatwoot"},
                                                 "chatwoot_remove_data_confirm"),
        "remove_confirmation_alone": ({"chatwoot_remove_data_confirm": VARS["chatwoot_project_name"]},
                                      "chatwoot_remove_data"),
        "remove_project_dir_root": ({"chatwoot_project_dir": "/"}, "chatwoot_project_dir"),
        "remove_backup_dir_around_state": ({"chatwoot_backup_dir": "/var/lib/sinapum-chatwoot"}, "chatwoot_backup_dir"),
    },
}
CASES = [pytest.param(pb, case, id=f"{Path(pb).stem}-{case}") for pb, cases in CATALOGUE.items() for case in cases]


def _base_vars():
    """The tests' project as the local inventory configures it; each case then overrides one thing as a host var."""
    group_vars = yaml.safe_load((REPO / "inventories" / "local" / "group_vars" / "chatwoot.yml").read_text())
    # A case that wrongly passes the checks takes the project's lock, and one more such case would wait for it for the
    # default 30 minutes (the hosts run each task together): a short wait makes that a failure naming both cases.
    return {**group_vars, **VARS, "ansible_connection": "local", "chatwoot_lock_timeout": 20,
            "ansible_python_interpreter": "{{ ansible_playbook_python }}"}


def _run_catalogue(playbook, cases, workdir):
    """One ansible-playbook for all the cases of an entry point; site.yml's from the chatwoot role on, since the
    docker_engine role before it only looks at an engine that is there (its own cases are its tests')."""
    start = ["--start-at-task", SITE_CHECKS_START] if playbook == "site.yml" else []
    inventory = {"chatwoot": {"vars": _base_vars(), "hosts": {case: dict(spec[0]) for case, spec in cases.items()}}}
    inv = workdir / "inventory.yml"
    inv.write_text(yaml.safe_dump(inventory))
    env = {"PATH": _path(), "HOME": os.environ.get("HOME", "/root"), "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORKS": str(len(cases))}
    proc = subprocess.run(["ansible-playbook", "-i", str(inv), playbook, *start], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    (workdir / "stdout.json").write_text(proc.stdout)
    try:
        report = json.loads(proc.stdout)
    except ValueError as exc:
        raise AssertionError(f"{playbook}: no JSON report (rc={proc.returncode})\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}") from exc
    return proc.returncode, report


def _outcome(report, host):
    """The host's recap and the first failed task with the messages of what failed in it."""
    for play in report["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get(host)
            if result and result.get("failed"):
                failed_items = [r for r in result.get("results", []) if r.get("failed")]
                messages = [str(r.get("msg", "")) for r in failed_items] or [str(result.get("msg", ""))]
                if "argument_errors" in result:
                    messages += [str(e) for e in result["argument_errors"]]
                return report["stats"].get(host, {}), task["task"]["name"], "\n".join(messages)
    return report["stats"].get(host, {}), None, ""


def _tree(root):
    if not root.exists():
        return None
    out = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else None
        out[str(path)] = (st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, digest)
    return out


def snapshot():
    """What a run could change on this host for the tests' project: files, containers, volumes, network, schedule."""
    containers = sh("docker", "ps", "-a", "--filter", f"name=^{PREFIX}_", "--format", "{{.ID}}").stdout.split()
    inspected = sh("docker", "inspect", "--format", "{{.Name}} {{.Id}} {{.State.Status}} {{.State.StartedAt}} {{.RestartCount}}",
                   *containers).stdout.splitlines() if containers else []
    volumes = sh("docker", "volume", "inspect", "--format", "{{.Name}} {{.CreatedAt}}", *VOLUMES, check=False).stdout.split("\n")
    network = sh("docker", "network", "inspect", "--format", "{{.Id}}", VARS["chatwoot_network_name"], check=False).stdout
    return {"files": {str(d): _tree(d) for d in (PROJECT, STATE, BACKUPS)},
            "schedule": {str(p): _tree(p) for p in SCHEDULE},
            "containers": sorted(inspected), "volumes": sorted(volumes), "network": network}


def _named_paths():
    """Every path a case names, relative ones as the playbook would see them, and whether it is there."""
    paths = {Path(v) if v.startswith("/") else REPO / v for pb in CATALOGUE.values() for host_vars, _named in pb.values()
             for v in host_vars.values() if isinstance(v, str) and "/" in v and "://" not in v}
    return {str(p): p.exists() for p in paths}


def changes(before, after):
    """What differs between two snapshots, one line a thing, for the failure message."""
    out = []
    for key in before:
        if before[key] == after[key]:
            continue
        if key in ("files", "schedule"):
            for root in before[key]:
                old, new = before[key][root] or {}, after[key][root] or {}
                out += [f"{p}: {old.get(p)} -> {new.get(p)}" for p in sorted(set(old) | set(new)) if old.get(p) != new.get(p)]
        else:
            out.append(f"{key}: {before[key]} -> {after[key]}")
    return "\n".join(out)


@pytest.fixture(scope="module")
def catalogue(first_run, tmp_path_factory):  # pylint: disable=unused-argument,redefined-outer-name
    paths = _named_paths()
    reports, host = {}, {}
    for playbook, cases in CATALOGUE.items():
        before = snapshot()
        reports[playbook] = _run_catalogue(playbook, cases, tmp_path_factory.mktemp(Path(playbook).stem))
        host[playbook] = (before, snapshot())
    return reports, host, (paths, _named_paths())


def test_the_catalogue_covers_every_entry_point_with_thirty_cases_or_more():
    assert len(CASES) - sum(1 for c in CASES if c.marks) >= 30
    playbooks = {p.name for p in (REPO / "playbooks").glob("*.yml")}
    assert {Path(pb).name for pb in CATALOGUE} == playbooks, "an entry point without bad input cases"


@pytest.mark.promise("bad_input_refused")
@pytest.mark.parametrize("playbook,case", CASES)
def test_bad_input_stops_before_the_host_is_touched(catalogue, playbook, case):  # pylint: disable=redefined-outer-name
    reports, host, paths = catalogue
    rc, report = reports[playbook]
    assert rc != 0, f"{playbook} passed with every bad input"
    host_vars, named = CATALOGUE[playbook][case]
    stats, task, message = _outcome(report, case)
    assert task is not None, f"{case}: {host_vars} was accepted, recap {stats}"
    assert task.rpartition(" : ")[2].startswith(CHECK_TASKS), f"{case}: stopped at '{task}', not at a check: {message}"
    assert stats.get("changed") == 0, f"{case}: changed {stats.get('changed')} things before it stopped"
    assert named in message, f"{case}: the error does not name {named}:\n{message}"
    before, after = host[playbook]
    assert after == before, f"{playbook} changed the host:\n{changes(before, after)}"
    assert paths[1] == paths[0], "a path named by a case appeared or went"


@pytest.mark.promise("bad_input_refused")
@pytest.mark.parametrize("extra,named", [("chatwoot_rails_port=70000", "chatwoot_rails_port"),
                                         ("chatwoot_version=latest", "chatwoot_allow_floating_tag")])
def test_bad_input_on_the_command_line_stops_the_whole_site_yml(first_run, extra, named):  # pylint: disable=unused-argument
    """The whole of site.yml, docker_engine first, with -e's strings."""
    before = snapshot()
    run = playbook("-e", extra)
    assert run.rc != 0 and run.failed == 1, run
    assert run.changed == 0, run
    assert named in run.out.split("PLAY RECAP")[0].rpartition("TASK [")[2], run
    after = snapshot()
    assert after == before, f"{extra} changed the host:\n{changes(before, after)}"
