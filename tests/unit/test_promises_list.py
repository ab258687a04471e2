# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/reliability/promises.yml, the one list of promises, and the tests agree, before any of them runs: each listed
test exists and names its promise, and every promise a test or a Molecule verify step names is listed with it."""
import ast
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "reliability"))
from plugin import load_promises, stage_of  # noqa: E402  pylint: disable=wrong-import-position,import-error
from report import exists  # noqa: E402  pylint: disable=wrong-import-position,import-error

PROMISES, STAGES = load_promises()
LISTED = {(pid, test) for pid, p in PROMISES.items() for test in p["tests"]}


def pytest_markers():
    """(promise id, path::function) of every @pytest.mark.promise in the test files."""
    found = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and ast.unparse(deco.func) == "pytest.mark.promise":
                    arg = deco.args[0].value if deco.args and isinstance(deco.args[0], ast.Constant) else None
                    found.append((arg, f"{path.relative_to(REPO).as_posix()}::{node.name}"))
    return found


def molecule_ids():
    """(promise id, file) of every promise a Molecule verify step records (__promise: id, or promise: id in a map)."""
    found = []
    for path in sorted((REPO / "molecule").rglob("*.yml")):
        for match in re.finditer(r"^\s*(?:__)?promise: (\S+)\s*$", path.read_text(encoding="utf-8"), re.M):
            if "{{" not in match.group(1):
                found.append((match.group(1), path.relative_to(REPO).as_posix()))
    return found


@pytest.mark.parametrize("pid,test", sorted(LISTED))
def test_every_listed_test_exists_and_a_stage_runs_it(pid, test):
    assert exists(test), f"{pid}: {test} does not exist"
    assert stage_of(test, STAGES), f"{pid}: no stage of promises.yml runs {test}"


def test_every_marker_names_a_listed_promise_with_its_test():
    markers = pytest_markers()
    assert len(markers) >= 20
    wrong = [(pid, test) for pid, test in markers if (pid, test) not in LISTED]
    assert not wrong, f"named by the tests but not listed so in promises.yml: {wrong}"


def test_every_listed_pytest_test_carries_its_marker():
    markers = set(pytest_markers())
    missing = [(pid, test) for pid, test in LISTED if test.startswith("tests/") and (pid, test) not in markers]
    assert not missing, f"listed in promises.yml, but the test does not name the promise: {missing}"


def test_every_molecule_record_names_a_listed_promise_of_its_scenario():
    ids = molecule_ids()
    assert len(ids) >= 7
    for pid, path in ids:
        assert pid in PROMISES, f"{path} records {pid}, which promises.yml does not list"
        scenario = "/".join(path.split("/")[:2]) + "/"
        assert any(t.startswith(scenario) for t in PROMISES[pid]["tests"]), f"{path} records {pid}, listed for no test of {scenario}"
    recorded = {pid for pid, _path in ids}
    unrecorded = sorted(pid for pid, test in LISTED if test.startswith("molecule/") and pid not in recorded)
    assert not unrecorded, f"listed for a Molecule test, but no verify step records them: {unrecorded}"
