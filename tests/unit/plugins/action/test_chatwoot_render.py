# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chatwoot_render: the text of each template is the template lookup's, byte for byte, and its checksum is that
text's SHA-1; through ansible-playbook, in a role, as the chatwoot role renders .env and the compose file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from ansible_collections.sinapum.chatwoot.plugins.action.chatwoot_render import search_path, sha1

REPO = Path(__file__).resolve().parents[4]

# What the role's templates use: ansible_managed, an include beside the template, a loop with trim_blocks, a value read
# from the host that looks like a template (rendered as text, never again), text that is not ASCII, trailing newlines.
MAIN = """# {{ ansible_managed }}
# {{ template_path | basename }}
{% for name in names %}
{{ name | upper }}={{ values[name] }}
{% endfor %}
{% include 'part.j2' %}
ÁÉ ünïcode ✓
READ={{ read.stdout }}
END


"""
PART = "PART={{ names | length }}\n"


def test_search_path_puts_the_templates_own_directory_first_then_each_path_and_its_templates():
    assert search_path({'ansible_search_path': ['/r/role', '/r']}, '/r/role/templates/x.j2') == [
        '/r/role/templates', '/r/role/templates', '/r/role', '/r/templates', '/r']
    assert search_path({}, '/t/x.j2') == ['/t']


def test_sha1_is_that_of_the_utf8_text():
    assert sha1('ünï ✓\n') == hashlib.sha1('ünï ✓\n'.encode('utf-8')).hexdigest()
    assert sha1('') == 'da39a3ee5e6b4b0d3255bfef95601890afd80709'


def _play(tmp_path, templates, extra_tasks=()):
    role = tmp_path / 'roles' / 'r'
    (role / 'templates').mkdir(parents=True)
    (role / 'tasks').mkdir()
    (role / 'templates' / 'main.j2').write_text(MAIN, encoding='utf-8')
    (role / 'templates' / 'part.j2').write_text(PART)
    tasks = [
        # Untrusted, as everything a host answers: '{{ x }}' must come out as these characters.
        {'name': 'Read', 'ansible.builtin.command': {'argv': ['printf', '%s%s', '{', '{ x }}']}, 'register': 'read',
         'changed_when': False},
        {'name': 'Render', 'sinapum.chatwoot.chatwoot_render': {'templates': templates}, 'register': 'rendered'},
        *extra_tasks,
    ]
    (role / 'tasks' / 'main.yml').write_text(json.dumps(tasks))
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{
        'hosts': 'localhost', 'gather_facts': False, 'roles': ['r'],
        'vars': {'names': ['b', 'a'], 'values': {'a': 'one', 'b': 'two'}}}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / '.ansible' / 'collections'), ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_NOCOLOR='1', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default', ANSIBLE_CALLBACK_RESULT_FORMAT='json',
               ANSIBLE_ROLES_PATH=str(tmp_path / 'roles'))
    return subprocess.run([str(Path(sys.executable).parent / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                           '-e', 'ansible_python_interpreter=' + sys.executable, str(playbook)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)


def test_the_text_is_the_template_lookups_and_the_checksum_its_sha1(tmp_path):
    run = _play(tmp_path, {'main': 'main.j2', 'part': 'part.j2'}, [
        {'name': 'Compare with the lookup', 'ansible.builtin.assert': {'that': [
            "rendered.content.main == lookup('ansible.builtin.template', 'main.j2')",
            "rendered.content.part == lookup('ansible.builtin.template', 'part.j2')",
            "rendered.sha1.main == lookup('ansible.builtin.template', 'main.j2') | hash('sha1')",
            "rendered.sha1.part == rendered.content.part | hash('sha1')",
            "rendered.content.main is search('^B=two\\nA=one$', multiline=true)",
            "rendered.content.main is search('^READ=[{][{] x [}][}]$', multiline=true)",
            "rendered.content.main is search('^PART=2', multiline=true)",
            "rendered.content.main is search('^# main.j2$', multiline=true)",
            "rendered.content.main is search('ünïcode ✓')",
            "rendered.content.main.endswith('END\\n\\n\\n')",
            "not rendered.changed"]}},
    ])
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'All assertions passed' in run.stdout, run.stdout


def test_a_missing_template_fails_and_says_which(tmp_path):
    run = _play(tmp_path, {'main': 'absent.j2'})
    assert run.returncode == 2, run.stdout + run.stderr
    assert 'absent.j2' in run.stdout + run.stderr, run.stdout + run.stderr


def test_a_name_that_is_not_a_file_name_is_refused(tmp_path):
    run = _play(tmp_path, {'main': ''})
    assert run.returncode == 2, run.stdout + run.stderr
    assert 'templates.main: a template file name is needed' in run.stdout + run.stderr, run.stdout + run.stderr
