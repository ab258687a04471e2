# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/docker_engine/files/probe.sh, run by sh as the role runs it (sh -c "$(cat probe.sh)" probe MARKER PACKAGE...),
with a docker and a dpkg-query of the test's own first on PATH: it asks the Docker CLI twice side by side, and every
key=value line it prints comes out whole and once, whatever order the questions end in."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "roles" / "docker_engine" / "files" / "probe.sh"

# Each of the two docker calls says it has begun, then waits for the other to begin: run one after the other, the first
# gives up (after 10 s, a guard, not a measure) and says so in its answer.
DOCKER = r"""#!/bin/sh
dir=$(dirname "$0")
meet() {
    : > "$dir/begun-$1"
    i=0
    while [ ! -e "$dir/begun-$2" ]; do
        i=$((i + 1))
        [ "$i" -gt 200 ] && { printf 'alone'; return; }
        sleep 0.05
    done
}
case "$*" in
"version --format {{.Server.Version}}")
    [ -e "$dir/down" ] && { : > "$dir/begun-server"; exit 1; }
    printf '27.3.1%s\n' "$(meet server compose)" ;;
"version")
    echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2
    exit 1 ;;
"compose version --short")
    printf '2.29.7%s\n' "$(meet compose server)" ;;
*)
    exit 2 ;;
esac
"""
DPKG_QUERY = """#!/bin/sh
printf 'installed docker.io\\ninstalled docker-cli\\nnot-installed docker-compose\\n'
"""


def probe(tmp_path, down=False):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("docker", DOCKER), ("dpkg-query", DPKG_QUERY)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    if down:
        (bin_dir / "down").touch()
    env = dict(os.environ, PATH="%s:%s" % (bin_dir, os.environ["PATH"]))
    proc = subprocess.run(["sh", "-c", SCRIPT.read_text(), "probe", str(tmp_path / "marker"), "docker.io",
                           "docker-cli", "docker-compose"], env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    lines = proc.stdout.splitlines()
    return proc.returncode, lines, dict(line.split("=", 1) for line in lines)


def test_the_docker_cli_is_asked_twice_side_by_side(tmp_path):
    rc, _lines, said = probe(tmp_path)
    assert rc == 0
    assert said["server"] == "27.3.1" and said["compose"] == "2.29.7", said


def test_every_line_comes_out_whole_and_once(tmp_path):
    rc, lines, said = probe(tmp_path)
    assert rc == 0
    keys = [line.split("=", 1)[0] for line in lines]
    assert all("=" in line for line in lines), lines
    assert len(keys) == len(set(keys)), lines
    assert {"cli", "server", "compose", "marker", "packages", "requests"} <= set(keys), lines
    assert said["cli"] == "yes" and said["marker"] == "no" and said["requests"] in ("yes", "no")
    assert said["packages"].split() == ["docker.io", "docker-cli"], said


def test_an_engine_that_does_not_answer_is_said_with_its_error(tmp_path):
    rc, lines, said = probe(tmp_path, down=True)
    assert rc == 0
    assert said["server"] == "" and said["compose"] == "2.29.7", lines
    assert "Cannot connect to the Docker daemon" in base64.b64decode(said["server_error"]).decode(), said
