# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Under CI=true a skipped test of these suites fails (tests/integration/ci_skips.py), run for real in a pytest of
its own: a skip in a fixture (a server that is not there) and in the test itself; an expected failure stays one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

INTEGRATION = Path(__file__).resolve().parents[1] / 'integration'

CONFTEST = '''
import sys
sys.path.insert(0, %r)
import ci_skips
pytest_runtest_makereport = ci_skips.pytest_runtest_makereport
''' % str(INTEGRATION)

TESTS = '''
import pytest

@pytest.fixture()
def server():
    pytest.skip('no Docker engine answers')

def test_needs_a_server(server):
    pass

def test_skips_itself():
    pytest.skip('redis-server is not installed')

@pytest.mark.xfail(reason='known', strict=True)
def test_known_failure():
    assert False

def test_passes():
    pass
'''


def run_pytest(directory, ci):
    env = dict(os.environ)
    env.pop('CI', None)
    if ci is not None:
        env['CI'] = ci
    return subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rA', str(directory)],
                          cwd=str(directory), env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture()
def suite(tmp_path):
    (tmp_path / 'conftest.py').write_text(CONFTEST)
    (tmp_path / 'test_sample.py').write_text(TESTS)
    return tmp_path


@pytest.mark.promise("under_ci_a_skip_fails")
@pytest.mark.parametrize('value', ['true', 'TRUE', '1'])
def test_under_ci_a_skip_fails(suite, value):
    proc = run_pytest(suite, value)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # the skip in the fixture is an error of the set-up, the one in the test a failure
    assert '1 failed, 1 passed, 1 xfailed, 1 error' in proc.stdout, proc.stdout
    assert 'skipped under CI=true, where every server the tests need must be there: Skipped: no Docker engine ' \
        'answers' in proc.stdout
    assert 'Skipped: redis-server is not installed' in proc.stdout


@pytest.mark.parametrize('value', [None, 'false', ''])
def test_elsewhere_a_skip_stays_a_skip(suite, value):
    proc = run_pytest(suite, value)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '1 passed, 2 skipped, 1 xfailed' in proc.stdout, proc.stdout
