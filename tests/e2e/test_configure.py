# SPDX-License-Identifier: GPL-3.0-or-later
"""Chatwoot configured from chatwoot_config_accounts through its APIs (issue 15), on the session's deployed project:
the modules and the chatwoot_config role against the stand-in's Platform and Application APIs, which answer as
Chatwoot 4.15.1's source does (tests/standin/README.md)."""
import json
import subprocess

import pytest
from conftest import REPO, VARS, VARS_FILE, Run, _path, playbook, psql, secrets

ACCOUNT = VARS["chatwoot_account_name"]
HOOK = "http://n8n.mcp_network.example:5678/webhook/chatwoot"
PASSWORD = "Ana-E2e-Passw0rd!"


def structure(**changes):
    """SinapUm's case (inventories/example): WhatsApp through Evolution API with its webhook, a web widget, two agents
    (one with a password, no invitation), a team, a label and a canned response, in the first account."""
    account = {
        "name": ACCOUNT,
        "agents": [
            {"email": "ana@e2e.example.org", "name": "Ana Souza", "password": PASSWORD},
            {"email": "bruno@e2e.example.org", "name": "Bruno Lima", "role": "administrator"},
        ],
        "teams": [{"name": "Suporte N1", "description": "Primeiro atendimento",
                   "members": ["ana@e2e.example.org", "bruno@e2e.example.org"]}],
        "inboxes": [
            {"name": "WhatsApp", "channel_type": "api",
             "channel": {"webhook_url": "http://evolution_api:8080/chatwoot/webhook/sinapum"},
             "greeting_enabled": True, "greeting_message": "Hello there", "members": ["ana@e2e.example.org"]},
            {"name": "Site", "channel_type": "web_widget",
             "channel": {"website_url": "https://sinapum.example", "widget_color": "#0f766e"}},
        ],
        "webhooks": [{"url": HOOK, "name": "n8n", "subscriptions": ["message_created", "conversation_created"],
                      "inbox": "WhatsApp"}],
        "labels": [{"title": "Cliente-VIP", "color": "#d97706"}],
        "canned_responses": [{"short_code": "oi", "content": "Olá! Em que podemos ajudar?"}],
    }
    account.update(changes)
    return {"chatwoot_config_accounts": [account]}


def configure(extra, *args, verbosity=0, tmp_path=None):
    """ansible-playbook playbooks/configure.yml on the session's project with ``extra`` as extra vars."""
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(extra))
    cmd = ["ansible-playbook", "playbooks/configure.yml", "-e", f"@{VARS_FILE}", "-e", f"@{path}", *args]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    env = {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PATH": _path()}
    return Run(subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False))


def account_id():
    return int(psql(f"SELECT id FROM accounts WHERE name = '{ACCOUNT}'"))


def snapshot():
    """What the configuration changes, as Chatwoot's tables hold it."""
    return psql(
        "SELECT json_build_object("
        "'users', (SELECT json_agg(u.email || ':' || au.role || ':' || (u.confirmed_at IS NOT NULL) ORDER BY u.email) "
        "          FROM users u JOIN account_users au ON au.user_id = u.id),"
        "'inboxes', (SELECT json_agg(i.name || ':' || i.channel_type || ':' || coalesce(i.greeting_message, '') "
        "            ORDER BY i.name) FROM inboxes i),"
        "'inbox_members', (SELECT json_agg(i.name || ':' || u.email ORDER BY i.name, u.email) FROM inbox_members m "
        "                  JOIN inboxes i ON i.id = m.inbox_id JOIN users u ON u.id = m.user_id),"
        "'teams', (SELECT json_agg(t.name || ':' || u.email ORDER BY u.email) FROM teams t "
        "          JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id),"
        "'webhooks', (SELECT json_agg(w.url || ':' || w.subscriptions::text || ':' || coalesce(i.name, '')) "
        "             FROM webhooks w LEFT JOIN inboxes i ON i.id = w.inbox_id),"
        "'labels', (SELECT json_agg(title || ':' || color) FROM labels),"
        "'canned', (SELECT json_agg(short_code) FROM canned_responses))")


