# SPDX-License-Identifier: GPL-3.0-or-later
# What the deploy would take that is not its own, in one remote call, changing nothing: the containers holding the
# names it gives its own (and those an interrupted adoption moved aside), and the files at the paths it writes that it
# did not write. With adoption asked, also what the running stack is made of (its containers' environment, mounts,
# networks, ports, its version from /api) and its env file, read the way Compose reads it (by parse_env of
# plugins/module_utils/_env_file.py, which the task sends ahead of this file): secrets included, so the task that runs
# this shows nothing. Prints one JSON document.
# Arguments: PROJECT COMPOSE_FILE RECORD MARKER ADOPT FILE... -- COMPONENT=CONTAINER...  (the env file first)
import hashlib
import json
import os
import re
import subprocess
import sys
from urllib.parse import unquote, urlsplit

# The collection's own reader of env files, sent ahead of this file (the unit tests put it here themselves).
parse_env = globals().get("parse_env")
MOVED = "-before-adoption"
# Where the role mounts each service's data (the paths Chatwoot's own compose file uses).
DATA_PATHS = {"postgres": "/var/lib/postgresql/data", "redis": "/data", "rails": "/app/storage", "sidekiq": "/app/storage"}
# Set by Docker or the image for every container, never by the operator.
RUNTIME_ENV = {"PATH", "HOSTNAME", "HOME", "TERM"}


def docker(*args, timeout=60):
    """docker ARGS: (exit code, output, error); never raises."""
    try:
        proc = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return 1, "", str(err)
    return proc.returncode, proc.stdout, proc.stderr


def docker_out(*args, timeout=60):
    """The output of a docker command that succeeded, else None."""
    code, output, dummy = docker(*args, timeout=timeout)
    return output if code == 0 else None


def env_dict(entries):
    return dict(e.split("=", 1) for e in entries or [] if "=" in e)


def looks_at_files(files, record, marker):
    try:
        with open(record, "rb") as handle:
            record_text = handle.read().decode("utf-8", "replace")
    except OSError:
        record_text = ""
    seen = {}
    for path in files:
        if not os.path.lexists(path):
            continue
        entry = {"managed": False}
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                data = handle.read()
            # The role's own files carry its marker; older ones are known by the checksums of its record.
            entry["managed"] = marker.encode() in data or hashlib.sha1(data).hexdigest() in record_text
            entry["content"] = data.decode("utf-8", "replace")
        seen[path] = entry
    return seen


def summary(info):
    labels = info["Config"].get("Labels") or {}
    return {
        "name": info["Name"].lstrip("/"),
        "id": info["Id"],
        "project": labels.get("com.docker.compose.project", ""),
        "service": labels.get("com.docker.compose.service", ""),
        "working_dir": labels.get("com.docker.compose.project.working_dir", ""),
        "config_files": [f for f in labels.get("com.docker.compose.project.config_files", "").split(",") if f],
        "status": info["State"]["Status"],
        "running": bool(info["State"]["Running"]),
        "image": info["Config"].get("Image", ""),
        "image_id": info.get("Image", ""),
        "volumes": sorted(m["Name"] for m in info.get("Mounts", []) if m.get("Type") == "volume"),
    }


