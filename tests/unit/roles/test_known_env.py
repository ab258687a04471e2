# SPDX-License-Identifier: GPL-3.0-or-later
"""The environment names the chatwoot role knows Chatwoot reads (vars/main.yml), against which chatwoot_extra_env
is checked for typos: their shape, the version they were taken from, and the names that release's source reads."""
import re
from pathlib import Path

import pytest
import yaml

VARS_FILE = Path(__file__).resolve().parents[3] / "roles" / "chatwoot" / "vars" / "main.yml"
VARS = yaml.safe_load(VARS_FILE.read_text())
KNOWN = VARS["__chatwoot_known_env"]
LIBRARIES = VARS.get("__chatwoot_known_env_libraries", [])
PREFIXES = VARS["__chatwoot_known_env_prefixes"]
# What Chatwoot's source at that release reads, recorded from it (tests/tools/chatwoot_env_names.py), so the
# comparison needs no Chatwoot checkout on the machine.
RECORDED = Path(__file__).resolve().parent / "chatwoot_env_names.txt"


def known(name):
    return name in KNOWN or name in LIBRARIES or name.startswith(tuple(PREFIXES))


def test_the_lists_are_sorted_unique_names():
    assert KNOWN == sorted(set(KNOWN)), "keep __chatwoot_known_env sorted and free of repeats, so a diff shows what moved"
    for name in KNOWN + LIBRARIES:
        assert re.fullmatch(r"[A-Z0-9_]+", name), name
    for prefix in PREFIXES:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*_", prefix), prefix


def test_the_comment_says_which_release_and_how():
    comment = VARS_FILE.read_text().split("__chatwoot_known_env:", 1)[0].rsplit("\n\n", 1)[-1]
    assert "v4.15.1" in comment and "ENV.fetch" in comment and "GlobalConfigService.load" in comment, comment


@pytest.mark.parametrize("name", ["SMTP_OPEN_TIMEOUT", "SMTP_READ_TIMEOUT", "SIDEKIQ_ALIVE_HOST", "SIDEKIQ_ALIVE_PORT",
                                  "SIDEKIQ_ALIVE_PATH", "DISABLE_SIDEKIQ_ALIVE", "PGSSLROOTCERT", "SSL_CERT_FILE",
                                  "SSL_CERT_DIR", "REDIS_OPENSSL_VERIFY_MODE", "SMTP_ADDRESS", "FB_APP_ID",
                                  "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT"])
def test_names_chatwoot_or_its_libraries_read_are_known(name):
    assert known(name)


@pytest.mark.parametrize("name", ["ACTIVE_STORAGE_CACHE_CONTROL", "USE_INBOX_AVATAR_FOR_BOT", "DIRECT_UPLOADS_ENABLED",
                                  "SMTP_ADRESS", "ENABLE_ACCOUNT_SIGNUPS"])
def test_names_chatwoot_does_not_read_are_not_known(name):
    assert not known(name)


def test_the_list_is_what_the_release_reads():
    # The names Chatwoot's source reads, recorded from the release by tests/tools/chatwoot_env_names.py.
    lines = RECORDED.read_text().splitlines()
    assert "v4.15.1" in lines[0], "the recorded names are of another release than the role's list"
    read = set(lines[1:])
    assert sorted(read - set(KNOWN)) == [], "read by Chatwoot but not in __chatwoot_known_env"
    assert sorted(set(KNOWN) - read) == [], "in __chatwoot_known_env but not read by Chatwoot"
