# frozen_string_literal: true

# Client side of tests/standin/selftest-api.sh, run inside a throw-away container on the self-test's network:
#   ruby - BASE_URL ACCOUNT_ID ADMIN_TOKEN AGENT_TOKEN PLATFORM_TOKEN OTHER_ACCOUNT_ID
# Each check prints one "PASS: ..." or "FAIL: ..." line; the case names are those of README.md's API table.
# The accounts: ACCOUNT_ID has the administrator (ADMIN_TOKEN) and an agent (AGENT_TOKEN); OTHER_ACCOUNT_ID exists
# but the Platform App may not act on it and the agent is no member of it.

require "json"
require "net/http"
require "uri"

BASE, ACCOUNT, ADMIN, AGENT, PLATFORM, OTHER = ARGV
A = "/api/v1/accounts/#{ACCOUNT}"
P = "/platform/api/v1"

def call(method, path, token: nil, body: nil, form: nil, headers: {})
  uri = URI("#{BASE}#{path}")
  klass = { "GET" => Net::HTTP::Get, "POST" => Net::HTTP::Post, "PATCH" => Net::HTTP::Patch,
            "DELETE" => Net::HTTP::Delete }.fetch(method)
  request = klass.new(uri)
  request["api_access_token"] = token if token
  if form
    request.set_form_data(form)
  elsif !body.nil?
    request["Content-Type"] = "application/json"
    request.body = JSON.generate(body)
  end
  headers.each { |k, v| request[k] = v }
  response = Net::HTTP.start(uri.host, uri.port, open_timeout: 5, read_timeout: 20) { |h| h.request(request) }
  data = begin
    response.body.to_s.empty? ? nil : JSON.parse(response.body)
  rescue JSON::ParserError
    response.body
  end
  [response.code.to_i, data]
end

def check(name, ok, detail = nil)
  puts(ok ? "PASS: #{name}" : "FAIL: #{name} (#{detail.inspect[0, 600]})")
end

def expect(name, got, want)
  check(name, got == want, { got: got, want: want })
end

def eventually(seconds = 30)
  deadline = Time.now + seconds
  loop do
    return true if yield
    return false if Time.now > deadline

    sleep 0.5
  end
end

# ---------------------------------------------------------------- Application API: who may call
expect "no api_access_token: 401 with devise's errors list",
       call("GET", "#{A}/agents"), [401, { "errors" => ["You need to sign in or sign up before continuing."] }]
expect "an unknown token: 401 Invalid Access Token", call("GET", "#{A}/agents", token: "nope"),
       [401, { "error" => "Invalid Access Token" }]
expect "a Platform App's token on the Application API: 401 for bots", call("GET", "#{A}/agents", token: PLATFORM),
       [401, { "error" => "Access to this endpoint is not authorized for bots" }]
expect "an unknown account: 404 Resource could not be found", call("GET", "/api/v1/accounts/999999/agents", token: ADMIN),
       [404, { "error" => "Resource could not be found" }]
expect "an account the caller is no member of: 401", call("GET", "/api/v1/accounts/#{OTHER}/agents", token: AGENT),
       [401, { "error" => "You are not authorized to access this account" }]
expect "the header api-access-token works as api_access_token",
       call("GET", "#{A}/agents", headers: { "api-access-token" => ADMIN })[0], 200

# ---------------------------------------------------------------- agents
status, agents = call("GET", "#{A}/agents", token: ADMIN)
expect "GET agents: 200 and a bare array", [status, agents.class], [200, Array]
admin_row = agents.find { |a| a["role"] == "administrator" }
agent_row = agents.find { |a| a["role"] == "agent" }
expect "an agent has Chatwoot's keys",
       agent_row.keys.sort, %w[account_id auto_offline availability_status available_name confirmed custom_role_id email
                               id name provider role thumbnail].sort
