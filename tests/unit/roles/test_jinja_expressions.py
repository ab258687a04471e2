# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Decisions belong in Python (module_utils/_deploy_plan.py and the filters over it), where each is unit-tested: a Jinja
expression in a role's tasks/ or vars/ that spans more than three lines says, in a comment just above it that holds
the words "not Python", why it stays Jinja. Messages (fail_msg, msg, names, labels) are prose and file contents
(content, secret_content) are templates: neither is a decision."""

from __future__ import annotations

import pathlib

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
PROSE = {'fail_msg', 'msg', 'success_msg', 'label', 'name', 'content', 'secret_content'}
# How far above the key the comment may be: a task's comment block sits above its "- name:" line.
REACH = 12


def long_expressions(path):
    """(line, key, lines) of each Jinja scalar of PATH that spans more than three lines."""
    found = []
    text_lines = path.read_text().splitlines()

    def span(node):
        """The source lines the scalar's text takes: a block scalar (>-, |) starts on the line after its indicator."""
        first = node.start_mark.line + (1 if node.style in ('>', '|') else 0)
        last = node.end_mark.line if node.end_mark.column > 0 else node.end_mark.line - 1
        return sum(1 for text in text_lines[first:last + 1] if text.strip())

    def walk(node, key):
        if isinstance(node, yaml.ScalarNode):
            lines = span(node)
            if ('{{' in node.value or '{%' in node.value) and lines > 3 and key not in PROSE:
                found.append((node.start_mark.line + 1, key, lines))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                walk(value, key_node.value)
        elif isinstance(node, yaml.SequenceNode):
            for value in node.value:
                walk(value, key)

    for document in yaml.compose_all(path.read_text()):
        if document is not None:
            walk(document, None)
    return found


def explained(text_lines, line):
    """Whether a comment holding "not Python" sits within REACH lines above LINE (1-based)."""
    above = text_lines[max(line - 1 - REACH, 0):line - 1]
    return any(text.strip().startswith('#') and 'not python' in text.lower() for text in above)


FILES = sorted(p for role in (REPO / 'roles').iterdir() for sub in ('tasks', 'vars') for p in (role / sub).glob('*.yml'))


@pytest.mark.parametrize('path', FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_every_long_jinja_expression_says_why_it_is_not_python(path):
    text_lines = path.read_text().splitlines()
    unexplained = ['%s:%d %s (%d lines)' % (path.relative_to(REPO), line, key, lines)
                   for line, key, lines in long_expressions(path) if not explained(text_lines, line)]
    assert not unexplained, 'say above each, in a comment with "not Python", why it is Jinja: ' + '; '.join(unexplained)


def test_the_finder_sees_a_long_expression_and_its_comment(tmp_path):
    sample = tmp_path / 'main.yml'
    sample.write_text('---\n- name: A\n  ansible.builtin.set_fact:\n    short: "{{ 1 }}"\n    long: >-\n'
                      '      {{ [1, 2]\n         | map("string")\n         | map("trim")\n         | join(",") }}\n'
                      '    three: >-\n      {{ 1\n         + 2\n         + 3 }}\n'
                      '  vars:\n    prose_is_fine: x\n')
    assert long_expressions(sample) == [(5, 'long', 4)]
    lines = sample.read_text().splitlines()
    assert not explained(lines, 5)
    lines.insert(1, '# A join of two numbers, not Python: it reads as what it makes.')
    assert explained(lines, 6)
