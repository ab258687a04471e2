# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/reliability/report.py judges the list of promises, not only the records it finds: a promise whose test left
no record is "not run" and fails the report, as does a record for a promise or a test the list does not have."""
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "reliability"))
import report  # noqa: E402  pylint: disable=wrong-import-position,import-error
from plugin import load_promises  # noqa: E402  pylint: disable=wrong-import-position,import-error

PROMISES = load_promises()[0]
ALL = [(pid, test) for pid, p in PROMISES.items() for test in p["tests"]]
RUNNER = ("runner_runs_in_the_web_container",
          "tests/e2e/test_runner.py::test_the_code_runs_in_the_web_container_and_its_output_is_shown")
REBOOT = next((pid, t) for pid, t in ALL if t.startswith("molecule/default/verify_reboot.yml"))


def write(directory, pid, test, result="passed", when="2030-01-01T00:00:10Z"):
    name = test.replace("/", "_").replace(":", "_").replace(" ", "_") + ".json"
    (directory / name).write_text(json.dumps({"promise": pid, "test": test, "result": result, "when": when,
                                              "commit": "abc1234"}))


def run(tmp_path, *args):
    out = tmp_path / "out.md"
    rc = report.main(["--records", str(tmp_path / "records"), "--output", str(out), *args])
    return rc, out.read_text()


@pytest.fixture(autouse=True)
def outside_a_run(monkeypatch):
    # tests/run exports what it has run so far for the report stage; these cases judge a whole run's records.
    monkeypatch.delenv("SINAPUM_RUN_SINCE", raising=False)
    monkeypatch.delenv("SINAPUM_RUN_STAGES", raising=False)


@pytest.fixture
def records(tmp_path):
    directory = tmp_path / "records"
    directory.mkdir()
    return directory


def test_every_test_with_a_passing_record_passes(tmp_path, records, capsys):
    for pid, test in ALL:
        write(records, pid, test)
    rc, text = run(tmp_path)
    assert rc == 0, capsys.readouterr().out
    assert f"{len(ALL)} tests of {len(PROMISES)} promises: {len(ALL)} passed." in text


def test_a_molecule_promise_without_a_record_is_not_run_and_fails(tmp_path, records, capsys):
    for pid, test in ALL:
        if (pid, test) != REBOOT:
            write(records, pid, test)
    rc, text = run(tmp_path)
    out = capsys.readouterr().out
    assert rc == 1
    assert f"report: NOT RUN  {REBOOT[1]}" in out.splitlines()[0]
    assert f"`{REBOOT[1]}` | **NOT RUN** |" in text


def test_a_record_older_than_the_run_counts_only_for_the_stages_not_run(tmp_path, records, capsys):
    for pid, test in ALL:
        write(records, pid, test, when="2030-01-01T00:00:10Z" if test.startswith("tests/") else "2029-12-31T00:00:00Z")
    rc = run(tmp_path, "--since", "2030-01-01T00:00:00Z", "--stages", "unit", "deploy")[0]
    assert rc == 0, capsys.readouterr().out
    rc = run(tmp_path, "--since", "2030-01-01T00:00:00Z", "--stages", "unit", "deploy", "molecule")[0]
    out = capsys.readouterr().out
    assert rc == 1 and f"report: NOT RUN  {REBOOT[1]}" in out


def test_a_record_for_a_promise_or_test_not_listed_fails(tmp_path, records, capsys):
    for pid, test in ALL:
        write(records, pid, test)
    write(records, "no_such_promise", RUNNER[1] + "x")
    write(records, "bad_input_refused", RUNNER[1])
    rc = run(tmp_path)[0]
    out = capsys.readouterr().out
    assert rc == 1
    assert "names the promise no_such_promise, which promises.yml does not list" in out
    assert f"a record of {RUNNER[1]} for bad_input_refused: promises.yml does not list that test under it" in out


def test_a_record_not_listed_from_before_the_run_is_no_problem_of_the_run(tmp_path, records, capsys):
    for pid, test in ALL:
        write(records, pid, test, when="2030-01-01T00:00:10Z")
    write(records, "no_such_promise", RUNNER[1] + "x", when="2029-12-31T23:00:00Z")
    write(records, "bad_input_refused", RUNNER[1] + "[stale]", when="2029-12-31T23:00:00Z")
    rc = run(tmp_path, "--since", "2030-01-01T00:00:00Z")[0]
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "does not list" not in out
    write(records, "no_such_promise", RUNNER[1] + "y", when="2030-01-01T00:00:20Z")
    rc = run(tmp_path, "--since", "2030-01-01T00:00:00Z")[0]
    assert rc == 1
    assert "names the promise no_such_promise, which promises.yml does not list" in capsys.readouterr().out


@pytest.mark.parametrize("result", ["failed", "error", "skipped"])
def test_a_case_that_did_not_pass_fails_and_is_named_first(tmp_path, records, capsys, result):
    for pid, test in ALL:
        write(records, pid, test)
    write(records, RUNNER[0], RUNNER[1] + "[case-b]", result=result)
    rc, text = run(tmp_path)
    first = capsys.readouterr().out.splitlines()[0]
    assert rc == 1
    assert first.startswith(f"report: {result.upper()}  {RUNNER[1]}: case-b"), first
    assert f"`{RUNNER[1]}[...] (2 cases)`" in text
