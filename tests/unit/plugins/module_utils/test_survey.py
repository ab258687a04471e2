# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What chatwoot_host_info's survey (module_utils/_survey.py) finds that a deploy would take, and what it reads of a
running stack to take it over, from Docker's inspect data."""
import hashlib
import json
from pathlib import Path

import pytest

from ansible_collections.sinapum.chatwoot.plugins.module_utils import _survey


@pytest.fixture(name="survey")
def fixture_survey():
    return _survey


def container(name, service, env, mounts=(), cmd=None, image="sha256:app", aliases=()):
    return {
        "Name": "/" + name, "Id": name + "-id", "Image": image,
        "Config": {"Env": env, "Cmd": cmd, "Image": "chatwoot/chatwoot:latest",
                   "Labels": {"com.docker.compose.project": "core_sinapum", "com.docker.compose.service": service}},
        "State": {"Status": "running", "Running": True},
        "Mounts": [{"Type": t, "Name": n, "Source": s, "Destination": d} for t, n, s, d in mounts],
        "NetworkSettings": {"Networks": {"core_sinapum_mcp_network": {"Aliases": list(aliases) + [service]}}},
        "HostConfig": {"PortBindings": {"3000/tcp": [{"HostIp": "", "HostPort": "3001"}]}, "RestartPolicy": {"Name": "always"}},
    }


COMPONENTS = {"postgres": "mcp_pg", "redis": "mcp_redis", "rails": "mcp_rails", "sidekiq": "mcp_sidekiq"}
IMAGE_ENV = {"sha256:app": ["PATH=/usr/bin", "RAILS_ENV=production", "BUNDLE_PATH=/gems"]}


def seed_stack(app_env, redis_cmd=("redis-server", "--requirepass", "sinapum_redis25")):
    return {
        "mcp_pg": container("mcp_pg", "chatwoot_postgres", ["POSTGRES_USER=chatwoot", "POSTGRES_DB=chatwoot", "POSTGRES_PASSWORD=pg-pw"],
                            [("volume", "core_sinapum_chatwoot_postgres_data", "/x", "/var/lib/postgresql/data")], image="sha256:pg"),
        "mcp_redis": container("mcp_redis", "chatwoot_redis", [], [("volume", "core_sinapum_chatwoot_redis_data", "/y", "/data")],
                               cmd=list(redis_cmd), image="sha256:redis"),
        "mcp_rails": container("mcp_rails", "chatwoot_rails", ["PATH=/usr/bin", "RAILS_ENV=production", "BUNDLE_PATH=/other"] + app_env,
                               [("volume", "core_sinapum_chatwoot_storage_data", "/z", "/app/storage")]),
        "mcp_sidekiq": container("mcp_sidekiq", "chatwoot_sidekiq", ["PATH=/usr/bin"] + app_env + ["LOG_LEVEL=debug"]),
    }


def test_the_stack_is_read_as_chatwoot_reads_its_environment(survey):
    app = ["SECRET_KEY_BASE=abc", "POSTGRES_HOST=chatwoot_postgres", "POSTGRES_USERNAME=chatwoot", "POSTGRES_PASSWORD=pg-pw",
           "POSTGRES_DATABASE=chatwoot", "REDIS_URL=redis://chatwoot_redis:6379", "SMTP_ADDRESS=smtp.x", "LOG_LEVEL=info"]
    read = survey.stack(seed_stack(app), COMPONENTS, IMAGE_ENV, {"version": "4.15.1"}, "16")
    # The image's own values are not the operator's; a value the operator changed is.
    assert "PATH" not in read["env"] and "RAILS_ENV" not in read["env"]
    assert read["env"]["BUNDLE_PATH"] == "/other"
    # Web wins where web and worker differ, and the difference is named.
    assert read["env"]["LOG_LEVEL"] == "info" and read["env_differ"] == ["LOG_LEVEL"]
    assert (read["postgres_user"], read["postgres_database"], read["postgres_password"]) == ("chatwoot", "chatwoot", "pg-pw")
    assert read["postgres_host"] in read["postgres_names"] and read["redis_host"] in read["redis_names"]
    assert read["redis_password"] == "sinapum_redis25"
    assert {c: m["name"] for c, m in read["mounts"].items()} == {
        "postgres": "core_sinapum_chatwoot_postgres_data", "redis": "core_sinapum_chatwoot_redis_data",
        "rails": "core_sinapum_chatwoot_storage_data"}
    assert read["networks"]["rails"] == ["core_sinapum_mcp_network"] and read["version"] == "4.15.1"
    assert read["ports"]["rails"] == ["0.0.0.0:3001->3000/tcp"] and read["pg_data_version"] == "16"


