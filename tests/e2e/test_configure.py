# SPDX-License-Identifier: GPL-3.0-or-later
"""Chatwoot configured from chatwoot_config_accounts through its APIs (issue 15), on the session's deployed project:
the modules and the chatwoot_config role against the stand-in's Platform and Application APIs, which answer as
Chatwoot 4.15.1's source does (tests/standin/README.md).

One structure goes through its life in file order, each test a step on what the previous ones left: check mode,
apply, re-run, a change with --diff at -vvv, bad input, site.yml with a webhook delivered, absent. The session's
project is left as it was found (the structure removed, its environment restored) for the tests after these.
"""
import hashlib
import hmac
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CONTAINERS, REPO, VARS, VARS_FILE, Run, _path, playbook, psql, secrets

ACCOUNT = VARS["chatwoot_account_name"]
HOOK = "http://n8n.mcp_network.example:5678/webhook/chatwoot"
PASSWORD = "Ana-E2e-Passw0rd!"
RECEIVER = "e2e_hook_receiver"
RECEIVER_URL = f"http://{RECEIVER}:8080/hook"
ANA, BRUNO = "ana@e2e.example.org", "bruno@e2e.example.org"


def structure(**changes):
    """SinapUm's case (inventories/example): WhatsApp through Evolution API with its webhook, a web widget, two agents
    (one with a password, no invitation), a team, a label and a canned response, in the first account."""
    account = {
        "name": ACCOUNT,
        "agents": [
            {"email": ANA, "name": "Ana Souza", "password": PASSWORD},
            {"email": BRUNO, "name": "Bruno Lima", "role": "administrator"},
        ],
        "teams": [{"name": "Suporte N1", "description": "Primeiro atendimento", "members": [ANA, BRUNO]}],
        "inboxes": [
            {"name": "WhatsApp", "channel_type": "api",
             "channel": {"webhook_url": "http://evolution_api:8080/chatwoot/webhook/sinapum"},
             "greeting_enabled": True, "greeting_message": "Hello there", "members": [ANA]},
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


def changed_structure():
    """The structure after a change: WhatsApp's greeting and members, and a webhook to the tests' receiver."""
    changed = structure()
    account = changed["chatwoot_config_accounts"][0]
    account["inboxes"][0].update(greeting_message="Good morning", members=[BRUNO])
    account["webhooks"] = account["webhooks"] + [{"url": RECEIVER_URL, "name": "receiver",
                                                  "subscriptions": ["message_created"]}]
    return changed


def site_structure():
    """The changed structure with one label more, as site.yml applies it."""
    extra = changed_structure()
    extra["chatwoot_config_accounts"][0]["labels"].append({"title": "site-yml"})
    return extra


def all_absent(extra):
    """Every entry of the account marked absent (the account itself stays: it is the deploy's)."""
    account = extra["chatwoot_config_accounts"][0]
    for key in ("agents", "teams", "inboxes", "webhooks", "labels", "canned_responses"):
        account[key] = [dict(entry, state="absent") for entry in account[key]]
    return extra


def extra_file(tmp, name, extra):
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(extra))
    return path


def configure(tmp, extra, *args, verbosity=0):
    """ansible-playbook playbooks/configure.yml on the session's project with ``extra`` as extra vars."""
    cmd = ["ansible-playbook", "playbooks/configure.yml", "-e", f"@{VARS_FILE}",
           "-e", f"@{extra_file(tmp, 'configure', extra)}", *args]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    env = {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PATH": _path()}
    return Run(subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False))


def snapshot():
    """What the configuration changes, as Chatwoot's tables hold it."""
    return json.loads(psql(
        "SELECT json_build_object("
        "'users', (SELECT json_agg(u.email || ':' || (CASE au.role WHEN 1 THEN 'administrator' ELSE 'agent' END) || ':' "
        "                 || (u.confirmed_at IS NOT NULL) ORDER BY u.email) "
        "          FROM users u JOIN account_users au ON au.user_id = u.id),"
        "'inboxes', (SELECT json_agg(i.name || ':' || i.channel_type || ':' || coalesce(i.greeting_message, '') "
        "            ORDER BY i.name) FROM inboxes i),"
        "'inbox_members', (SELECT json_agg(i.name || ':' || u.email ORDER BY i.name, u.email) FROM inbox_members m "
        "                  JOIN inboxes i ON i.id = m.inbox_id JOIN users u ON u.id = m.user_id),"
        "'teams', (SELECT json_agg(t.name || ':' || u.email ORDER BY u.email) FROM teams t "
        "          JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id),"
        "'webhooks', (SELECT json_agg(w.url || ':' || w.subscriptions::text || ':' || coalesce(i.name, '') ORDER BY w.url) "
        "             FROM webhooks w LEFT JOIN inboxes i ON i.id = w.inbox_id),"
        "'labels', (SELECT json_agg(title || ':' || color ORDER BY title) FROM labels),"
        "'canned', (SELECT json_agg(short_code) FROM canned_responses))"))


def env_file():
    return (Path(VARS["chatwoot_project_dir"]) / ".env").read_text()


def wait_for(test, seconds):
    """Poll ``test`` every half second until it is true or ``seconds`` have passed; its last answer."""
    deadline = time.monotonic() + seconds
    while not (result := test()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return result


@pytest.fixture(scope="module")
def state(first_run, tmp_path_factory):  # pylint: disable=unused-argument
    """What the steps leave for the next ones; on the way out the session's project as vars.yml has it."""
    shared = {"tmp": tmp_path_factory.mktemp("configure"), "clean": True}
    yield shared
    if not shared["clean"]:  # a step failed half-way: the structure goes and the environment comes back
        playbook("-e", f"@{extra_file(shared['tmp'], 'teardown', all_absent(site_structure()))}")
    # Chatwoot deletes a user, but not the Platform App's permission on them (app/models/user.rb has no such
    # association): the tests of the first administrator count the app's permissions.
    psql("DELETE FROM platform_app_permissibles WHERE permissible_type = 'User' "
         "AND permissible_id NOT IN (SELECT id FROM users)")


@pytest.mark.promise("configure_check_mode_changes_nothing")
def test_check_mode_changes_nothing(state):
    before = snapshot()
    assert "WhatsApp" not in json.dumps(before)
    state["clean"] = False
    checked = configure(state["tmp"], structure(), "--check", "--diff")
    assert checked.rc == 0, checked
    assert checked.changed and checked.changed > 0, checked
    assert f"changed: [localhost] => (item={ANA})" in checked.out
    assert snapshot() == before


@pytest.mark.promise("configure_applies_the_structure")
def test_apply_configures_chatwoot(state):
    applied = configure(state["tmp"], structure())
    assert applied.rc == 0, applied
    now = snapshot()
    assert f"{ANA}:agent:true" in now["users"]  # made through the Platform API with a password: confirmed
    assert f"{BRUNO}:administrator:false" in now["users"]  # invited by Chatwoot: unconfirmed
    assert now["inboxes"] == ["Site:Channel::WebWidget:", "WhatsApp:Channel::Api:Hello there"]
    assert now["inbox_members"] == [f"WhatsApp:{ANA}"]
    assert now["teams"] == [f"suporte n1:{ANA}", f"suporte n1:{BRUNO}"]  # Chatwoot lower-cases team names
    assert now["webhooks"] == [f'{HOOK}:["conversation_created", "message_created"]:WhatsApp']  # sent sorted
    assert now["labels"] == ["cliente-vip:#d97706"]
    assert now["canned"] == ["oi"]
    state["applied"] = now


@pytest.mark.promise("configure_rerun_changes_nothing")
def test_rerun_changes_nothing(state):
    again = configure(state["tmp"], structure())
    assert again.rc == 0, again
    assert again.changed == 0, again
    assert snapshot() == state["applied"]


@pytest.mark.promise("configure_diff_shows_the_change")
def test_diff_on_a_change(state):
    run = configure(state["tmp"], changed_structure(), "--diff", verbosity=3)
    state["diff_run"] = run
    assert run.rc == 0, run
    assert sorted(task.split(" : ")[-1] for task in run.changed_tasks()) == ["Inboxes", "Webhooks"], run
    # Ansible's diff of before and after, in YAML (callback_result_format in ansible.cfg)
    for line in ("-greeting_message: Hello there", "+greeting_message: Good morning", f"-- {ANA}", f"+- {BRUNO}"):
        assert re.search(rf"^{re.escape(line[0])}\s*{re.escape(line[1:])}$", run.out, re.M), (line, run)
    now = snapshot()
    assert "WhatsApp:Channel::Api:Good morning" in now["inboxes"]
    assert now["inbox_members"] == [f"WhatsApp:{BRUNO}"]
    assert f'{RECEIVER_URL}:["message_created"]:' in now["webhooks"]


@pytest.mark.promise("configure_secrets_never_printed")
def test_secrets_never_printed(state):
    run = state.get("diff_run")
    assert run is not None and run.rc == 0, "the -vvv --diff run of the change did not run"
    kept = secrets()
    leaked = [PASSWORD, kept["admin_user_token"], kept["platform_app_token"]]
    leaked += psql("SELECT string_agg(secret, ' ') FROM webhooks").split()
    leaked += psql("SELECT string_agg(hmac_token || ' ' || secret, ' ') FROM channel_api").split()
    leaked += psql("SELECT string_agg(hmac_token, ' ') FROM channel_web_widgets").split()  # website_token is public
    leaked += psql("SELECT string_agg(token, ' ') FROM access_tokens").split()
    assert len(leaked) >= 9
    assert [value for value in leaked if value in run.out] == []


BAD_INPUT = {
    # Refused by the role's argument specs: Chatwoot's channel types, events and roles.
    "types": ("playbooks/configure.yml", {
        "inboxes": [{"name": "Fax", "channel_type": "fax"}],
        "webhooks": [{"url": HOOK, "subscriptions": ["message_deleted"]}],
        "agents": [{"email": "carla@e2e.example.org", "role": "owner"}],
    }, ["channel_type", "fax", "subscriptions", "message_deleted", "role", "owner"]),
    # Refused by the preflight, as site.yml runs it before the deploy: a URL Chatwoot rejects, a password it refuses.
    "rules": ("site.yml", {
        "webhooks": [{"url": "javascript:alert(1)"}],
        "agents": [{"email": "carla@e2e.example.org", "password": "Shrt1aa"}],
    }, ["webhook URL javascript:alert(1) is not an http:// or https:// URL", "an agent password breaks Chatwoot"]),
}


@pytest.mark.promise("configure_bad_input_refused_before_any_change")
@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_refused_before_any_change(state, case):
    play, bad, words = BAD_INPUT[case]
    before, env_before = snapshot(), env_file()
    # The bad entries come after a good new agent: nothing of the structure may be applied.
    account = changed_structure()["chatwoot_config_accounts"][0]
    account["agents"] = account["agents"] + [{"email": "dora@e2e.example.org", "name": "Dora"}]
    for key, value in bad.items():
        account[key] = account.get(key, []) + value
    path = extra_file(state["tmp"], f"bad-{case}", {"chatwoot_config_accounts": [account]})
    cmd = ["ansible-playbook", play, "-e", f"@{VARS_FILE}", "-e", f"@{path}"]
    run = Run(subprocess.run(cmd, cwd=REPO, env={"ANSIBLE_NOCOLOR": "1", "PATH": _path()}, capture_output=True,
                             text=True, timeout=300, check=False))
    assert run.rc != 0, run
    said = " ".join(run.out.split())  # the YAML callback folds long messages
    assert [word for word in words if word not in said] == [], run
    assert "Shrt1aa" not in run.out
    assert "PLAY [Deploy Chatwoot" not in run.out, run  # site.yml stopped before the deploy
    assert not run.changed, run
    assert snapshot() == before and env_file() == env_before


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
    proc = subprocess.run(["docker", "exec", "-i", CONTAINERS["rails"], "bundle", "exec", "rails", "runner", "-"],
                          input=code, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def hooks():
    logs = subprocess.run(["docker", "logs", RECEIVER], capture_output=True, text=True, timeout=60, check=False).stdout
    return [json.loads(line[5:]) for line in logs.splitlines() if line.startswith("HOOK ")]


@pytest.fixture()
def receiver():
    """A receiver on the project's network, as n8n or Evolution API on mcp_network: one line per request."""
    image = subprocess.run(["docker", "inspect", "-f", "{{.Config.Image}}", CONTAINERS["rails"]],
                           capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["docker", "rm", "-f", RECEIVER], capture_output=True, check=False)
    subprocess.run(["docker", "run", "-d", "--name", RECEIVER, "--network", VARS["chatwoot_network_name"], image,
                    "ruby", "-e", RECEIVER_CODE], capture_output=True, check=True)
    yield
    subprocess.run(["docker", "rm", "-f", RECEIVER], capture_output=True, check=False)


@pytest.mark.promise("configure_webhook_delivered_to_a_receiver_on_the_network")
def test_webhook_reaches_a_receiver_on_the_network(state, receiver):  # pylint: disable=unused-argument
    run = state.get("diff_run")
    assert run is not None and run.rc == 0, "the run that made the receiver's webhook did not run"
    assert "look private" in " ".join(run.out.split())  # the role's warning: no SAFE_FETCH_ALLOW_PRIVATE_NETWORK
    new_message("refused")

    def refused():
        logs = subprocess.run(["docker", "logs", CONTAINERS["sidekiq"]], capture_output=True, text=True, check=False)
        return f"Hostname '{RECEIVER}' has no public ip addresses" in logs.stdout + logs.stderr

    assert wait_for(refused, 30), "the worker did not refuse the private receiver"
    assert hooks() == []

    # site.yml with the structure (and a label more) and SAFE_FETCH_ALLOW_PRIVATE_NETWORK: web and worker are
    # recreated with it, then the structure is applied.
    path = extra_file(state["tmp"], "site", dict(site_structure(),
                                                 chatwoot_extra_env={"SAFE_FETCH_ALLOW_PRIVATE_NETWORK": "true"}))
    state["site_path"] = path
    state["site_run"] = allowed = playbook("-e", f"@{path}")
    assert allowed.rc == 0, allowed
    new_message("delivered")
    assert wait_for(hooks, 60), "nothing reached the receiver"
    (hook,) = hooks()
    body = json.loads(hook["body"])
    assert (body["event"], body["content"], body["inbox"]["name"]) == ("message_created", "delivered", "WhatsApp")
    secret = psql(f"SELECT secret FROM webhooks WHERE url = '{RECEIVER_URL}'")
    expected = "sha256=" + hmac.new(secret.encode(), f"{hook['ts']}.{hook['body']}".encode(), hashlib.sha256).hexdigest()
    assert hook["sig"] == expected


@pytest.mark.promise("configure_from_site_yml")
def test_site_yml_applies_the_structure(state):
    path = state.get("site_path") or extra_file(state["tmp"], "site", site_structure())
    first = state.get("site_run") or playbook("-e", f"@{path}")
    assert first.rc == 0, first
    assert snapshot()["labels"] == ["cliente-vip:#d97706", "site-yml:#1f93ff"]
    again = playbook("-e", f"@{path}")
    assert again.rc == 0 and again.changed == 0, again


@pytest.mark.promise("configure_absent_removes")
def test_absent_removes(state):
    # site.yml as vars.yml has it (SAFE_FETCH_ALLOW_PRIVATE_NETWORK gone again), every entry marked absent.
    gone = all_absent(site_structure())
    run = playbook("-e", f"@{extra_file(state['tmp'], 'absent', gone)}")
    assert run.rc == 0, run
    now = snapshot()
    assert [now[key] for key in ("webhooks", "teams", "labels", "canned", "inbox_members")] == [None] * 5, now
    assert not [u for u in now["users"] if u.startswith((ANA, BRUNO))]
    # Chatwoot deletes inboxes, and the users no account holds any more, later, in its worker (DeleteObjectJob).
    assert wait_for(lambda: psql("SELECT count(*) FROM inboxes WHERE name IN ('WhatsApp', 'Site')") == "0", 60), "the worker did not delete the inboxes"
    assert wait_for(lambda: psql(f"SELECT count(*) FROM users WHERE email IN ('{ANA}', '{BRUNO}')") == "0", 60)
    assert "SAFE_FETCH_ALLOW_PRIVATE_NETWORK" not in env_file()
    again = configure(state["tmp"], gone)
    assert again.rc == 0 and again.changed == 0, again
    state["clean"] = True