@pytest.fixture(scope="module")
def configured(first_run, tmp_path_factory):  # pylint: disable=unused-argument
    """The structure applied once (after a check-mode run that must change nothing)."""
    tmp = tmp_path_factory.mktemp("configure")
    before = snapshot()
    checked = configure(structure(), "--check", "--diff", tmp_path=tmp)
    applied = configure(structure(), tmp_path=tmp)
    return dict(before=before, checked=checked, after_check=None, applied=applied, tmp=tmp, snapshot=snapshot())


@pytest.mark.promise("--check --diff on chatwoot_config_accounts reports what would change and changes nothing in "
                     "Chatwoot.")
def test_check_mode_changes_nothing(configured):
    checked = configured["checked"]
    assert checked.rc == 0, checked
    assert checked.changed and checked.changed > 0, checked
    assert "changed: [localhost] => (item=ana@e2e.example.org)" in checked.out
    # nothing of the structure was there before the apply
    assert "WhatsApp" not in configured["before"] and "n8n" not in configured["before"]


@pytest.mark.promise("chatwoot_config_accounts configures Chatwoot through its APIs: agents (with a password, "
                     "confirmed, no invitation), a team and inboxes with their members, a webhook on an inbox, a "
                     "label and a canned response.")
def test_apply_configures_chatwoot(configured):
    applied = configured["applied"]
    assert applied.rc == 0, applied
    state = json.loads(configured["snapshot"])
    assert "ana@e2e.example.org:agent:true" in state["users"]  # made through the Platform API: confirmed
    assert "bruno@e2e.example.org:administrator:false" in state["users"]  # invited by Chatwoot: unconfirmed
    assert sorted(state["inboxes"]) == ["Site:Channel::WebWidget:", "WhatsApp:Channel::Api:Hello there"]
    assert state["inbox_members"] == ["WhatsApp:ana@e2e.example.org"]
    assert state["teams"] == ["suporte n1:ana@e2e.example.org", "suporte n1:bruno@e2e.example.org"]
    assert state["webhooks"] == [f'{HOOK}:["conversation_created", "message_created"]:WhatsApp']  # sent sorted
    assert state["labels"] == ["cliente-vip:#d97706"]
    assert state["canned"] == ["oi"]


@pytest.mark.promise("A second run of chatwoot_config_accounts changes nothing (changed=0).")
def test_rerun_changes_nothing(configured):
    again = configure(structure(), tmp_path=configured["tmp"])
    assert again.rc == 0, again
    assert again.changed == 0, again
    assert snapshot() == configured["snapshot"]


@pytest.mark.promise("--diff shows the before and after of a changed setting and a changed member set; the change is "
                     "made and a re-run is changed=0 again.")
def test_diff_on_a_change(configured):
    changed = structure()
    whatsapp = changed["chatwoot_config_accounts"][0]["inboxes"][0]
    whatsapp["greeting_message"] = "Good morning"
    whatsapp["members"] = ["bruno@e2e.example.org"]
    run = configure(changed, "--diff", tmp_path=configured["tmp"])
    assert run.rc == 0, run
    assert run.changed == 1, run
    assert '-    "greeting_message": "Hello there"' in run.out and '+    "greeting_message": "Good morning"' in run.out, run
    assert "bruno@e2e.example.org" in run.out
    state = json.loads(snapshot())
    assert "WhatsApp:Channel::Api:Good morning" in state["inboxes"]
    assert state["inbox_members"] == ["WhatsApp:bruno@e2e.example.org"]
    assert configure(changed, tmp_path=configured["tmp"]).changed == 0


@pytest.mark.promise("Entries marked absent are removed (a webhook, an inbox after Chatwoot's worker deletes it, an "
                     "agent from the account) and a re-run changes nothing.")
