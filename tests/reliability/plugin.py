# SPDX-License-Identifier: GPL-3.0-or-later
"""Record the outcome of every test that checks one of the collection's promises.

A test states the promise it checks in one sentence::

    @pytest.mark.promise("Bad input stops the run before anything on the host changes.")
    def test_...():

After the test has run (setup, call and teardown), one JSON file is written to
``$SINAPUM_RELIABILITY_DIR`` (default ``<repo>/.cache/reliability/``), named after the test so that the
next run of the same test replaces it::

    {"promise": "Bad input stops the run ...",      # the sentence, as given to the marker
     "test": "tests/e2e/test_bad_input.py::test_x",  # where to find the test (pytest node id)
     "result": "passed",                             # passed | failed | error | skipped | xfailed
     "when": "2026-11-25T23:04:11Z",                 # UTC, when the test finished
     "commit": "3cfe2d3"}                            # HEAD of the checkout (+dirty when it had changes)

Anything else that checks a promise (a Molecule verify step, a script) may drop a file of the same shape
in the same directory; ``test`` is then a path in the repository, optionally followed by ``::`` and a name
that appears in that file. ``tests/reliability/report.py`` turns all records into docs/reliability.md.

Loaded by tests/conftest.py, so it serves tests/e2e, tests/unit and tests/integration alike; the marker
is registered, so ``--strict-markers`` accepts it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_OUTCOMES = pytest.StashKey[dict]()
_COMMIT = pytest.StashKey[str]()


def records_dir() -> Path:
    return Path(os.environ.get("SINAPUM_RELIABILITY_DIR") or REPO / ".cache" / "reliability")


def record_name(test: str) -> str:
    """The file a test's record goes to: its id, flattened into one safe file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test).strip("_")[:200] + ".json"


def write_record(promise: str, test: str, result: str, commit: str, when: str | None = None) -> Path:
    directory = records_dir()
    directory.mkdir(parents=True, exist_ok=True)
    record = {"promise": promise, "test": test, "result": result,
              "when": when or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commit": commit}
    path = directory / record_name(test)
    # Written beside and renamed, so a report read at the same time never sees half a record.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def current_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "promise(sentence): the promise of the collection this test checks; its outcome is recorded "
                   "for docs/reliability.md (tests/reliability/plugin.py)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    marker = item.get_closest_marker("promise")
    if marker is None:
        return report
    if not marker.args or not isinstance(marker.args[0], str) or not marker.args[0].strip():
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.promise needs the promise as one sentence")
    outcomes = item.stash.setdefault(_OUTCOMES, {})
    outcomes[report.when] = "xfailed" if hasattr(report, "wasxfail") and report.skipped else report.outcome
    if report.when == "teardown":
        write_record(marker.args[0].strip(), item.nodeid, _result(outcomes), _commit(item.config))
    return report


def _result(outcomes: dict) -> str:
    if outcomes.get("setup") == "failed":
        return "error"
    if "failed" in outcomes.values():
        return "failed"
    if outcomes.get("call") == "xfailed":
        return "xfailed"
    if outcomes.get("setup") == "skipped" or outcomes.get("call") == "skipped":
        return "skipped"
    return "passed"


def _commit(config) -> str:
    # Once per session: the checkout does not move under a running suite in a way the record should follow.
    if _COMMIT not in config.stash:
        config.stash[_COMMIT] = current_commit()
    return config.stash[_COMMIT]