def test_database_url_wins_and_chatwoot_defaults_apply(survey):
    read = survey.stack(seed_stack(["DATABASE_URL=postgres://cw:p%40ss@db.example:5432/cwdb", "SECRET_KEY_BASE=abc"]),
                        COMPONENTS, IMAGE_ENV, {}, "")
    assert (read["postgres_host"], read["postgres_user"], read["postgres_database"], read["postgres_password"]) == (
        "db.example", "cw", "cwdb", "p@ss")
    assert read["postgres_host"] not in read["postgres_names"]
    # Without POSTGRES_* Chatwoot's config/database.yml production defaults hold, not the Postgres container's.
    read = survey.stack(seed_stack(["SECRET_KEY_BASE=abc", "REDIS_URL=redis://:url-pw@chatwoot_redis:6379"], redis_cmd=("redis-server",)),
                        COMPONENTS, IMAGE_ENV, {}, "")
    assert (read["postgres_user"], read["postgres_database"], read["postgres_host"]) == ("chatwoot_prod", "chatwoot_production", "localhost")
    assert read["redis_password"] == "url-pw"


def test_files_are_the_roles_by_their_marker_or_the_records_checksum(survey, tmp_path):
    marker = "Written by the sinapum.chatwoot role"
    (tmp_path / "ours").write_text(f"# {marker}\nA=1\n")
    (tmp_path / "old").write_text("A=2\n")
    (tmp_path / "theirs").write_text("A=3\n")
    record = tmp_path / "deployed.json"
    record.write_text(f'{{"composed": "{hashlib.sha1(b"A=2").hexdigest()} {hashlib.sha1(b"A=2" + bytes([10])).hexdigest()}"}}')
    seen = survey.looks_at_files([str(tmp_path / n) for n in ("ours", "old", "theirs", "absent")], str(record), marker)
    assert {Path(p).name: e["managed"] for p, e in seen.items()} == {"ours": True, "old": True, "theirs": False}


def test_a_database_url_host_with_an_underscore_is_read_as_the_old_web_reads_it(survey):
    # Rails 7.1.5 refuses the URL, Python reads it: the takeover only learns the old stack's login from it (the new
    # .env gets the role's own DATABASE_URL, on the alias chatwoot-postgres).
    read = survey.stack(seed_stack(["DATABASE_URL=postgres://chatwoot:pw@chatwoot_postgres:5432/chatwoot", "SECRET_KEY_BASE=abc"]),
                        COMPONENTS, IMAGE_ENV, {}, "")
    assert (read["postgres_host"], read["postgres_password"]) == ("chatwoot_postgres", "pw")
    assert read["postgres_host"] in read["postgres_names"]


@pytest.mark.parametrize("raw, value", [
    # Rails' YAML coder in the jsonb column, as psql's #>> '{}' gives it back.
    ("--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: false\n", "false"),
    ("--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: true\n", "true"),
    ("--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: api_only\n", "api_only"),
    ("--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: 'true'\n", "true"),
    ('{"value": true}', "true"),
    ("", ""),
])
def test_an_installation_setting_is_read_as_chatwoot_reads_its_row(survey, raw, value):
    assert survey.setting_value(raw) == value


class Engine:
    """Inspect data by name, and the answers of the processes run in containers (argv[0] -> (code, out, err))."""

    def __init__(self, containers, answers=None):
        self.containers = containers
        self.answers = answers or {}
        self.ran = []

    def inspect(self, name):
        return self.containers.get(name)

    def image_env(self, image):
        return IMAGE_ENV.get(image, [])

    def run_in(self, container, argv, timeout):
        self.ran.append((container, argv[0]))
        return self.answers.get(argv[0], (1, "", argv[0] + ": not found"))


def params(tmp_path, adopt=False, files=None):
    return {"project": "chatwoot", "compose_file": "/opt/chatwoot/docker-compose.yml", "marker": "Written by us",
            "adopt": adopt, "files": files or [], "components": COMPONENTS, "record": str(tmp_path / "none.json")}


