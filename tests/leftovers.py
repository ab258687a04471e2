# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests leave on this machine: noted before a run, removed after it, and checked at its end.

    python tests/leftovers.py note     before a run: the checkout's state and what is already here
    python tests/leftovers.py clean    remove whatever the tests made that is still here
    python tests/leftovers.py check    exit 1 when the run changed the checkout or left anything of the tests

The tests make: the end-to-end projects (tests/e2e/vars*.yml: containers, volumes, networks, the project, state and
backup directories, the backup script and schedule, the lock), their helpers (containers named sinapum-e2e-*, the
images pulled through the tests' login registry), and Molecule's servers and networks (molecule/*/molecule.yml).
The e2e session and each Molecule scenario remove theirs; `clean` is tests/run's safety net for a run cut short.
Not the tests': what `make deploy` made (the project chatwoot) and the rig (engine, images, sinapum-rig-registry).
An anonymous volume (a container's VOLUME, removed without -v) cannot be told from one made beside the run, so
`check` fails on those that were not there before the run and are used by no container, and `clean` leaves them.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
NOTE = REPO / "tests" / "output" / "before-run.json"
# Installed by any project's backup (the role's backup_install.yml); the tests' only when it was not here before.
LOCK_SCRIPT = Path("/usr/local/sbin/chatwoot-lock")
HELPER_PREFIX = "sinapum-e2e-"
LOGIN_REGISTRY_IMAGES = "127.0.0.1:5001/"
# The names every e2e project takes (tests/e2e/vars*.yml), so one a test makes without a vars file is found too.
E2E_PREFIX = "e2e_"
E2E_PATHS = ("/opt/chatwoot-e2e*", "/var/lib/sinapum-chatwoot/chatwoot-e2e*", "/var/backups/chatwoot/chatwoot-e2e*",
             "/usr/local/sbin/chatwoot-backup-chatwoot-e2e*", "/etc/cron.d/chatwoot-backup-chatwoot-e2e*",
             "/run/lock/sinapum-chatwoot/chatwoot-e2e*")


def e2e_projects() -> list[dict]:
    """The variables of each end-to-end project; the other vars files are added after vars.yml, as the tests do."""
    base = yaml.safe_load((REPO / "tests/e2e/vars.yml").read_text(encoding="utf-8"))
    projects = [base]
    for path in sorted((REPO / "tests/e2e").glob("vars-*.yml")):
        projects.append({**base, **yaml.safe_load(path.read_text(encoding="utf-8"))})
    return projects


def e2e_things() -> dict:
    things = {"containers": set(), "volumes": set(), "networks": set(), "paths": set()}
    for v in e2e_projects():
        name, prefix = v["chatwoot_project_name"], v["chatwoot_container_prefix"]
        things["containers"] |= {f"{prefix}_{s}" for s in ("postgres", "redis", "rails", "sidekiq", "proxy")}
        things["volumes"] |= {v[k] for k in ("chatwoot_postgres_volume", "chatwoot_redis_volume", "chatwoot_storage_volume")}
        things["networks"].add(v["chatwoot_network_name"])
        things["paths"] |= {v["chatwoot_project_dir"], v["chatwoot_state_dir"],
                            v.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{name}"),
                            f"/usr/local/sbin/chatwoot-backup-{name}", f"/etc/cron.d/chatwoot-backup-{name}",
                            f"/etc/systemd/system/chatwoot-backup-{name}.service",
                            f"/etc/systemd/system/chatwoot-backup-{name}.timer",
                            f"/run/lock/sinapum-chatwoot/{name}.lock", f"/run/lock/sinapum-chatwoot/{name}.lock.guard"}
    return things


def molecule_things() -> dict:
    things = {"containers": set(), "networks": set()}
    for path in sorted((REPO / "molecule").glob("*/molecule.yml")):
        for platform in yaml.safe_load(path.read_text(encoding="utf-8")).get("platforms", []):
            things["containers"].add(platform["name"])
            things["networks"] |= {n["name"] for n in platform.get("docker_networks", [])}
    return things


def docker(*argv: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *argv], capture_output=True, text=True, timeout=300, check=check)


def docker_names(kind: str) -> set[str]:
    formats = {"container": ["ps", "-a", "--format", "{{.Names}}"], "volume": ["volume", "ls", "--format", "{{.Name}}"],
               "network": ["network", "ls", "--format", "{{.Name}}"],
               "image": ["images", "--format", "{{.Repository}}:{{.Tag}}"]}
    proc = docker(*formats[kind])
    return set(proc.stdout.split()) if proc.returncode == 0 else set()


def anonymous_volumes() -> set[str]:
    """The volumes no container uses whose names Docker made (64 hex digits): what a container's VOLUME leaves."""
    proc = docker("volume", "ls", "--quiet", "--filter", "dangling=true")
    return {v for v in proc.stdout.split() if len(v) == 64 and all(c in "0123456789abcdef" for c in v)} \
        if proc.returncode == 0 else set()


def git_status() -> list[str]:
    return subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=True).stdout.splitlines()


