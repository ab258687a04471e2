# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Under CI (CI=true) a test that skips - for want of its server, an image, a program - fails instead.

On a developer's machine a missing Docker engine or rig image may be a fair reason to skip; in CI every server the
tests need is there by construction, so a skip there means a promise went unchecked while the run looked green.
The conftest.py files of tests/unit and tests/integration take the hook from here by name.
"""

from __future__ import annotations

import os

import pytest


def under_ci():
    return os.environ.get('CI', '').strip().lower() in ('true', '1', 'yes')


def _skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if under_ci() and report.skipped and not hasattr(report, 'wasxfail'):
        report.outcome = 'failed'
        report.longrepr = 'skipped under CI=true, where every server the tests need must be there: %s' % (
            _skip_reason(report))