def stack(found, components, app_image_env, api, pg_version):
    """What the running stack is made of, in the role's terms."""
    by = {c: found[n] for c, n in components.items() if n in found}
    app = {}
    differ = []
    for c in ("sidekiq", "rails"):  # web's values win where the two differ
        if c not in by:
            continue
        image_env = env_dict(app_image_env.get(by[c]["Image"], []))
        env = {k: v for k, v in env_dict(by[c]["Config"].get("Env")).items()
               if k not in RUNTIME_ENV and image_env.get(k) != v}
        differ += [k for k, v in env.items() if k in app and app[k] != v]
        app.update(env)
    mounts = {}
    for c, info in by.items():
        for m in info.get("Mounts", []):
            if m.get("Destination") == DATA_PATHS.get(c):
                mounts[c] = {"type": m.get("Type", ""), "name": m.get("Name", ""), "source": m.get("Source", "")}
    networks = {c: sorted((info["NetworkSettings"].get("Networks") or {}).keys()) for c, info in by.items()}
    ports = {c: sorted(f"{b.get('HostIp') or '0.0.0.0'}:{b.get('HostPort')}->{p}"
                       for p, binds in (info["HostConfig"].get("PortBindings") or {}).items() for b in binds or [])
             for c, info in by.items()}
    pg_env = env_dict(by["postgres"]["Config"].get("Env")) if "postgres" in by else {}
    requirepass = ""
    if "redis" in by:
        cmd = by["redis"]["Config"].get("Cmd") or []
        words = " ".join(cmd).split()
        if "--requirepass" in words and words.index("--requirepass") + 1 < len(words):
            requirepass = words[words.index("--requirepass") + 1].strip("'\"")
    redis_url = urlsplit(app.get("REDIS_URL", "redis://127.0.0.1:6379"))

    def names(c):
        """The names a container answers to on its networks: its own, its service's, its aliases."""
        if c not in by:
            return []
        info = by[c]
        own = [info["Name"].lstrip("/"), (info["Config"].get("Labels") or {}).get("com.docker.compose.service", "")]
        for net in (info["NetworkSettings"].get("Networks") or {}).values():
            own += net.get("Aliases") or []
        return sorted({n for n in own if n})

    return dict(postgres_login(app, pg_env), **{
        "postgres_names": names("postgres"),
        "redis_host": redis_url.hostname or "",
        "redis_names": names("redis"),
        "env": app,
        "env_differ": sorted(set(differ)),
        "redis_password": app.get("REDIS_PASSWORD") or unquote(redis_url.password or "") or requirepass,
        "mounts": mounts,
        "networks": networks,
        "ports": ports,
        "restart": {c: (info["HostConfig"].get("RestartPolicy") or {}).get("Name", "") for c, info in by.items()},
        "version": api.get("version", ""),
        "api": api,
        "pg_data_version": pg_version,
    })


def postgres_login(app, pg_env):
    """Where and as whom the old web logs in to Postgres, as Chatwoot resolves it: DATABASE_URL first, then the
    POSTGRES_* variables, then config/database.yml's production defaults."""
    url = urlsplit(app["DATABASE_URL"]) if app.get("DATABASE_URL") else None
    from_url = {
        "host": url.hostname if url else "",
        "user": unquote(url.username or "") if url else "",
        "database": url.path.lstrip("/") if url else "",
        "password": unquote(url.password or "") if url else "",
    }
    defaults = {"user": "chatwoot_prod", "database": "chatwoot_production"} if app else {
        "user": pg_env.get("POSTGRES_USER", "postgres"), "database": pg_env.get("POSTGRES_DB", "")}
    return {
        "postgres_host": from_url["host"] or app.get("POSTGRES_HOST", "localhost"),
        "postgres_user": from_url["user"] or app.get("POSTGRES_USERNAME") or defaults["user"],
        "postgres_database": from_url["database"] or app.get("POSTGRES_DATABASE") or defaults["database"],
        "postgres_password": from_url["password"] or app.get("POSTGRES_PASSWORD") or pg_env.get("POSTGRES_PASSWORD", ""),
    }


def setting_value(text):
    """An installation_configs row's value as Chatwoot reads it (app/models/installation_config.rb: a hash serialized
    by YAML into the jsonb column), as text: "true", "false", another value, or "" for no row."""
    text = (text or "").strip()
    if text.startswith("{"):  # a hash stored as JSON itself
        try:
            value = json.loads(text).get("value", "")
        except (ValueError, AttributeError):
            return ""
    else:
        match = re.search(r"^:?value: *(.*?) *$", text, re.M)
        value = match.group(1).strip("'\"") if match else ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def installation_setting(postgres, login, name):
    """What Chatwoot reads for the installation setting NAME: its row (the environment only seeds a missing one,
    lib/global_config_service.rb), or "" without one."""
    sql = f"SELECT serialized_value #>> '{{}}' FROM installation_configs WHERE name = '{name}'"
    raw = docker_out("exec", postgres, "psql", "--username", login["postgres_user"], "--dbname", login["postgres_database"],
                     "--no-psqlrc", "-tAc", sql)
    return setting_value(raw)