expect "the agent's account_id is the account's", agent_row["account_id"], ACCOUNT.to_i
status, created = call("POST", "#{A}/agents", token: ADMIN, body: { agent: { email: "New.Agent@Example.org" } })
expect "POST agents answers 200, not 201", status, 200
expect "... a new user: unconfirmed, named after the email, role agent, auto_offline true by default",
       created.values_at("email", "name", "confirmed", "role", "auto_offline"),
       ["new.agent@example.org", "New.Agent", false, "agent", true]
expect "... availability_status offline (auto_offline and no presence)", created["availability_status"], "offline"
status, body = call("POST", "#{A}/agents", token: ADMIN, body: { agent: { email: "new.agent@example.org" } })
expect "the same agent again: 422 User has already been taken", [status, body["message"]], [422, "User has already been taken"]
expect "an agent may not add agents: 401", call("POST", "#{A}/agents", token: AGENT, body: { agent: { email: "x@example.org" } }),
       [401, { "error" => "You are not authorized to do this action" }]
status, flat = call("POST", "#{A}/agents", token: ADMIN, body: { email: "flat@example.org", name: "Flat" })
expect "a flat JSON body is wrapped as agent (every key)", [status, flat["email"]], [200, "flat@example.org"]
expect "a flat form body is not: 422 param is missing", call("POST", "#{A}/agents", token: ADMIN, form: { email: "f@example.org" }),
       [422, { "error" => "param is missing or the value is empty: agent" }]
expect "agents are listed by lower(name)",
       call("GET", "#{A}/agents", token: ADMIN)[1].map { |a| a["name"].downcase }.then { |n| n == n.sort }, true
_, patched = call("PATCH", "#{A}/agents/#{created['id']}", token: ADMIN,
                                                          body: { agent: { role: "administrator" }, custom_role_id: 7 })
expect "PATCH agents changes the role (and EE sets custom_role_id)", patched.values_at("role", "custom_role_id"), ["administrator", 7]
_, patched = call("PATCH", "#{A}/agents/#{created['id']}", token: ADMIN, body: { agent: { name: "Renamed" } })
expect "a PATCH without custom_role_id clears it (EE)", patched.values_at("name", "role", "custom_role_id"), ["Renamed", "administrator", nil]
expect "a role Chatwoot does not know: 500", call("PATCH", "#{A}/agents/#{created['id']}", token: ADMIN,
                                                                                         body: { agent: { role: "owner" } })[0], 500
expect "PATCH of an agent not in the account: 404", call("PATCH", "#{A}/agents/999999", token: ADMIN, body: { agent: { name: "x" } })[0], 404
expect "DELETE agents: 200, empty body", call("DELETE", "#{A}/agents/#{flat['id']}", token: ADMIN), [200, nil]
expect "... and the membership is gone", call("GET", "#{A}/agents", token: ADMIN)[1].none? { |a| a["id"] == flat["id"] }, true

# ---------------------------------------------------------------- inboxes
api_inbox = { name: "WhatsApp", channel: { type: "api", webhook_url: "http://evolution:8080/chatwoot" } }
status, inbox = call("POST", "#{A}/inboxes", token: ADMIN, body: api_inbox)
expect "POST inboxes (api): 200, Channel::Api", [status, inbox["channel_type"]], [200, "Channel::Api"]
expect "... with the API channel's keys, secrets for an administrator",
       %w[hmac_token secret webhook_url inbox_identifier additional_attributes].all? { |k| inbox.key?(k) } &&
       inbox["secret"].to_s.size == 24, true
expect "... the web widget's keys present and null (channel.try)",
       inbox.values_at("website_url", "widget_color", "website_token", "selected_feature_flags"), [nil, nil, nil, nil]
expect "... seven default working hours", inbox["working_hours"].map { |w| w["day_of_week"] }, (0..6).to_a
status, twin = call("POST", "#{A}/inboxes", token: ADMIN, body: api_inbox)
expect "the same name again makes a second inbox (names are not unique)", [status, twin["id"] != inbox["id"]], [200, true]
status, list = call("GET", "#{A}/inboxes", token: ADMIN)
expect "GET inboxes: {\"payload\": [...]}", [status, list.keys, list["payload"].count { |i| i["name"] == "WhatsApp" }],
       [200, ["payload"], 2]
