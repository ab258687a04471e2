# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's meta/argument_specs.yml stays in step with its defaults and its entry points."""
from pathlib import Path

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[3] / "roles"
TYPES = {bool: "bool", int: "int", str: "str", dict: "dict", list: "list"}


def load(role, name):
    return yaml.safe_load((ROLES / role / name).read_text())


@pytest.mark.parametrize("role", sorted(p.name for p in ROLES.iterdir()))
def test_main_spec_matches_defaults(role):
    defaults = load(role, "defaults/main.yml")
    options = load(role, "meta/argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(options) == sorted(defaults), "argument_specs and defaults name different variables"
    for name, value in defaults.items():
        spec = options[name]
        assert spec.get("description"), f"{name} has no description"
        # A templated default is typed by what it renders to, which only a run knows.
        templated = isinstance(value, str) and "{{" in value
        if not templated:
            assert spec["type"] == TYPES[type(value)], f"{name}: type {spec['type']} but default is {type(value).__name__}"
            assert spec.get("default") == value, f"{name}: default {spec.get('default')!r} != {value!r}"


@pytest.mark.parametrize("role", sorted(p.name for p in ROLES.iterdir()))
def test_every_entry_point_has_a_spec_and_a_task_file(role):
    specs = load(role, "meta/argument_specs.yml")["argument_specs"]
    main_options = specs["main"]["options"]
    for entry, spec in specs.items():
        assert (ROLES / role / "tasks" / f"{entry}.yml").is_file(), f"entry point {entry} has no tasks/{entry}.yml"
        for name, option in spec.get("options", {}).items():
            assert option == main_options.get(name), f"{entry}.{name} differs from main.{name}"


def test_secrets_are_no_log():
    options = load("chatwoot", "meta/argument_specs.yml")["argument_specs"]["main"]["options"]
    secret_vars = [n for n in options if n.endswith("_password") or "secret" in n or "encryption" in n]
    assert len(secret_vars) == 8
    assert all(options[n].get("no_log") for n in secret_vars)
