# SPDX-License-Identifier: GPL-3.0-or-later
"""Record the outcome of every test that checks one of the collection's promises.

A test names the promise it checks by its id in tests/reliability/promises.yml, the one list of promises,
which also lists the test under it::

    @pytest.mark.promise("bad_input_refused")
    def test_...():

An id the list does not have, or a test the list does not name under it, stops the collection (UsageError).
After the test has run (setup, call and teardown), one JSON file is written to
``$SINAPUM_RELIABILITY_DIR`` (default ``<repo>/.cache/reliability/``), named after the test so that the
next run of the same test replaces it::

    {"promise": "bad_input_refused",                 # the promise's id, as given to the marker
     "test": "tests/e2e/test_bad_input.py::test_x",  # where to find the test (pytest node id from the repository)
     "result": "passed",                             # passed | failed | error | skipped | xfailed
     "when": "2026-11-25T23:04:11Z",                 # UTC, when the test finished
     "commit": "3cfe2d3"}                            # HEAD of the checkout (+dirty when it had changes)

Anything else that checks a promise (a Molecule verify step, a script) may drop a file of the same shape
in the same directory; ``test`` is then a path in the repository, optionally followed by ``::`` and a name
that appears in that file. ``tests/reliability/report.py`` turns the list and the records into the report.

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
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMISES = Path(__file__).resolve().parent / "promises.yml"
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


def load_promises(path: Path = PROMISES) -> tuple[dict, dict]:
    """(promises by id, each with its text and tests; the stage of each path prefix) from promises.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    promises = {}
    for entry in data["promises"]:
        if entry["id"] in promises:
            raise ValueError(f"{path.name}: {entry['id']} is listed twice")
        promises[entry["id"]] = {"text": " ".join(entry["text"].split()), "tests": list(entry["tests"])}
    return promises, dict(data["stages"])


def stage_of(test: str, stages: dict) -> str | None:
    return next((stage for prefix, stage in stages.items() if test.startswith(prefix)), None)


def test_id(item) -> str:
    """The test as promises.yml names it: its file from the repository's root, its name, no [parameters]."""
    path = Path(str(item.path)).resolve().relative_to(REPO).as_posix()
    return f"{path}::{item.nodeid.split('::', 1)[1].split('[')[0]}"


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
        "markers", "promise(id): the promise of tests/reliability/promises.yml this test checks; its outcome is "
                   "recorded for the reliability report (tests/reliability/plugin.py)")


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """Every promise a test names is in promises.yml, with the test listed under it."""
    marked = [(item, item.get_closest_marker("promise")) for item in items]
    marked = [(item, marker) for item, marker in marked if marker is not None]
    if not marked:
        return
    promises = load_promises()[0]
    problems = set()
    for item, marker in marked:
        promise = marker.args[0] if marker.args else None
        if promise not in promises:
            problems.add(f"{item.nodeid}: @pytest.mark.promise({promise!r}) names no promise of {PROMISES.relative_to(REPO)}")
        elif test_id(item) not in promises[promise]["tests"]:
            problems.add(f"{item.nodeid}: {PROMISES.relative_to(REPO)} does not list {test_id(item)} under {promise}")
    if problems:
        raise pytest.UsageError("\n".join(sorted(problems)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    marker = item.get_closest_marker("promise")
    if marker is None:
        return report
    outcomes = item.stash.setdefault(_OUTCOMES, {})
    outcomes[report.when] = "xfailed" if hasattr(report, "wasxfail") and report.skipped else report.outcome
    if report.when == "teardown":
        cases = item.nodeid[len(item.nodeid.split("[", 1)[0]):]  # [parameters] of a parametrised test, or ""
        write_record(marker.args[0], test_id(item) + cases, _result(outcomes), _commit(item.config))
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
