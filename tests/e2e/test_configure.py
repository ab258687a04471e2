# SPDX-License-Identifier: GPL-3.0-or-later
"""Chatwoot configured from chatwoot_config_accounts through its APIs (issue 15), on the session's deployed project:
the modules and the chatwoot_config role against the stand-in's Platform and Application APIs, which answer as
Chatwoot 4.15.1's source does (tests/standin/README.md)."""
import hashlib
import hmac
import json
import subprocess
import time

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


RECEIVER = "e2e_hook_receiver"
RECEIVER_CODE = """
require "webrick"; require "json"
s = WEBrick::HTTPServer.new(Port: 8080, AccessLog: [], Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN))
s.mount_proc("/") do |q, r|
  $stdout.puts("HOOK " + JSON.generate(path: q.path, ts: q["X-Chatwoot-Timestamp"], sig: q["X-Chatwoot-Signature"],
                                        body: q.body))
  $stdout.flush
  r.body = "ok"
end
s.start
"""
MESSAGE_CODE = """
a = Account.find_by!(name: ARGV_ACCOUNT); i = a.inboxes.find_by!(name: "WhatsApp")
c = Conversation.create!(account: a, inbox: i, display_id: Conversation.count + 1)
Message.create!(account: a, conversation: c, content: ARGV_CONTENT, message_type: :incoming)
"""


def new_message(content):
    """An incoming message in the WhatsApp inbox, made with Chatwoot's models (as its channel would) in web's container."""
    code = MESSAGE_CODE.replace("ARGV_ACCOUNT", json.dumps(ACCOUNT)).replace("ARGV_CONTENT", json.dumps(content))
    proc = subprocess.run(["docker", "exec", "-i", f"{VARS['chatwoot_container_prefix']}_rails", "bundle", "exec",
                           "rails", "runner", "-"], input=code, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def hooks():
    logs = subprocess.run(["docker", "logs", RECEIVER], capture_output=True, text=True, timeout=60, check=False).stdout
    return [json.loads(line[5:]) for line in logs.splitlines() if line.startswith("HOOK ")]


def wait_for(test, seconds):
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


@pytest.fixture()
def receiver():
    image = subprocess.run(["docker", "inspect", "-f", "{{.Config.Image}}", f"{VARS['chatwoot_container_prefix']}_rails"],
                           capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["docker", "rm", "-f", RECEIVER], capture_output=True, check=False)
    subprocess.run(["docker", "run", "-d", "--name", RECEIVER, "--network", VARS["chatwoot_network_name"], image,
                    "ruby", "-e", RECEIVER_CODE], capture_output=True, check=True)
    yield f"http://{RECEIVER}:8080/hook"
    subprocess.run(["docker", "rm", "-f", RECEIVER], capture_output=True, check=False)


@pytest.mark.promise("A webhook made from chatwoot_config_accounts is posted by Chatwoot's worker, signed with its "
                     "secret, to a receiver on the project's network when a message is created, once "
                     "SAFE_FETCH_ALLOW_PRIVATE_NETWORK lets Chatwoot 4.14+ reach a private address; without it "
                     "nothing is posted and the worker says why.")
def test_webhook_reaches_a_receiver_on_the_network(configured, receiver):
    extra = structure(webhooks=[{"url": receiver, "name": "receiver", "subscriptions": ["message_created"]}])
    run = configure(extra, tmp_path=configured["tmp"])
    assert run.rc == 0, run
    assert "look private" in run.out  # the role's warning: no SAFE_FETCH_ALLOW_PRIVATE_NETWORK
    new_message("refused")
    worker = f"{VARS['chatwoot_container_prefix']}_sidekiq"

    def refused():
        logs = subprocess.run(["docker", "logs", worker], capture_output=True, text=True, check=False)
        return f"Hostname '{RECEIVER}' has no public ip addresses" in logs.stdout + logs.stderr

    assert wait_for(refused, 30), "the worker did not refuse the private receiver"
    assert hooks() == []

    path = configured["tmp"] / "webhook-site.json"
    path.write_text(json.dumps(dict(extra, chatwoot_extra_env={"SAFE_FETCH_ALLOW_PRIVATE_NETWORK": "true"})))
    try:
        allowed = playbook("-e", f"@{path}")
        assert allowed.rc == 0, allowed
        new_message("delivered")
        assert wait_for(hooks, 60), "nothing reached the receiver"
        (hook,) = hooks()
        body = json.loads(hook["body"])
        assert (body["event"], body["content"], body["inbox"]["name"]) == ("message_created", "delivered", "WhatsApp")
        secret = psql(f"SELECT secret FROM webhooks WHERE url = '{receiver}'")
        expected = "sha256=" + hmac.new(secret.encode(), f"{hook['ts']}.{hook['body']}".encode(), hashlib.sha256).hexdigest()
        assert hook["sig"] == expected
    finally:
        restored = playbook()  # the session's project as vars.yml describes it, for the tests after this one
        assert restored.rc == 0, restored