expect "an unknown channel type: 422 Channel must exist",
       call("POST", "#{A}/inboxes", token: ADMIN, body: { name: "X", channel: { type: "fax" } }),
       [422, { "message" => "Channel must exist", "attributes" => ["channel"] }]
expect "no channel at all: 500", call("POST", "#{A}/inboxes", token: ADMIN, body: { name: "X" })[0], 500
status, body = call("POST", "#{A}/inboxes", token: ADMIN, body: { name: "Site", channel: { type: "web_widget" } })
expect "a web widget without website_url: 422", [status, body["message"]], [422, "Website url can't be blank"]
status, widget = call("POST", "#{A}/inboxes", token: ADMIN,
                                            body: { name: "Site", channel: { type: "web_widget", website_url: "https://sinapum.example" } })
expect "a web widget: widget_color #1f93ff, feature flags attachments emoji_picker end_conversation",
       [status, widget["widget_color"], widget["selected_feature_flags"], widget["reply_time"]],
       [200, "#1f93ff", %w[attachments emoji_picker end_conversation], "in_a_few_minutes"]
expect "... pre-chat form options by default", widget["pre_chat_form_options"]["pre_chat_fields"].size, 3
email_inbox = { name: "Mail", channel: { type: "email", email: "support@sinapum.example" } }
status, mail = call("POST", "#{A}/inboxes", token: ADMIN, body: email_inbox)
expect "an e-mail inbox: its address, and the IMAP/SMTP passwords for an administrator",
       [status, mail["email"], mail.key?("imap_password"), mail.key?("smtp_password")], [200, "support@sinapum.example", true, true]
status, body = call("POST", "/api/v1/accounts/#{OTHER}/inboxes", token: ADMIN, body: email_inbox)
expect "the same e-mail address in another account: 422 (unique across accounts)",
       [status, body["message"]], [422, "Email has already been taken"]
expect "PATCH an inbox with channel.type: 500 (type is not a channel attribute)",
       call("PATCH", "#{A}/inboxes/#{inbox['id']}", token: ADMIN, body: { channel: { type: "api", webhook_url: "http://x" } })[0], 500
_, updated = call("PATCH", "#{A}/inboxes/#{inbox['id']}", token: ADMIN,
                                                         body: { greeting_enabled: true, channel: { webhook_url: "http://evolution:8080/new" } })
expect "PATCH an inbox and its channel's editable attributes", updated.values_at("greeting_enabled", "webhook_url"),
       [true, "http://evolution:8080/new"]
_, updated = call("PATCH", "#{A}/inboxes/#{widget['id']}", token: ADMIN, body: { channel: { selected_feature_flags: ["attachments"] } })
expect "PATCH selected_feature_flags sets exactly those", updated["selected_feature_flags"], ["attachments"]
expect "an agent sees only the inboxes they are a member of", call("GET", "#{A}/inboxes", token: AGENT), [200, { "payload" => [] }]
expect "... and GET of another inbox: 401", call("GET", "#{A}/inboxes/#{inbox['id']}", token: AGENT)[0], 401

# ---------------------------------------------------------------- inbox members
agent_id = agent_row["id"]
status, members = call("POST", "#{A}/inbox_members", token: ADMIN, body: { inbox_id: inbox["id"], user_ids: [agent_id] })
expect "POST inbox_members adds: {\"payload\": [agents]}", [status, members["payload"].map { |m| m["id"] }], [200, [agent_id]]
_, agent_view = call("GET", "#{A}/inboxes/#{inbox['id']}", token: AGENT)
expect "a member agent sees the inbox, without hmac_token and secret",
       [agent_view["id"], agent_view.key?("hmac_token"), agent_view.key?("secret")], [inbox["id"], false, false]
