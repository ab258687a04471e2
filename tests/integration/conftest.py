# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the chatwoot_health tests (see health_fixtures.py); under CI a skip is a failure (ci_skips.py)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ci_skips  # noqa: E402  pylint: disable=wrong-import-position
import health_fixtures  # noqa: E402  pylint: disable=wrong-import-position

pg = health_fixtures.pg
redis_pw = health_fixtures.redis_pw
redis_nopw = health_fixtures.redis_nopw
sidekiq = health_fixtures.sidekiq
own_sidekiq = health_fixtures.own_sidekiq
app = health_fixtures.app
web = health_fixtures.web
fake_docker = health_fixtures.fake_docker
healthy_args = health_fixtures.healthy_args
pytest_runtest_makereport = ci_skips.pytest_runtest_makereport
