# SPDX-License-Identifier: GPL-3.0-or-later
"""Mail and storage settings: what is wrong stops the run (cases in test_bad_input.py's catalogue); what is only
doubtful is said, and the run goes on."""
import json

from conftest import playbook


def test_no_smtp_server_and_an_unknown_name_are_warned_about_without_stopping(first_run):
    # Names as Chatwoot 4.15.1 reads them: SMTP_OPEN_TIMEOUT is read, DIRECT_UPLOADS_ENABLED is a database setting.
    extra = {"chatwoot_extra_env": {"SMTP_ADRESS": "smtp.example.org", "FB_APP_ID": "1234", "SMTP_PORT": 587,
                                    "SMTP_OPEN_TIMEOUT": 10, "DIRECT_UPLOADS_ENABLED": "true"}}
    run = playbook("--check", "-e", json.dumps(extra))
    assert run.rc == 0, run
    assert "warning: chatwoot_extra_env has no SMTP_ADDRESS" in run.out, run
    unknown = run.out.split("warning: chatwoot_extra_env sets ", 1)[1].split("which Chatwoot does not read", 1)[0]
    assert "SMTP_ADRESS" in unknown and "FB_APP_ID" not in unknown and "SMTP_PORT" not in unknown, unknown
    assert "DIRECT_UPLOADS_ENABLED" in unknown and "SMTP_OPEN_TIMEOUT" not in unknown, unknown


def test_a_complete_mail_setting_gives_no_warning(first_run):
    extra = {"chatwoot_extra_env": {"SMTP_ADDRESS": "smtp.example.org", "SMTP_PORT": "587",
                                    "SMTP_USERNAME": "chatwoot", "SMTP_PASSWORD": "mail-Pa$$ 'word'",
                                    "MAILER_SENDER_EMAIL": "Support <support@example.org>"}}
    run = playbook("--check", "-e", json.dumps(extra))
    assert run.rc == 0, run
    assert "warning:" not in run.out, run
