# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by every pytest suite of the project (tests/e2e, tests/unit, tests/integration)."""

# The promise marker and its records for docs/reliability.md.
pytest_plugins = ["reliability.plugin"]
