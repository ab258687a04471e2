# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What chatwoot_host_info reads from files: modes, owners and checksums as read_host.sh's `stat -c '%a %U %G'` and
`sha1sum` gave them, the record and the secrets as JSON objects, and the run lock's holder."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from ansible_collections.sinapum.chatwoot.plugins.module_utils._host_files import (
    HostFileError,
    file_facts,
    read_json_object,
    read_lock,
)


def shell_stat(path):
    """What read_host.sh printed for stat_NAME and sha1_NAME."""
    stat = subprocess.run(['stat', '-c', '%a %U %G', path], capture_output=True, text=True, check=True).stdout.strip()
    sha1 = ''
    if os.path.isfile(path):
        sha1 = subprocess.run(['sh', '-c', 'sha1sum <"$1" | cut -d" " -f1', 'sh', path], capture_output=True, text=True,
                              check=True).stdout.strip()
    return stat, sha1


def as_read_host(facts):
    return '%s %s %s' % (facts['mode'].lstrip('0') or '0', facts['owner'], facts['group'])


def test_file_directory_and_link_as_stat_gives_them(tmp_path):
    env = tmp_path / '.env'
    env.write_text("POSTGRES_PASSWORD='x'\n")
    env.chmod(0o600)
    project = tmp_path / 'project'
    project.mkdir(mode=0o750)
    project.chmod(0o750)
    link = tmp_path / 'link'
    link.symlink_to(env)
    for path in (env, project, link):
        facts = file_facts(str(path))
        stat, sha1 = shell_stat(str(path))
        assert facts['exists'] and as_read_host(facts) == stat and facts['sha1'] == sha1
    assert file_facts(str(env))['mode'] == '0600' and file_facts(str(env))['type'] == 'file'
    assert file_facts(str(project))['type'] == 'directory' and file_facts(str(project))['sha1'] == ''
    # the link itself (stat -c), the checksum of what it points to (sha1sum < link)
    assert file_facts(str(link))['type'] == 'link' and file_facts(str(link))['mode'] == '0777'
    assert file_facts(str(link))['sha1'] == hashlib.sha1(env.read_bytes()).hexdigest()


def test_missing_and_dangling(tmp_path):
    dangling = tmp_path / 'dangling'
    dangling.symlink_to(tmp_path / 'gone')
    for path in (tmp_path / 'none', dangling):
        assert file_facts(str(path)) == {'path': str(path), 'exists': False, 'type': '', 'mode': '', 'owner': '',
                                         'group': '', 'sha1': ''}


@pytest.mark.skipif(os.geteuid() != 0, reason='chown needs root')
def test_an_owner_without_a_name_is_its_number(tmp_path):
    path = tmp_path / 'f'
    path.write_text('x')
    os.chown(str(path), 54321, 54322)
    facts = file_facts(str(path))
    assert (facts['owner'], facts['group']) == ('54321', '54322')


def test_json_objects(tmp_path):
    assert read_json_object(str(tmp_path / 'none.json'), 'record') == {}
    good = tmp_path / 'deployed.json'
    good.write_text('{\n  "version": "v4.15.1"\n}\n')
    assert read_json_object(str(good), 'record') == {'version': 'v4.15.1'}
    bad = tmp_path / 'secrets.json'
    bad.write_text('{"postgres_password": "Half-S3cret')
    with pytest.raises(HostFileError) as caught:
        read_json_object(str(bad), 'secrets file')
    assert 'is not valid JSON' in str(caught.value) and 'Half-S3cret' not in str(caught.value)
    listed = tmp_path / 'list.json'
    listed.write_text('["a"]')
    with pytest.raises(HostFileError, match='holds a JSON list, not an object'):
        read_json_object(str(listed), 'record')
    with pytest.raises(HostFileError, match='cannot read the record'):
        read_json_object(str(tmp_path), 'record')


def test_lock(tmp_path):
    path = tmp_path / 'chatwoot.lock'
    assert read_lock(str(path), 1000) == {'path': str(path), 'state': 'free', 'age': 0, 'holder': {}}
    path.write_text('run=abc\nwhat=deploy\ncontroller=ctl\nuser=root\nstarted=900\nstarted_utc=x=y\nrun=later\n')
    lock = read_lock(str(path), 1000)
    assert lock['state'] == 'held' and lock['age'] == 100
    # the first line of a key counts, as chatwoot-lock.sh's `sed ... | head -n 1`
    assert lock['holder'] == {'run': 'abc', 'what': 'deploy', 'controller': 'ctl', 'user': 'root', 'started': '900',
                              'started_utc': 'x=y'}
    path.write_text('written by hand\n')
    assert read_lock(str(path), 1000) == {'path': str(path), 'state': 'held', 'age': 0, 'holder': {}}