_, members = call("PATCH", "#{A}/inbox_members", token: ADMIN, body: { inbox_id: inbox["id"], user_ids: [admin_row["id"]] })
expect "PATCH inbox_members replaces the set", members["payload"].map { |m| m["id"] }, [admin_row["id"]]
expect "GET inbox_members/:inbox_id", call("GET", "#{A}/inbox_members/#{inbox['id']}", token: ADMIN)[1]["payload"].map { |m| m["id"] },
       [admin_row["id"]]
status, body = call("POST", "#{A}/inbox_members", token: ADMIN, body: { inbox_id: inbox["id"], user_ids: [999_999] })
expect "an unknown user: 422 User must exist", [status, body["message"]], [422, "User must exist"]
expect "no user_ids: 500", call("PATCH", "#{A}/inbox_members", token: ADMIN, body: { inbox_id: inbox["id"] })[0], 500
expect "DELETE inbox_members: 200, empty", call("DELETE", "#{A}/inbox_members", token: ADMIN,
                                                                              body: { inbox_id: inbox["id"], user_ids: [admin_row["id"]] }), [200, nil]

# ---------------------------------------------------------------- teams
status, team = call("POST", "#{A}/teams", token: ADMIN, body: { team: { name: "Suporte N1", description: "first line" } })
expect "POST teams: 200, the name downcased", [status, team["name"], team["is_member"]], [200, "suporte n1", false]
status, body = call("POST", "#{A}/teams", token: ADMIN, body: { team: { name: "SUPORTE n1" } })
expect "the same name in other case: 422", [status, body["message"]], [422, "Name has already been taken"]
expect "GET teams: a bare array", call("GET", "#{A}/teams", token: AGENT)[1].map { |t| t["name"] }, ["suporte n1"]
tm = "#{A}/teams/#{team['id']}/team_members"
_, added = call("POST", tm, token: ADMIN, body: { user_ids: [agent_id] })
_, added_again = call("POST", tm, token: ADMIN, body: { user_ids: [agent_id, admin_row["id"]] })
expect "POST team_members answers only the users it added", [added.map { |u| u["id"] }, added_again.map { |u| u["id"] }],
       [[agent_id], [admin_row["id"]]]
_, all = call("PATCH", tm, token: ADMIN, body: { user_ids: [agent_id] })
expect "PATCH team_members replaces the set and answers all", all.map { |u| u["id"] }, [agent_id]
expect "a user of no account's: 401 Invalid User IDs", call("POST", tm, token: ADMIN, body: { user_ids: [999_999] }),
       [401, { "error" => "Invalid User IDs" }]
expect "is_member is the caller's", call("GET", "#{A}/teams/#{team['id']}", token: AGENT)[1]["is_member"], true

# ---------------------------------------------------------------- webhooks
hook = { webhook: { url: "http://n8n:5678/webhook/chatwoot", name: "n8n", subscriptions: ["message_created"] } }
status, created_hook = call("POST", "#{A}/webhooks", token: ADMIN, body: hook)
expect "POST webhooks: 200 {\"payload\": {\"webhook\": ...}} with a secret",
       [status, created_hook["payload"]["webhook"]["subscriptions"], created_hook["payload"]["webhook"]["secret"].to_s.size],
       [200, ["message_created"], 24]
expect "the same url again: 422", call("POST", "#{A}/webhooks", token: ADMIN, body: hook)[1]["message"], "Url has already been taken"
status, default_hook = call("POST", "#{A}/webhooks", token: ADMIN, body: { webhook: { url: "http://defaults.example/h" } })
expect "subscriptions omitted: the column's default, eight events",
       [status, default_hook["payload"]["webhook"]["subscriptions"].size], [200, 8]
expect "subscriptions []: 422 Subscriptions Invalid events",
       call("POST", "#{A}/webhooks", token: ADMIN, body: { webhook: { url: "http://e.example", subscriptions: [] } })[1]["message"],
       "Subscriptions Invalid events"
expect "an event Chatwoot does not know: 422",
       call("POST", "#{A}/webhooks", token: ADMIN, body: { webhook: { url: "http://e.example", subscriptions: ["nope"] } })[0], 422
