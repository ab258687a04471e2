# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/chatwoot/files/host_job.sh, run by sh as the role runs it, against a fake `docker` on PATH: the pull
started in the background returns at once, a round that ends before it says it still runs, the round that sees it
end gives the image IDs and cleans up (a quick pull within the round that starts it), a failing pull is tried again
and then fails with Docker's words, a Postgres image pulled is looked into for pgvector (and the look alone); a
command (db:chatwoot_prepare's) runs once, its output and status given by the round that sees it end, and reads
what the start was given on standard input only with --stdin, the input gone from the job's directory once it runs."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "roles" / "chatwoot" / "files" / "host_job.sh"

# A docker that takes PULL_SECONDS to pull, fails the pulls of refs holding "missing", and knows every other ref
# once pulled (by the file the pull left).
FAKE_DOCKER = """#!/bin/sh
state=${FAKE_STATE:?}
case "$1" in
pull)
    ref=$3
    echo "$ref" >>"$state/pulls"
    sleep "${PULL_SECONDS:-0}"
    case "$ref" in *missing*) echo "manifest for $ref not found" >&2; exit 1 ;; esac
    touch "$state/$(echo "$ref" | tr '/:' '__')"
    ;;
image)
    ref=$5
    [ -f "$state/$(echo "$ref" | tr '/:' '__')" ] || exit 1
    echo "sha256:$(echo "$ref" | tr '/:' '__')"
    ;;
create)
    for ref; do :; done
    [ -f "$state/$(echo "$ref" | tr '/:' '__')" ] || { echo "No such image: $ref" >&2; exit 1; }
    echo "$*" >>"$state/creates"
    echo "c-$(echo "$ref" | tr '/:' '__')"
    ;;
cp)
    # An image whose name holds "pgvector" keeps the extension where Debian's postgresql packages put it.
    case "$2" in
    c-*pgvector*:/usr/share/postgresql)
        mkdir -p "$state/fs/postgresql/17/extension"
        touch "$state/fs/postgresql/17/extension/vector.control" "$state/fs/postgresql/17/extension/plpgsql.control"
        tar -cf - -C "$state/fs" postgresql
        ;;
    c-*:/usr/share/postgresql) mkdir -p "$state/bare/postgresql/17/extension" && tar -cf - -C "$state/bare" postgresql ;;
    *) echo "Error response from daemon: Could not find the file ${2#*:} in container ${2%%:*}" >&2; exit 1 ;;
    esac
    ;;
rm)
    shift
    echo "$*" >>"$state/removed"
    ;;
esac
"""


def setup(tmp_path, pull_seconds=0):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    state = tmp_path / "state"
    state.mkdir()
    env = dict(os.environ, PATH="%s:%s" % (bin_dir, os.environ["PATH"]), FAKE_STATE=str(state),
               PULL_SECONDS=str(pull_seconds))
    return env, state


def job_sh(env, *args, timeout=60):
    return subprocess.run(["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def state(answer):
    """The job=, running= and waited= lines of a round that ended before the job."""
    return dict(line.split("=", 1) for line in answer.stdout.splitlines())


def test_a_pull_starts_in_the_background_and_a_later_round_sees_it_end(tmp_path):
    env, state_dir = setup(tmp_path, pull_seconds=1)
    base = str(tmp_path / "p.lock.pull")
    began = time.monotonic()
    started = job_sh(env, "start", base, "5", "0", "0", "pull", "registry:5000/redis:8", "pgvector/pgvector:pg17")
    assert started.returncode == 0, started.stderr
    assert time.monotonic() - began < 1, "a start with a round of 0 s waited for the pull"
    first = state(started)
    assert set(first) == {"job", "running", "waited"} and first["running"] == "1", started.stdout
    job = first["job"]
    assert job.startswith(base + ".") and (os.stat(job).st_mode & 0o777) == 0o700

    early = job_sh(env, "wait", job, "0")
    assert early.returncode == 0 and state(early)["job"] == job and state(early)["running"] == "1", early

    done = job_sh(env, "wait", job, "10")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["image registry:5000/redis:8=sha256:registry_5000_redis_8",
                                        "image pgvector/pgvector:pg17=sha256:pgvector_pgvector_pg17"]
    assert not os.path.exists(job), "the round that saw the end left the pull's directory behind"
    # both at once: the two pulls of one second each ended within the same round
    assert sorted((state_dir / "pulls").read_text().split()) == ["pgvector/pgvector:pg17", "registry:5000/redis:8"]


def test_a_quick_pull_ends_within_the_round_that_starts_it(tmp_path):
    env, dummy = setup(tmp_path)
    done = job_sh(env, "start", str(tmp_path / "p.lock.pull"), "0", "0", "10", "pull", "redis:8")
    assert done.returncode == 0 and done.stdout.splitlines() == ["image redis:8=sha256:redis_8"], done
    assert not list(tmp_path.glob("p.lock.pull.*")), "the round that saw the end left the pull's directory behind"


def test_a_failing_pull_is_tried_again_then_fails_with_dockers_words(tmp_path):
    env, state_dir = setup(tmp_path)
    done = job_sh(env, "start", str(tmp_path / "p.lock.pull"), "2", "0", "10", "pull", "x/chatwoot:missing", "redis:8")
    assert done.returncode != 0
    assert "manifest for x/chatwoot:missing not found" in done.stderr
    assert "image x/chatwoot:missing=" in done.stdout.splitlines()
    # 1 + 2 retries
    assert (state_dir / "pulls").read_text().split().count("x/chatwoot:missing") == 3
    assert not list(tmp_path.glob("p.lock.pull.*"))


def test_a_pull_looks_for_pgvector_in_the_postgres_image_once_every_pull_has_ended(tmp_path):
    env, state_dir = setup(tmp_path)
    done = job_sh(env, "start", str(tmp_path / "p.lock.pull"), "0", "0", "10", "pull", "--vector", "pgvector/pgvector:pg17",
                  "redis:8", "pgvector/pgvector:pg17")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["image redis:8=sha256:redis_8",
                                        "image pgvector/pgvector:pg17=sha256:pgvector_pgvector_pg17",
                                        "vector pgvector/pgvector:pg17=postgresql/17/extension/vector.control"]
    # created without a pull, a network or the image's entrypoint, never started, and removed with its volumes
    assert (state_dir / "creates").read_text() == (
        "create --pull never --network none --entrypoint sh pgvector/pgvector:pg17\n")
    assert (state_dir / "removed").read_text() == "--volumes c-pgvector_pgvector_pg17\n"


def test_a_postgres_image_without_pgvector_says_so_with_an_empty_answer(tmp_path):
    env, state_dir = setup(tmp_path)
    done = job_sh(env, "start", str(tmp_path / "p.lock.pull"), "0", "0", "10", "pull", "--vector", "postgres:17",
                  "postgres:17")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["image postgres:17=sha256:postgres_17", "vector postgres:17="]
    assert (state_dir / "removed").read_text() == "--volumes c-postgres_17\n"


def test_a_failed_pull_looks_into_nothing(tmp_path):
    env, state_dir = setup(tmp_path)
    done = job_sh(env, "start", str(tmp_path / "p.lock.pull"), "0", "0", "10", "pull", "--vector", "pgvector/pgvector:pg17",
                  "x/chatwoot:missing", "pgvector/pgvector:pg17")
    assert done.returncode != 0 and not [line for line in done.stdout.splitlines() if line.startswith("vector ")], done
    assert not (state_dir / "creates").exists()


def test_the_look_alone_lists_the_control_file_and_nothing_for_an_image_not_there(tmp_path):
    env, state_dir = setup(tmp_path)
    (state_dir / "pgvector_pgvector_pg17").touch()
    found = job_sh(env, "vector", "pgvector/pgvector:pg17")
    assert found.returncode == 0 and found.stdout == "postgresql/17/extension/vector.control\n", found
    absent = job_sh(env, "vector", "pgvector/pgvector:pg16")
    assert absent.returncode == 0 and absent.stdout == "", absent
    assert (state_dir / "removed").read_text() == "--volumes c-pgvector_pgvector_pg17\n"


def test_a_new_start_removes_what_an_interrupted_run_left(tmp_path):
    env, dummy = setup(tmp_path, pull_seconds=1)
    base = str(tmp_path / "p.lock.pull")
    left = state(job_sh(env, "start", base, "0", "0", "0", "pull", "redis:8"))["job"]
    job = state(job_sh(env, "start", base, "0", "0", "0", "pull", "redis:8"))["job"]
    assert job != left and not os.path.exists(left)
    assert job_sh(env, "wait", job, "10").returncode == 0


def test_a_round_on_a_removed_job_says_so(tmp_path):
    env, dummy = setup(tmp_path)
    gone = job_sh(env, "wait", str(tmp_path / "p.lock.pull.nothing"), "1")
    assert gone.returncode == 1 and "no job in" in gone.stderr


def test_a_command_runs_once_and_its_round_gives_what_it_printed(tmp_path):
    env, state_dir = setup(tmp_path)
    script = ("echo run >>%s/runs; echo 'Migrating to Foo'; echo 'Foo failed: this and all later migrations canceled' >&2;"
              " sleep 1; exit 3" % state_dir)
    began = time.monotonic()
    started = job_sh(env, "start", str(tmp_path / "p.lock.prepare"), "0", "0", "0", "run", "sh", "-c", script)
    assert started.returncode == 0 and time.monotonic() - began < 1, started
    job = state(started)["job"]
    done = job_sh(env, "wait", job, "10")
    assert done.returncode == 3
    assert done.stdout == "Migrating to Foo\n" and "all later migrations canceled" in done.stderr, done
    assert (state_dir / "runs").read_text() == "run\n", "a command with no retries ran more than once"
    assert not os.path.exists(job)


def test_a_command_reads_what_the_start_was_given_on_standard_input(tmp_path):
    # db:chatwoot_prepare with admin.rb after it: its input (the admin's password among it) goes on standard input.
    env, state_dir = setup(tmp_path)
    base = str(tmp_path / "p.lock.prepare")
    started = subprocess.run(["sh", str(SCRIPT), "start", base, "0", "0", "0", "run", "--stdin", "sh", "-c",
                              "sleep 1; cat >%s/read; echo done" % state_dir],
                             env=env, input='{"password": "s3cret"}\n', capture_output=True, text=True, timeout=60,
                             check=False)
    assert started.returncode == 0, started.stderr
    job = state(started)["job"]
    done = job_sh(env, "wait", job, "10")
    assert done.returncode == 0 and done.stdout == "done\n", done
    assert (state_dir / "read").read_text() == '{"password": "s3cret"}\n'
    assert not os.path.exists(job)


def test_the_input_is_removed_from_the_jobs_directory_as_soon_as_the_job_has_it_open(tmp_path):
    env, state_dir = setup(tmp_path)
    base = str(tmp_path / "p.lock.prepare")
    script = "cat >%s/read; sleep 2; echo done" % state_dir
    started = subprocess.run(["sh", str(SCRIPT), "start", base, "0", "0", "0", "run", "--stdin", "sh", "-c", script],
                             env=env, input="secret input\n", capture_output=True, text=True, timeout=60, check=False)
    job = state(started)["job"]
    # Until the command has read it all: the shell makes the file (its redirection) before cat writes into it.
    read = state_dir / "read"
    deadline = time.monotonic() + 5
    while not (read.exists() and read.read_text() == "secret input\n") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert read.read_text() == "secret input\n"
    # The job still runs, and the input is nowhere in its directory (0700, root's only: mktemp -d).
    assert (os.stat(job).st_mode & 0o777) == 0o700
    assert sorted(os.listdir(job)) == ["attempt", "began", "err", "out", "pid"], os.listdir(job)
    assert job_sh(env, "wait", job, "10").stdout == "done\n"


def test_without_stdin_a_command_reads_nothing(tmp_path):
    env, state_dir = setup(tmp_path)
    started = subprocess.run(["sh", str(SCRIPT), "start", str(tmp_path / "p.lock.prepare"), "0", "0", "10", "run", "sh",
                              "-c", "cat; echo end"], env=env, input="not for the job\n", capture_output=True,
                             text=True, timeout=60, check=False)
    assert started.returncode == 0 and started.stdout == "end\n", started


def test_an_unknown_kind_of_job_is_refused_before_anything_starts(tmp_path):
    env, dummy = setup(tmp_path)
    refused = job_sh(env, "start", str(tmp_path / "p.lock.x"), "0", "0", "0", "pul", "redis:8")
    assert refused.returncode == 2 and "no job kind pul" in refused.stderr, refused
    assert not list(tmp_path.glob("p.lock.x.*"))


def test_a_command_does_not_start_beside_an_earlier_runs_command_that_still_runs(tmp_path):
    # The run that started the first was stopped and its lock taken over: a second db:chatwoot_prepare would race it.
    env, state_dir = setup(tmp_path)
    base = str(tmp_path / "p.lock.prepare")
    first = state(job_sh(env, "start", base, "0", "0", "0", "run", "sh", "-c", "sleep 2; echo first"))["job"]
    second = job_sh(env, "start", base, "0", "0", "0", "run", "sh", "-c", "echo second >%s/second" % state_dir)
    assert second.returncode == 1 and "an earlier run's job still runs on this host (%s, pid " % first in second.stderr
    assert os.path.isdir(first) and not (state_dir / "second").exists()
    assert job_sh(env, "wait", first, "10").stdout == "first\n"
    # Once it has ended, the next starts.
    third = job_sh(env, "start", base, "0", "0", "10", "run", "echo", "third")
    assert third.returncode == 0 and third.stdout == "third\n", third


def test_a_pull_starts_beside_an_earlier_runs_pull(tmp_path):
    env, dummy = setup(tmp_path, pull_seconds=2)
    base = str(tmp_path / "p.lock.pull")
    first = state(job_sh(env, "start", base, "0", "0", "0", "pull", "redis:8"))["job"]
    second = job_sh(env, "start", base, "0", "0", "10", "pull", "redis:8")
    assert second.returncode == 0 and second.stdout.splitlines() == ["image redis:8=sha256:redis_8"], second
    assert not os.path.exists(first)
