# SPDX-License-Identifier: GPL-3.0-or-later
"""Drive the real `ansible-playbook site.yml` against this machine's engine, on a project of the tests' own."""
import json
import os
import re
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# Another vars file (other project, names and ports) lets two checkouts run these tests side by side.
VARS_FILE = Path(os.environ.get("SINAPUM_E2E_VARS", REPO / "tests" / "e2e" / "vars.yml"))
VARS = yaml.safe_load(VARS_FILE.read_text())
CONTAINERS = {s: f"{VARS['chatwoot_container_prefix']}_{s}" for s in ("postgres", "redis", "rails", "sidekiq")}
RECAP_RE = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr
        m = RECAP_RE.search(proc.stdout)
        self.ok, self.changed, self.unreachable, self.failed = (int(g) for g in m.groups()) if m else (None,) * 4

    def changed_tasks(self):
        """The names of the tasks that reported a change (a failed idempotence check says which)."""
        return [block.split("]", 1)[0] for block in self.out.split("\nTASK [")[1:]
                if re.search(r"^changed: ", block, re.M)]

    def __repr__(self):
        return f"<Run rc={self.rc} changed={self.changed} in {self.changed_tasks()}>\n{self.out[-6000:]}"


def playbook(*args, verbosity=0, steps=()):
    """site.yml with the tests' variables. steps are (pattern, action) pairs: each action is called once, in their
    order, when a line of the run's output matches its pattern (a fault made and healed at points of the run itself,
    however long the run takes to get there)."""
    args = ["-e", f"@{VARS_FILE}", *args] + (["-" + "v" * verbosity] if verbosity else [])
    if not steps:
        return ansible_playbook("site.yml", *args)
    return Run(_acting_on_output(["ansible-playbook", "site.yml", *args], _playbook_env(), steps, timeout=1200))


def ansible_playbook(name, *args, timeout=1200):
    """ansible-playbook NAME ARGS from the checkout, colours off: how every e2e test runs a playbook of its own."""
    return Run(subprocess.run(["ansible-playbook", name, *args], cwd=REPO, env=_playbook_env(), capture_output=True,
                              text=True, timeout=timeout, check=False))


def _playbook_env():
    return {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PATH": _path()}


def _acting_on_output(cmd, env, steps, timeout):
    """The run as subprocess.run would return it (output and errors together), with steps acted on as lines come; a run
    that outlives timeout is killed, its output ends, and the caller's assertions fail on it."""
    lines, todo = [], list(steps)
    with subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        deadline = threading.Timer(timeout, proc.kill)
        deadline.start()
        try:
            for line in proc.stdout:
                lines.append(line)
                if todo and re.search(todo[0][0], line):
                    todo.pop(0)[1]()
            rc = proc.wait()
        finally:
            deadline.cancel()
    return subprocess.CompletedProcess(cmd, rc, "".join(lines), "")


def _path():
    return f"{REPO / '.venv' / 'bin'}:{os.environ['PATH']}"


def sh(*argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, check=check)


def psql(sql):
    """Run SQL inside the Postgres container (socket, trust) and return the trimmed output."""
    return sh("docker", "exec", CONTAINERS["postgres"], "psql", "-U", "chatwoot", "-d", "chatwoot",
              "-v", "ON_ERROR_STOP=1", "-tAc", sql).stdout.strip()


def redis_cli(*args):
    """Run redis-cli inside the Redis container, authenticated from its own environment."""
    return sh("docker", "exec", CONTAINERS["redis"], "sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli "$@"',
              "redis-cli", *args).stdout.strip()


def container_ids():
    return {s: sh("docker", "inspect", "-f", "{{.Id}}", c).stdout.strip() for s, c in CONTAINERS.items()}


def http_json(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{VARS['chatwoot_rails_port']}{path}", timeout=10) as resp:
        return resp.status, json.loads(resp.read())


def secrets():
    return json.loads(Path(VARS["chatwoot_state_dir"], "secrets.json").read_text())


def own_project(name, rails_port):
    """The variables of a project of a test's own beside the deployed one: its directories, names, volumes,
    network and web port, all derived from NAME."""
    short = name.replace("-", "_")
    return {"chatwoot_project_dir": f"/opt/chatwoot-e2e-{name}", "chatwoot_project_name": f"chatwoot-e2e-{name}",
            "chatwoot_state_dir": f"/var/lib/sinapum-chatwoot/chatwoot-e2e-{name}",
            "chatwoot_backup_dir": f"/var/backups/chatwoot/chatwoot-e2e-{name}",
            "chatwoot_container_prefix": f"e2e_{short}_chatwoot", "chatwoot_network_name": f"e2e_{short}_chatwoot_net",
            "chatwoot_postgres_volume": f"e2e_{short}_postgres_data", "chatwoot_redis_volume": f"e2e_{short}_redis_data",
            "chatwoot_storage_volume": f"e2e_{short}_storage_data",
            "chatwoot_rails_port": rails_port, "chatwoot_frontend_url": f"http://127.0.0.1:{rails_port}"}


def remove_project(project=None):
    """Leave no trace of a project (the tests' own by default): containers, volumes, network, its files, backups,
    backup script and schedule, lock."""
    project = project or VARS
    project_dir = Path(project["chatwoot_project_dir"])
    name = project["chatwoot_project_name"]
    if (project_dir / "docker-compose.yml").exists():
        sh("docker", "compose", "--project-directory", str(project_dir), "down", "--volumes", "--remove-orphans", check=False)
    sh("docker", "rm", "-f", "-v", *(f"{project['chatwoot_container_prefix']}_{s}" for s in ("postgres", "redis", "rails", "sidekiq")),
       check=False)
    for vol in ("chatwoot_postgres_volume", "chatwoot_redis_volume", "chatwoot_storage_volume"):
        sh("docker", "volume", "rm", "-f", project[vol], check=False)
    sh("docker", "network", "rm", project["chatwoot_network_name"], check=False)
    sh("rm", "-rf", str(project_dir), project["chatwoot_state_dir"], project.get("chatwoot_backup_dir", f"/var/backups/chatwoot/{name}"),
       f"/usr/local/sbin/chatwoot-backup-{name}", f"/etc/cron.d/chatwoot-backup-{name}",
       f"/run/lock/sinapum-chatwoot/{name}.lock", f"/run/lock/sinapum-chatwoot/{name}.lock.guard")


# Installed by any project's backup and serving every project: a test removes it only when it was not here before.
LOCK_SCRIPT = Path("/usr/local/sbin/chatwoot-lock")


def remove_lock_script(was_here):
    if not was_here and not list(Path("/usr/local/sbin").glob("chatwoot-backup-*")):
        LOCK_SCRIPT.unlink(missing_ok=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "runs_last: run after every other test of the session (it takes the "
                                       "tests' project down)")


def pytest_collection_modifyitems(items):
    # A stable sort: the order of the others, and of the last ones among themselves, stays.
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


def local_image_refs():
    """Every repository:tag this engine holds."""
    return set(sh("docker", "images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split())


@pytest.fixture(scope="session")
def first_run(request):
    lock_script_was_here = LOCK_SCRIPT.exists()

    def remove_all():
        remove_project()
        remove_lock_script(lock_script_was_here)

    remove_project()
    # Registered before the deploy: the project goes at the end of the session, also when the deploy or a test fails
    # or the run is interrupted (pytest tears its fixtures down on Ctrl-C too). `make deploy`'s project is not touched.
    request.addfinalizer(remove_all)
    images_before = local_image_refs()
    run = playbook()
    run.images_held_before = images_before
    assert run.rc == 0, run
    return run
