# SPDX-License-Identifier: GPL-3.0-or-later
"""How long a no-op playbooks/configure.yml takes on an account with 10 inboxes, 20 agents and 5 webhooks.

    .venv/bin/python bench/configure_noop.py [--vars tests/e2e/vars.yml] [--runs 3] [--keep]

Against a project the chatwoot role deployed on this machine with an administrator (by default the e2e tests' own:
run `ansible-playbook site.yml -e @tests/e2e/vars.yml` first). It applies the structure once (the run that makes
everything), then times --runs more runs, which must change nothing, and prints the wall time of each, their median
and the changed count; the structure is removed afterwards (state: absent) unless --keep. Not a test: a figure for
bench/README.md, never an assertion.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RECAP = re.compile(r"^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def structure(account, state="present"):
    agents = [{"email": f"bench{i:02d}@bench.example.org", "name": f"Bench Agent {i:02d}", "state": state}
              for i in range(20)]
    inboxes = [{"name": f"Bench API {i}", "channel_type": "api", "state": state,
                "channel": {"webhook_url": f"http://bench-{i}.example.org/chatwoot"},
                "members": [agents[i]["email"], agents[i + 10]["email"]] if state == "present" else None}
               for i in range(10)]
    for inbox in inboxes:
        if inbox["members"] is None:
            del inbox["members"]
    webhooks = [{"url": f"https://hooks.bench.example.org/{i}", "subscriptions": ["message_created"], "state": state}
                for i in range(5)]
    return {"chatwoot_config_accounts": [{"name": account, "agents": agents, "inboxes": inboxes, "webhooks": webhooks}]}


def configure(vars_file, extra):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(extra, handle)
    cmd = [str(REPO / ".venv" / "bin" / "ansible-playbook"), "playbooks/configure.yml", "-e", f"@{vars_file}",
           "-e", f"@{handle.name}"]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False,
                          env={"PATH": f"{REPO / '.venv' / 'bin'}:/usr/bin:/bin", "ANSIBLE_NOCOLOR": "1"})
    took = time.monotonic() - started
    Path(handle.name).unlink()
    recap = RECAP.search(proc.stdout)
    if proc.returncode != 0 or not recap:
        sys.exit(f"configure.yml failed (rc {proc.returncode}):\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
    return took, int(recap.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vars", default=str(REPO / "tests" / "e2e" / "vars.yml"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    import yaml  # pylint: disable=import-outside-toplevel
    account = yaml.safe_load(Path(args.vars).read_text()).get("chatwoot_account_name", "Chatwoot")
    took, changed = configure(args.vars, structure(account))
    print(f"first run (makes 20 agents, 10 inboxes with members, 5 webhooks): {took:.1f} s, changed={changed}")
    times = []
    for number in range(args.runs):
        took, changed = configure(args.vars, structure(account))
        times.append(took)
        print(f"no-op run {number + 1}: {took:.1f} s, changed={changed}")
    print(f"no-op configure.yml, 10 inboxes / 20 agents / 5 webhooks: median {statistics.median(times):.1f} s "
          f"over {len(times)} runs")
    if not args.keep:
        took, changed = configure(args.vars, structure(account, "absent"))
        print(f"removed again: {took:.1f} s, changed={changed}")


if __name__ == "__main__":
    main()