def main():
    project, compose_file, record, marker, adopt = sys.argv[1:6]
    rest = sys.argv[6:]
    files = rest[: rest.index("--")]
    components = dict(arg.split("=", 1) for arg in rest[rest.index("--") + 1 :])
    names = list(components.values())
    out = {"engine": False, "mine": [], "foreign": {}, "moved": {}, "files": looks_at_files(files, record, marker)}
    adopting = adopt == "1"
    # The first file is the env file: an unmanaged one is read when adopting (it may be all there is to adopt).
    env_entry = out["files"].get(files[0]) if files else None
    out["env_file"] = parse_env(env_entry["content"]) if adopting and env_entry and not env_entry["managed"] and "content" in env_entry else {}
    for entry in out["files"].values():
        entry.pop("content", None)
    version = docker_out("version", "--format", "{{.Server.Version}}")
    if not (version or "").strip():
        print(json.dumps(out))
        return
    out["engine"] = True
    wanted = names + [n + MOVED for n in names]
    # Exits non-zero when any name is missing, and prints those that exist.
    raw = docker("inspect", "--type", "container", *wanted)[1]
    try:
        infos = json.loads(raw or "[]")
    except ValueError:
        infos = []
    found, moved = {}, {}
    for info in infos:
        name = info["Name"].lstrip("/")
        labels = info["Config"].get("Labels") or {}
        if name.endswith(MOVED):
            moved[name[: -len(MOVED)]] = info
        elif labels.get("com.docker.compose.project") == project and \
                labels.get("com.docker.compose.project.config_files") == compose_file:
            out["mine"].append(name)
        else:
            found[name] = info
    out["foreign"] = {n: summary(i) for n, i in found.items()}
    out["moved"] = {n: summary(i) for n, i in moved.items()}
    if not adopting or not (found or moved):
        print(json.dumps(out))
        return
    # The stack to read: the one running under the names, else the one an interrupted adoption moved aside.
    source = found or moved
    app_images = {i["Image"] for c, i in ((c, source.get(n)) for c, n in components.items()) if i and c in ("rails", "sidekiq")}
    app_image_env = {}
    for image in app_images:
        raw = docker_out("image", "inspect", "--format", "{{json .Config.Env}}", image)
        app_image_env[image] = json.loads(raw) if raw and raw.strip() else []
    api = {}
    rails = source.get(components.get("rails", ""))
    if rails and rails["State"]["Running"]:
        rc, raw, err = docker("exec", rails["Name"].lstrip("/"), "wget", "-q", "-T", "10", "-O", "-",
                              "--header", "X-Forwarded-Proto: https", "http://127.0.0.1:3000/api", timeout=30)
        try:
            api = json.loads(raw) if rc == 0 else {"error": (err or raw).strip()[:300]}
        except ValueError:
            api = {"error": "not JSON: " + raw.strip()[:200]}
    pg_version = ""
    postgres = source.get(components.get("postgres", ""))
    if postgres and postgres["State"]["Running"]:
        pg_version = (docker_out("exec", postgres["Name"].lstrip("/"), "cat", DATA_PATHS["postgres"] + "/PG_VERSION") or "").strip()
    out["stack"] = stack(source, components, app_image_env, api, pg_version)
    if pg_version:
        out["stack"]["account_signup"] = installation_setting(postgres["Name"].lstrip("/"), out["stack"], "ENABLE_ACCOUNT_SIGNUP")
    out["stack"]["inspect"] = list(source.values())
    print(json.dumps(out))


if __name__ == "__main__":  # python3 -c runs it as __main__; the unit tests import it
    main()