def present() -> dict:
    """What of the tests' things is on this machine now."""
    e2e, mol = e2e_things(), molecule_things()
    containers, volumes, networks = docker_names("container"), docker_names("volume"), docker_names("network")
    globbed = {str(p) for pattern in E2E_PATHS for p in Path("/").glob(pattern.lstrip("/"))}
    paths = {p for p in e2e["paths"] if Path(p).exists()} | globbed
    found = {
        "containers": sorted((containers & (e2e["containers"] | mol["containers"]))
                             | {c for c in containers if c.startswith((HELPER_PREFIX, E2E_PREFIX))}),
        "volumes": sorted((volumes & e2e["volumes"]) | {v for v in volumes if v.startswith(E2E_PREFIX)}),
        "networks": sorted((networks & (e2e["networks"] | mol["networks"]))
                           | {n for n in networks if n.startswith(E2E_PREFIX)}),
        "images": sorted(i for i in docker_names("image") if i.startswith(LOGIN_REGISTRY_IMAGES)),
        "paths": sorted(paths),
    }
    if LOCK_SCRIPT.exists() and not was_here(str(LOCK_SCRIPT)):
        found["paths"].append(str(LOCK_SCRIPT))
    return found


def was_here(path: str) -> bool:
    try:
        return path in json.loads(NOTE.read_text(encoding="utf-8"))["paths_before"]
    except (OSError, ValueError, KeyError):
        # No note: count it as the machine's own, never remove it.
        return True


def note() -> int:
    NOTE.parent.mkdir(parents=True, exist_ok=True)
    NOTE.write_text(json.dumps({"git_status": git_status(),
                                "paths_before": [str(LOCK_SCRIPT)] if LOCK_SCRIPT.exists() else [],
                                "anonymous_volumes_before": sorted(anonymous_volumes())}, indent=1) + "\n",
                    encoding="utf-8")
    return 0


def clean() -> int:
    found = present()
    if found["containers"]:
        # -v: a Molecule server's anonymous /var/lib/docker volume goes with it.
        docker("rm", "-f", "-v", *found["containers"])
    if found["volumes"]:
        docker("volume", "rm", "-f", *found["volumes"])
    for network in found["networks"]:
        # The rig's registry is attached to Molecule's networks while a scenario runs; the registry itself stays.
        docker("network", "disconnect", "-f", network, "sinapum-rig-registry")
        docker("network", "rm", network)
    if found["images"]:
        docker("rmi", *found["images"])
    for path in found["paths"]:
        subprocess.run(["rm", "-rf", "--", path], check=False)
    left = present()
    for kind, names in left.items():
        for name in names:
            print(f"leftovers: could not remove the {kind[:-1]} {name}", file=sys.stderr)
    removed = {k: v for k, v in found.items() if v}
    if removed:
        print(f"leftovers: removed what the tests had left: {json.dumps(removed)}")
    return 1 if any(left.values()) else 0


def check() -> int:
    problems = []
    try:
        noted = json.loads(NOTE.read_text(encoding="utf-8"))
        before, volumes_before = noted["git_status"], set(noted["anonymous_volumes_before"])
    except (OSError, ValueError, KeyError):
        # No note: every anonymous volume counts as the machine's own.
        before, volumes_before = [], anonymous_volumes()
    now = git_status()
    if now != before:
        problems.append("the run changed the checkout (git status --porcelain):\n    "
                        + "\n    ".join([f"before: {line}" for line in before] + [f"after:  {line}" for line in now]))
    for kind, names in present().items():
        if names:
            problems.append(f"the tests left {kind}: {', '.join(names)}")
    left_volumes = sorted(anonymous_volumes() - volumes_before)
    if left_volumes:
        problems.append(f"{len(left_volumes)} anonymous volume(s) appeared during the run and no container uses them "
                        f"(a container with a VOLUME removed without -v?): {', '.join(left_volumes)}; they are not "
                        "removed (docker volume inspect shows when each was made)")
    for problem in problems:
        print(f"leftovers: FAILED: {problem}")
    if not problems:
        print("leftovers: the checkout is as the run found it" + (" (clean)" if not now else "")
              + "; nothing of the tests is left (the rig stays)")
    return 1 if problems else 0


if __name__ == "__main__":
    actions = {"note": note, "clean": clean, "check": check}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(actions)}")
    sys.exit(actions[sys.argv[1]]())
