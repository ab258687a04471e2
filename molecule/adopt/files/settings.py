# SPDX-License-Identifier: GPL-3.0-or-later
# The team's env file (the copy the takeover kept) against the new .env and against web's and worker's environment,
# read the way Compose reads env files (parse_env of plugins/module_utils/_env_file.py, which the task sends ahead of
# this file). Prints names and booleans only, never a value: the files hold the team's secrets.
# Arguments: OLD_ENV NEW_ENV CONTAINER...
import json
import subprocess
import sys
from urllib.parse import unquote, urlsplit

parse_env = globals()["parse_env"]


def read(path):
    with open(path, encoding="utf-8") as handle:
        return parse_env(handle.read())


def container_env(name):
    out = subprocess.run(["docker", "inspect", "--format", "{{json .Config.Env}}", name], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    return dict(item.split("=", 1) for item in json.loads(out))


def compare(old, new):
    """The old file's names whose value is not the same (or missing) in new."""
    return sorted(name for name, value in old.items() if new.get(name) != value)


def urls(old, env):
    """What Chatwoot connects with: the passwords in the URLs (the role gives the plain variables empty), the host."""
    database, redis = urlsplit(env.get("DATABASE_URL", "")), urlsplit(env.get("REDIS_URL", ""))
    return {"postgres_password_kept": unquote(database.password or "") == old.get("POSTGRES_PASSWORD"),
            "redis_password_kept": unquote(redis.password or "") == old.get("REDIS_PASSWORD"),
            "postgres_host": database.hostname}


def main(old_path, new_path, *containers):
    old, new = read(old_path), read(new_path)
    result = {"old": sorted(old), "env_file": {"differ": compare(old, new), **urls(old, new)}}
    for name in containers:
        env = container_env(name)
        result[name] = {"differ": compare(old, env), **urls(old, env)}
    json.dump(result, sys.stdout, sort_keys=True)


main(*sys.argv[1:])