def mine(name, service):
    info = container(name, service, [])
    info["Config"]["Labels"].update({"com.docker.compose.project": "chatwoot",
                                     "com.docker.compose.project.config_files": "/opt/chatwoot/docker-compose.yml"})
    return info


def test_no_engine_looks_at_the_files_only(survey, tmp_path):
    (tmp_path / ".env").write_text("A=1\n")
    out = survey.survey(params(tmp_path, adopt=True, files=[str(tmp_path / ".env")]), False, None, None, None)
    assert out["asked"] and not out["engine"]
    assert out["files"] == {str(tmp_path / ".env"): {"managed": False}}
    # Adopting, an env file the role did not write is read (it may be all there is to take over).
    assert out["env_file"] == {"A": "1"}
    assert "stack" not in out


def test_the_roles_own_containers_are_mine_and_the_others_foreign(survey, tmp_path):
    engine = Engine({"mcp_pg": mine("mcp_pg", "chatwoot_postgres"),
                     "mcp_redis": container("mcp_redis", "chatwoot_redis", []),
                     "mcp_rails-before-adoption": container("mcp_rails-before-adoption", "chatwoot_rails", [])})
    out = survey.survey(params(tmp_path), True, engine.inspect, engine.image_env, engine.run_in)
    assert out["engine"] and out["mine"] == ["mcp_pg"]
    assert list(out["foreign"]) == ["mcp_redis"] and out["foreign"]["mcp_redis"]["project"] == "core_sinapum"
    assert list(out["moved"]) == ["mcp_rails"] and out["moved"]["mcp_rails"]["name"] == "mcp_rails-before-adoption"
    # Not adopting: nothing is run in a container and no stack is read.
    assert engine.ran == [] and "stack" not in out and out["env_file"] == {}


def test_a_container_of_the_same_project_from_another_compose_file_is_not_mine(survey, tmp_path):
    other = mine("mcp_pg", "chatwoot_postgres")
    other["Config"]["Labels"]["com.docker.compose.project.config_files"] = "/srv/other/docker-compose.yml"
    engine = Engine({"mcp_pg": other})
    out = survey.survey(params(tmp_path), True, engine.inspect, engine.image_env, engine.run_in)
    assert out["mine"] == [] and list(out["foreign"]) == ["mcp_pg"]


def test_adopting_reads_the_running_stack(survey, tmp_path):
    app = ["SECRET_KEY_BASE=abc", "POSTGRES_HOST=chatwoot_postgres", "POSTGRES_USERNAME=chatwoot",
           "POSTGRES_PASSWORD=pg-pw", "POSTGRES_DATABASE=chatwoot", "REDIS_URL=redis://chatwoot_redis:6379"]
    engine = Engine(seed_stack(app), {
        "wget": (0, json.dumps({"version": "4.15.1"}), ""),
        "cat": (0, "16\n", ""),
        "psql": (0, "--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: false\n", ""),
    })
    out = survey.survey(params(tmp_path, adopt=True), True, engine.inspect, engine.image_env, engine.run_in)
    st = out["stack"]
    assert st["version"] == "4.15.1" and st["pg_data_version"] == "16" and st["account_signup"] == "false"
    assert st["postgres_password"] == "pg-pw" and "PATH" not in st["env"]
    assert sorted(i["Name"] for i in st["inspect"]) == ["/mcp_pg", "/mcp_rails", "/mcp_redis", "/mcp_sidekiq"]
    assert ("mcp_rails", "wget") in engine.ran and ("mcp_pg", "psql") in engine.ran


def test_an_old_web_that_does_not_answer_is_said_and_no_data_version_asks_no_setting(survey, tmp_path):
    engine = Engine(seed_stack(["SECRET_KEY_BASE=abc"]), {"wget": (1, "", "wget: can't connect to remote host\n")})
    out = survey.survey(params(tmp_path, adopt=True), True, engine.inspect, engine.image_env, engine.run_in)
    assert out["stack"]["api"] == {"error": "wget: can't connect to remote host"}
    assert out["stack"]["pg_data_version"] == "" and "account_signup" not in out["stack"]
    assert ("mcp_pg", "psql") not in engine.ran