expect "javascript: URL: 422 Url is invalid",
       call("POST", "#{A}/webhooks", token: ADMIN, body: { webhook: { url: "javascript:alert(1)" } })[1]["message"], "Url is invalid"
expect "HTTPS:// in capitals is refused", call("POST", "#{A}/webhooks", token: ADMIN, body: { webhook: { url: "HTTPS://e.example" } })[0], 422
expect "the URL pattern is not anchored: 'see http://x' passes",
       call("POST", "#{A}/webhooks", token: ADMIN, body: { webhook: { url: "see http://x.example" } })[0], 200
expect "a flat JSON body is wrapped as webhook (model attributes)",
       call("POST", "#{A}/webhooks", token: ADMIN, body: { url: "http://flat.example/h", subscriptions: ["message_created"] })[0], 200
_, hooks = call("GET", "#{A}/webhooks", token: ADMIN)
expect "GET webhooks: {\"payload\": {\"webhooks\": [...]}}", [hooks.keys, hooks["payload"].keys, hooks["payload"]["webhooks"].size],
       [["payload"], ["webhooks"], 4]
hook_id = created_hook["payload"]["webhook"]["id"]
_, inbox_hook = call("PATCH", "#{A}/webhooks/#{hook_id}", token: ADMIN, body: { webhook: { inbox_id: inbox["id"] } })
expect "a webhook with an inbox shows inbox {id, name}", inbox_hook["payload"]["webhook"]["inbox"], { "id" => inbox["id"], "name" => "WhatsApp" }
expect "an agent may not list webhooks: 401", call("GET", "#{A}/webhooks", token: AGENT)[0], 401

# ---------------------------------------------------------------- labels and canned responses
status, label = call("POST", "#{A}/labels", token: ADMIN, body: { label: { title: "Cliente-VIP", color: "#ff0000" } })
expect "POST labels: the title downcased", [status, label["title"], label["color"]], [200, "cliente-vip", "#ff0000"]
expect "a title with a space: 422 Title is invalid",
       call("POST", "#{A}/labels", token: ADMIN, body: { label: { title: "two words" } })[1]["message"], "Title is invalid"
expect "GET labels: {\"payload\": [...]}, for agents too", call("GET", "#{A}/labels", token: AGENT)[1]["payload"].map { |l| l["title"] },
       ["cliente-vip"]
expect "GET of one label: administrators only (401)", call("GET", "#{A}/labels/#{label['id']}", token: AGENT)[0], 401
status, canned = call("POST", "#{A}/canned_responses", token: AGENT, body: { canned_response: { short_code: "oi", content: "Olá!" } })
expect "an agent may write canned responses", [status, canned["short_code"]], [200, "oi"]
_, rows = call("GET", "#{A}/canned_responses", token: ADMIN)
expect "GET canned_responses: a bare array of raw rows", rows.first.keys.sort, %w[account_id content created_at id short_code updated_at]
expect "a short_code twice: 422", call("POST", "#{A}/canned_responses", token: ADMIN,
                                                                      body: { canned_response: { short_code: "oi", content: "x" } })[0], 422

# ---------------------------------------------------------------- Platform API
expect "Platform API with a user's token: 401 Invalid access_token", call("GET", "#{P}/accounts", token: ADMIN),
       [401, { "error" => "Invalid access_token" }]
status, account = call("POST", "#{P}/accounts", token: PLATFORM, body: { name: "Filial", locale: "pt_BR" })
expect "POST accounts: 200, permitted to the app", [status, account["name"], account["locale"], account["status"]],
       [200, "Filial", "pt_BR", "active"]
expect "GET accounts lists what the app may see",
       call("GET", "#{P}/accounts", token: PLATFORM)[1].map { |a| a["id"] }.include?(account["id"]), true
expect "an unknown account: Rails' own 404", call("GET", "#{P}/accounts/999999", token: PLATFORM),
       [404, { "status" => 404, "error" => "Not Found" }]
expect "an account the app may not see: 401 Non permissible resource", call("GET", "#{P}/accounts/#{OTHER}", token: PLATFORM),
       [401, { "error" => "Non permissible resource" }]
