# SPDX-License-Identifier: GPL-3.0-or-later
"""The first administrator, the onboarding page, the installation settings and the token for automation (issue 14).

Most tests use the session's deployed project (its vars.yml names an admin email, so the first run made the admin);
the host onboarded by hand beforehand is a project of its own, deployed twice and removed.
"""
import http.client
import json
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from conftest import CONTAINERS, VARS, own_project, playbook, psql, redis_cli, remove_project, secrets, sh

ONBOARDING_KEY = "alfred:CHATWOOT_INSTALLATION_ONBOARDING"
ADMIN = VARS["chatwoot_admin_email"]
ACCOUNT = VARS["chatwoot_account_name"]


def runner(code, stdin="", container=CONTAINERS["rails"]):
    """Chatwoot's rails runner in the web container; what the code prints."""
    proc = subprocess.run(["docker", "exec", "-i", container, "bundle", "exec", "rails", "runner", code], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip()


def request(method, path, port=VARS["chatwoot_rails_port"], form=None):
    """One HTTP request to web, redirects not followed: (status, Location)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = urllib.parse.urlencode(form) if form is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, urllib.parse.urlsplit(resp.getheader("Location") or "").path


def onboarding_form(email, password="Hand1!pass", company="Hand Co"):
    return {"user[name]": "Someone", "user[company]": company, "user[email]": email, "user[password]": password}


def setting(name, container=CONTAINERS["rails"]):
    return json.loads(runner(f"puts InstallationConfig.find_by(name: {name!r}).value.to_json", container=container))


def counts():
    return psql("SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM accounts) || ' ' || "
                "(SELECT count(*) FROM platform_apps)")


@pytest.mark.promise("fresh_deploy_makes_the_admin_and_closes_onboarding")
def test_fresh_deploy_makes_the_admin_and_closes_onboarding(first_run):
    row = psql("SELECT u.type || ' ' || au.role || ' ' || a.name FROM users u JOIN account_users au ON au.user_id = u.id "
               f"JOIN accounts a ON a.id = au.account_id WHERE u.email = '{ADMIN}'")
    assert row == f"SuperAdmin 1 {ACCOUNT}"  # role 1: administrator (AccountUser.roles)
    # One user, one account and one app made by the deploy, whatever rows the session's earlier tests added (an
    # account of test_durability's).
    made = psql("SELECT (SELECT count(*) FROM users) || ' ' || "
                f"(SELECT count(*) FROM accounts WHERE name = '{ACCOUNT}') || ' ' || "
                "(SELECT count(*) FROM platform_apps)")
    assert made == "1 1 1"
    assert redis_cli("EXISTS", ONBOARDING_KEY) == "0"
    assert request("GET", "/") == (200, "")
    assert request("GET", "/installation/onboarding") == (302, "/")
    # The form Chatwoot leaves open without CSRF check: refused now, nobody else becomes SuperAdmin.
    assert request("POST", "/installation/onboarding", form=onboarding_form("intruder@example.org")) == (302, "/")
    assert psql("SELECT count(*) FROM users") == "1"
    assert f"Administrator {ADMIN} created (SuperAdmin)" in first_run.out
    # admin.rb ran in db:chatwoot_prepare's own process (the role's rake task, mounted into the prepare's one-off
    # container): no second container, no second Rails boot.
    oneoff = first_run.out.split("Ask Chatwoot, in a one-off container]", 1)[1].split("TASK [", 1)[0]
    assert "skipping: [localhost]" in oneoff, oneoff
    prepare = first_run.out.split("Prepare the database (db:chatwoot_prepare)]", 1)[1].split("TASK [", 1)[0]
    assert "changed: [localhost]" in prepare, prepare
    # The kept password is the admin's (devise's bcrypt check, the password on standard input).
    assert runner(f"print User.from_email({ADMIN!r}).valid_password?($stdin.read)", stdin=secrets()["admin_password"]) == "true"


@pytest.mark.promise("admin_and_platform_app_tokens_kept_and_valid")
def test_tokens_are_kept_and_valid(first_run):  # pylint: disable=unused-argument
    kept = secrets()
    assert len(kept["admin_user_token"]) >= 24 and len(kept["platform_app_token"]) >= 24
    assert psql(f"SELECT t.owner_type FROM access_tokens t WHERE t.token = '{kept['admin_user_token']}'") == "User"
    assert psql("SELECT p.name FROM access_tokens t JOIN platform_apps p ON p.id = t.owner_id AND t.owner_type = 'PlatformApp' "
                f"WHERE t.token = '{kept['platform_app_token']}'") == "sinapum.chatwoot"
    assert psql("SELECT string_agg(permissible_type, ',' ORDER BY permissible_type) FROM platform_app_permissibles") == "Account,User"
    noted = json.loads(Path(VARS["chatwoot_state_dir"], "admin.json").read_text())
    assert noted == {"admin_email": ADMIN, "account_id": int(psql(f"SELECT id FROM accounts WHERE name = '{ACCOUNT}'")),
                     "platform_app": "sinapum.chatwoot"}
    assert "account_id" not in kept


@pytest.mark.promise("second_run_leaves_the_admin_as_it_is")
def test_second_run_leaves_the_admin_as_it_is(first_run):  # pylint: disable=unused-argument
    before = (counts(), secrets())
    run = playbook()
    assert run.rc == 0, run
    assert run.changed == 0, run
    assert f"Administrator {ADMIN} present (SuperAdmin); account \"{ACCOUNT}\" present." in run.out
    assert (counts(), secrets()) == before


@pytest.mark.promise("admin_step_asks_chatwoot_again_when_anything_it_settles_changed")
def test_admin_step_asks_again_when_anything_it_settles_changed(first_run):  # pylint: disable=unused-argument
    # A run with nothing to change knows Chatwoot's answer from what admin.rb left in Redis: no Rails boot.
    quiet = playbook()
    assert quiet.rc == 0 and quiet.changed == 0, quiet
    assert "so it was not asked again" in quiet.out, quiet
    assert f"Administrator {ADMIN} present (SuperAdmin); account \"{ACCOUNT}\" present." in quiet.out
    assert redis_cli("EXISTS", "alfred:SINAPUM_CHATWOOT_ADMIN_STATE") == "1"

    # The onboarding key set again (as Chatwoot's seeds do): the takeover window is closed by the next run.
    redis_cli("SET", ONBOARDING_KEY, "true")
    reopened = playbook()
    assert reopened.rc == 0 and reopened.changed == 1, reopened
    assert "Onboarding page closed" in reopened.out and "not asked again" not in reopened.out
    assert redis_cli("EXISTS", ONBOARDING_KEY) == "0"

    # A setting changed in Chatwoot by hand (the super admin console writes the same row): put back.
    runner('InstallationConfig.find_by(name: "ENABLE_ACCOUNT_SIGNUP").update!(value: true)')
    drifted = playbook()
    assert drifted.rc == 0 and drifted.changed == 1, drifted
    assert "Setting ENABLE_ACCOUNT_SIGNUP changed: true -> false" in drifted.out
    assert setting("ENABLE_ACCOUNT_SIGNUP") is False

    # Redis lost what admin.rb left (a flush, a new volume): asked again, nothing to change, and left again.
    redis_cli("DEL", "alfred:SINAPUM_CHATWOOT_ADMIN_STATE")
    forgot = playbook()
    assert forgot.rc == 0 and forgot.changed == 0, forgot
    assert "not asked again" not in forgot.out
    assert redis_cli("EXISTS", "alfred:SINAPUM_CHATWOOT_ADMIN_STATE") == "1"


@pytest.mark.promise("account_signup_setting_takes_effect")
def test_account_signup_setting_takes_effect(first_run):  # pylint: disable=unused-argument
    assert setting("ENABLE_ACCOUNT_SIGNUP") is False
    assert "ENABLE_ACCOUNT_SIGNUP" not in (Path(VARS["chatwoot_project_dir"]) / ".env").read_text()
    # Chatwoot's cached read (GlobalConfig, a day in Redis) is primed, so a stale cache would show.
    assert runner("p GlobalConfigService.account_signup_enabled?") == "false"
    assert runner('p GlobalConfig.get("ENABLE_ACCOUNT_SIGNUP")["ENABLE_ACCOUNT_SIGNUP"]') == "false"
    assert redis_cli("EXISTS", "alfred:V1:GLOBAL_CONFIG:ENABLE_ACCOUNT_SIGNUP") == "1"

    checked = playbook("-e", "chatwoot_enable_account_signup=true", "--check", "--diff")
    assert checked.rc == 0, checked
    assert checked.changed == 1, checked
    assert "Setting ENABLE_ACCOUNT_SIGNUP would change: false -> true" in checked.out
    assert setting("ENABLE_ACCOUNT_SIGNUP") is False

    flipped = playbook("-e", "chatwoot_enable_account_signup=true", "--diff")
    assert flipped.rc == 0, flipped
    assert flipped.changed == 1, flipped  # the row only: .env and the containers stay as they are
    assert "Setting ENABLE_ACCOUNT_SIGNUP changed: false -> true" in flipped.out
    assert setting("ENABLE_ACCOUNT_SIGNUP") is True
    assert redis_cli("EXISTS", "alfred:V1:GLOBAL_CONFIG:ENABLE_ACCOUNT_SIGNUP") == "0"  # InstallationConfig's after_commit
    assert runner("p GlobalConfigService.account_signup_enabled?") == "true"

    again = playbook("-e", "chatwoot_enable_account_signup=true")
    assert again.rc == 0 and again.changed == 0, again

    back = playbook("-e", '{"chatwoot_installation_config": {"INSTALLATION_NAME": "E2E Chat"}}')
    assert back.rc == 0 and back.changed == 1, back
    assert setting("ENABLE_ACCOUNT_SIGNUP") is False
    assert setting("INSTALLATION_NAME") == "E2E Chat"
    restored = playbook()  # INSTALLATION_NAME stays as set: the role writes only the settings it is given
    assert restored.rc == 0 and restored.changed == 0, restored


@pytest.mark.promise("admin_secrets_never_printed")
def test_admin_secrets_never_printed(first_run):  # pylint: disable=unused-argument
    old = secrets()
    new_password = "E2e-Imposed-Passw0rd!"
    run = playbook("-e", f"chatwoot_admin_password={new_password}", "-e", "chatwoot_rotate_tokens=true",
                   "--diff", verbosity=3)
    assert run.rc == 0, run
    kept = secrets()
    assert kept["admin_password"] == new_password
    assert kept["admin_user_token"] != old["admin_user_token"]
    assert kept["platform_app_token"] != old["platform_app_token"]
    for name in ("admin_password", "admin_user_token", "platform_app_token"):
        for value in (old[name], kept[name]):
            assert value not in run.out, f"{name} printed"
    assert runner(f"print User.from_email({ADMIN!r}).valid_password?($stdin.read)", stdin=new_password) == "true"
    assert first_run.out.count(old["admin_password"]) == 0

    settled = playbook("-e", f"chatwoot_admin_password={new_password}")
    assert settled.rc == 0 and settled.changed == 0, settled


HAND = {**{k: v for k, v in VARS.items() if k not in ("chatwoot_admin_email", "chatwoot_account_name")},
        **own_project("hand", 13501), "chatwoot_postgres_port": 15501, "chatwoot_redis_port": 16501,
        "chatwoot_admin_email": ""}


@pytest.fixture(name="hand_project")
def fixture_hand_project(tmp_path):
    vars_file = tmp_path / "hand.json"
    vars_file.write_text(json.dumps(HAND))
    remove_project(HAND)
    yield vars_file
    remove_project(HAND)


@pytest.mark.promise("host_onboarded_by_hand_left_alone")
def test_host_onboarded_by_hand_is_left_alone(hand_project):
    rails, port = f"{HAND['chatwoot_container_prefix']}_rails", HAND["chatwoot_rails_port"]

    def hand_psql(sql):
        return sh("docker", "exec", f"{HAND['chatwoot_container_prefix']}_postgres", "psql", "-U", "chatwoot", "-d",
                  "chatwoot", "-tAc", sql).stdout.strip()

    bare = playbook("-e", f"@{hand_project}")
    assert bare.rc == 0, bare
    assert sh("docker", "port", rails, "3000").stdout.split() == [f"127.0.0.1:{port}"]
    assert "The onboarding page is OPEN" in bare.out
    # Again before anyone onboards: admin.rb left the page open, as it must with no administrator to make, so the run
    # does not boot Rails to ask it again, changes nothing, and still says the page is open.
    bare_again = playbook("-e", f"@{hand_project}")
    assert bare_again.rc == 0 and bare_again.changed == 0, bare_again
    assert "Ask Chatwoot, in its running container]" not in bare_again.out, bare_again
    assert "The onboarding page is OPEN" in bare_again.out and "so it was not asked again" in bare_again.out
    assert request("GET", "/", port=port) == (302, "/installation/onboarding")
    # The operator onboards in the browser (through the loopback port); a bad password is refused as Chatwoot does.
    assert request("POST", "/installation/onboarding", port, onboarding_form("hand@example.org", "weak")) == (302, "/")
    assert hand_psql("SELECT count(*) FROM users") == "0"
    assert request("POST", "/installation/onboarding", port, onboarding_form("Hand@Example.org")) == (302, "/")
    assert hand_psql("SELECT email || ' ' || type FROM users") == "hand@example.org SuperAdmin"
    assert request("GET", "/", port=port) == (200, "")

    adopted = playbook("-e", f"@{hand_project}", "-e", "chatwoot_admin_email=other@example.org")
    assert adopted.rc == 0, adopted
    assert "onboarded already (1 SuperAdmin) and other@example.org is not a user there: left alone" in adopted.out
    assert hand_psql("SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM accounts)") == "1 1"
    assert sh("docker", "port", rails, "3000").stdout.split() == [f"0.0.0.0:{port}"]
    assert setting("ENABLE_ACCOUNT_SIGNUP", container=rails) is False

    again = playbook("-e", f"@{hand_project}", "-e", "chatwoot_admin_email=other@example.org")
    assert again.rc == 0 and again.changed == 0, again


@pytest.mark.promise("platform_app_removed_and_made_again")
def test_platform_app_can_be_removed_and_made_again(first_run):  # pylint: disable=unused-argument
    old = secrets()["platform_app_token"]
    removed = playbook("-e", "chatwoot_platform_app=false")
    assert removed.rc == 0 and removed.changed >= 1, removed
    assert 'Platform App "sinapum.chatwoot" removed' in removed.out
    assert "platform_app_token" not in secrets()
    assert psql("SELECT count(*) FROM platform_apps") == "0"
    assert psql(f"SELECT count(*) FROM access_tokens t JOIN platform_apps p ON p.id = t.owner_id WHERE t.token = '{old}'") == "0"
    again = playbook("-e", "chatwoot_platform_app=false")
    assert again.rc == 0 and again.changed == 0, again

    remade = playbook()
    assert remade.rc == 0, remade
    assert secrets()["platform_app_token"] not in ("", old)
    assert psql("SELECT string_agg(permissible_type, ',' ORDER BY permissible_type) FROM platform_app_permissibles pp "
                "JOIN platform_apps p ON p.id = pp.platform_app_id") == "Account,User"
