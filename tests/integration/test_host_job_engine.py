# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/chatwoot/files/host_job.sh's look for pgvector against the real Docker engine and the rig's pgvector image,
which declares its data directory a VOLUME: the container the look creates gets an anonymous volume, and the look
must leave neither behind (every deploy that pulls a Postgres image looks into it). The real docker is called through
a wrapper that notes, before each rm, the volumes of the container it removes.
Needs the engine and the rig's images (tests/rig/up.sh); skipped otherwise (a failure under CI).
Creates containers: run it under /work/docker.lock on the shared machine."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import health_servers as hs

SCRIPT = Path(__file__).resolve().parents[2] / 'roles' / 'chatwoot' / 'files' / 'host_job.sh'
IMAGE = 'sinapum-rig/pgvector:pg17'

# Notes the container's volumes (and the container) before an rm, then runs the real docker with the same arguments.
WRAPPER = """#!/bin/sh
if [ "$1" = rm ]; then
    for c; do :; done
    echo "container $c" >>"$NOTES"
    "$REAL_DOCKER" container inspect --format '{{range .Mounts}}volume {{.Name}}{{"\\n"}}{{end}}' "$c" >>"$NOTES"
fi
exec "$REAL_DOCKER" "$@"
"""


def test_the_look_for_pgvector_leaves_no_container_and_no_volume(tmp_path):
    hs.require_engine_and_images((IMAGE,))
    assert hs.docker('image', 'inspect', '--format', '{{json .Config.Volumes}}', IMAGE).stdout.strip() != 'null', (
        '%s declares no VOLUME: this test would prove nothing' % IMAGE)
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    wrapper = bin_dir / 'docker'
    wrapper.write_text(WRAPPER)
    wrapper.chmod(0o755)
    notes = tmp_path / 'notes'
    env = dict(os.environ, PATH='%s:%s' % (bin_dir, os.environ['PATH']), NOTES=str(notes),
               REAL_DOCKER=shutil.which('docker'))

    look = subprocess.run(['sh', str(SCRIPT), 'vector', IMAGE], env=env, capture_output=True, text=True, timeout=120,
                          check=False)

    assert look.returncode == 0 and look.stdout.endswith('/extension/vector.control\n'), look
    lines = notes.read_text().splitlines()
    containers = [line.split(' ', 1)[1] for line in lines if line.startswith('container ')]
    volumes = [line.split(' ', 1)[1] for line in lines if line.startswith('volume ')]
    assert len(containers) == 1 and volumes, 'the look removed %s, with volumes %s' % (containers, volumes)
    left = hs.docker('ps', '-aq', '--no-trunc', '--filter', 'id=%s' % containers[0]).stdout.split()
    assert left == [], 'the look left its container'
    still = [volume for volume in volumes
             if hs.docker('volume', 'inspect', volume, check=False).returncode == 0]
    for volume in still:
        hs.docker('volume', 'rm', volume, check=False)
    assert still == [], 'the look left the anonymous volume of its container: %s' % still