status, body = call("PATCH", "#{P}/accounts/#{account['id']}", token: PLATFORM, body: { custom_attributes: { plan: "x" }, support_email: "no" })
expect "PATCH accounts validates support_email", [status, body["message"]], [422, "Support email is not a valid email address"]
status, user = call("POST", "#{P}/users", token: PLATFORM, body: { name: "Ana", email: "Ana@Example.org", password: "Ana-Passw0rd!" })
expect "POST users: confirmed, with its own token, no custom_attributes key when empty",
       [status, user["email"], user["confirmed"], user["access_token"].to_s.size, user.key?("custom_attributes")],
       [200, "ana@example.org", true, 24, false]
status, adopted = call("POST", "#{P}/users", token: PLATFORM, body: { name: "Other Name", email: "new.agent@example.org", password: "x" })
expect "POST users with an existing email answers that user (name and password ignored) and confirms it",
       [status, adopted["id"], adopted["name"], adopted["confirmed"]], [200, created["id"], "Renamed", true]
status, body = call("POST", "#{P}/users", token: PLATFORM, body: { email: "nobody@example.org" })
expect "POST users with only an unknown email: 422 naming name (and password), nobody made",
       [status, body["attributes"].include?("name"), body["attributes"].include?("password")], [422, true, true]
_, merged = call("PATCH", "#{P}/users/#{user['id']}", token: PLATFORM, body: { custom_attributes: { a: 1 } })
_, merged = call("PATCH", "#{P}/users/#{user['id']}", token: PLATFORM, body: { custom_attributes: { b: 2 }, display_name: "Aninha" })
expect "PATCH users merges custom_attributes", [merged["custom_attributes"], merged["available_name"]], [{ "a" => 1, "b" => 2 }, "Aninha"]
au = "#{P}/accounts/#{account['id']}/account_users"
status, row = call("POST", au, token: PLATFORM, body: { user_id: user["id"], role: "administrator" })
expect "POST account_users: the raw row, role by name", [status, row["role"], row.key?("custom_role_id")], [200, "administrator", true]
_, row = call("POST", au, token: PLATFORM, body: { user_id: user["id"], role: "agent" })
expect "POST account_users again updates the same row", [row["role"], call("GET", au, token: PLATFORM)[1].size], ["agent", 1]
status, body = call("POST", au, token: PLATFORM, body: { user_id: 999_999, role: "agent" })
expect "account_users of a user that does not exist: 422 User must exist", [status, body["message"]], [422, "User must exist"]
expect "DELETE account_users of a non-member: 200", call("DELETE", au, token: PLATFORM, body: { user_id: 999_998 }), [200, nil]
status, suspended = call("PATCH", "#{P}/accounts/#{account['id']}", token: PLATFORM, body: { status: "suspended" })
expect "PATCH status suspended", [status, suspended["status"]], [200, "suspended"]
expect "a suspended account on the Application API: 401 Account is suspended",
       call("GET", "/api/v1/accounts/#{account['id']}/agents", token: user["access_token"]), [401, { "error" => "Account is suspended" }]

# ---------------------------------------------------------------- asynchronous deletes (the worker runs DeleteObjectJob)
status, body = call("DELETE", "#{A}/inboxes/#{twin['id']}", token: ADMIN)
expect "DELETE an inbox: 200 and a message", [status, body],
       [200, { "message" => "Your inbox deletion request will be processed in some time." }]
expect "... the worker deletes it later (GET: 404)", eventually { call("GET", "#{A}/inboxes/#{twin['id']}", token: ADMIN)[0] == 404 }, true
expect "DELETE an account: 200, empty", call("DELETE", "#{P}/accounts/#{account['id']}", token: PLATFORM), [200, nil]
expect "... the worker deletes it later (GET: 404)",
       eventually { call("GET", "#{P}/accounts/#{account['id']}", token: PLATFORM)[0] == 404 }, true
expect "... and its permissible left behind makes GET accounts a 500", call("GET", "#{P}/accounts", token: PLATFORM)[0], 500