def test_absent_removes(configured):
    gone = structure()
    account = gone["chatwoot_config_accounts"][0]
    account["webhooks"][0]["state"] = "absent"
    account["inboxes"][1]["state"] = "absent"
    account["agents"][1]["state"] = "absent"
    account["teams"][0]["members"] = ["ana@e2e.example.org"]
    run = configure(gone, tmp_path=configured["tmp"])
    assert run.rc == 0, run
    state = json.loads(snapshot())
    assert state["webhooks"] is None
    assert [i for i in state["inboxes"] if i.startswith("Site:")] == []  # DeleteObjectJob ran in the worker
    assert not [u for u in state["users"] if u.startswith("bruno@")]
    again = configure(gone, tmp_path=configured["tmp"])
    assert again.rc == 0 and again.changed == 0, again


@pytest.mark.promise("No agent password, admin or Platform App token, inbox or webhook secret appears in the output of "
                     "configure.yml, even at -vvv with --diff.")
def test_secrets_never_printed(configured):
    run = configure(structure(), "--diff", verbosity=3, tmp_path=configured["tmp"])
    assert run.rc == 0, run
    kept = secrets()
    leaked = [PASSWORD, kept["admin_user_token"], kept["platform_app_token"]]
    leaked += psql("SELECT string_agg(secret, ' ') FROM webhooks").split()
    leaked += psql("SELECT string_agg(hmac_token || ' ' || secret, ' ') FROM channel_api").split()
    leaked += psql("SELECT string_agg(token, ' ') FROM access_tokens").split()
    for value in leaked:
        assert value and value not in run.out


BAD_INPUT = [
    ({"inboxes": [{"name": "Fax", "channel_type": "fax"}]}, "channel_type"),
    ({"webhooks": [{"url": HOOK, "subscriptions": ["message_deleted"]}]}, "subscriptions"),
    ({"webhooks": [{"url": "javascript:alert(1)"}]}, "webhook URL javascript:alert(1) is not an http:// or https:// URL"),
    ({"agents": [{"email": "carla@e2e.example.org", "role": "owner"}]}, "role"),
    ({"agents": [{"email": "carla@e2e.example.org", "password": "Shrt1aa"}]}, "an agent password breaks Chatwoot's rules"),
]


@pytest.mark.promise("Bad input in chatwoot_config_accounts (an unknown channel type, an event Chatwoot does not know, "
                     "a webhook URL Chatwoot rejects, a role that does not exist, a password that breaks Chatwoot's "
                     "rules) is refused before any call that changes something.")
@pytest.mark.parametrize("bad,words", BAD_INPUT, ids=["channel", "event", "url", "role", "password"])
def test_bad_input_refused_before_any_change(configured, bad, words):
    before = snapshot()
    # the bad entry comes after a good new agent: nothing of the structure may be applied
    account = structure()["chatwoot_config_accounts"][0]
    account["agents"] = account["agents"] + [{"email": "dora@e2e.example.org", "name": "Dora"}]
    for key, value in bad.items():
        account[key] = account.get(key, []) + value
    run = configure({"chatwoot_config_accounts": [account]}, tmp_path=configured["tmp"])
    assert run.rc != 0, run
    assert words in run.out, run
    assert "Shrt1aa" not in run.out
    assert snapshot() == before


@pytest.mark.promise("site.yml with chatwoot_config_accounts set configures Chatwoot after the deploy, and a re-run "
                     "changes nothing.")
def test_site_yml_applies_the_structure(configured):
    path = configured["tmp"] / "site-accounts.json"
    extra = structure(labels=[{"title": "Cliente-VIP", "color": "#d97706"}, {"title": "site-yml"}])
    path.write_text(json.dumps(extra))
    run = playbook("-e", f"@{path}")
    assert run.rc == 0, run
    assert "site-yml" in psql("SELECT string_agg(title, ',') FROM labels")
    again = playbook("-e", f"@{path}")
    assert again.rc == 0 and again.changed == 0, again
    assert account_id() > 0
