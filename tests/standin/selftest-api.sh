# shellcheck shell=bash
# Cases of tests/standin/selftest.sh (sourced by it, with its helpers): the Platform and Application APIs, each as
# Chatwoot 4.15.1's source has it (README.md's API table names the source of each). Its own database (cw_api) and
# Redis database (11; the worker cases use 1 to 9, selftest-admin.sh 10). The checks themselves are
# selftest-api.rb, run in a container against a web and a worker of the stand-in; each of its PASS/FAIL lines
# counts here.

# Single-quoted Ruby is meant literally.
# shellcheck disable=SC2016

API_ENV=("${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_api -e "REDIS_URL=redis://$REDIS:6379/11" -e FRONTEND_URL=http://chatwoot.test)

say "the Platform and Application APIs"
app "$IMG" "${API_ENV[@]}" -- bundle exec rails db:chatwoot_prepare
expect_ok "prepare of cw_api"
# The administrator and an agent of one account, another account (the admin's, not the app's), a Platform App
# permitted on the first account, as the role's admin.rb and an operator's browser would leave them.
app "$IMG" -i "${API_ENV[@]}" -- bundle exec rails runner - <<'RUBY'
admin, account = AccountBuilder.new(account_name: "Main", user_full_name: "Administrator", email: "admin@example.org",
                                    user_password: "Admin-Passw0rd!", super_admin: true, confirmed: true).perform
agent = User.create!(name: "Agent", email: "agent@example.org", password: "Agent-Passw0rd!")
AccountUser.create!(account: account, user: agent, role: :agent)
other = Account.create!(name: "Other")
AccountUser.create!(account: other, user: admin, role: :administrator)
app = PlatformApp.create!(name: "selftest")
app.platform_app_permissibles.create!(permissible: account)
puts [account.id, admin.access_token.token, agent.access_token.token, app.access_token.token, other.id].join(" ")
RUBY
expect_ok "rails runner made the administrator, an agent, two accounts and a Platform App"
read -r API_ACCOUNT API_ADMIN API_AGENT API_PLATFORM API_OTHER <<<"$(tail -1 <<<"$OUT")"
API_WEB=$RUN_ID-api-web
start "$API_WEB" "$IMG" "${API_ENV[@]}" -- bundle exec rails s -p 3000 -b 0.0.0.0
start "$RUN_ID-api-worker" "$IMG" "${API_ENV[@]}" -- bundle exec sidekiq -C config/sidekiq.yml
wait_until 60 web_answers "$API_WEB" || fail "web for the API cases came up ($(excerpt "$(logs "$API_WEB")"))"
RC=0
API_OUT=$(timeout 300 docker run --rm -i --label "$LABEL" --network "$NET" "$IMG" ruby - "http://$API_WEB:3000" \
	"$API_ACCOUNT" "$API_ADMIN" "$API_AGENT" "$API_PLATFORM" "$API_OTHER" <"$HERE/selftest-api.rb" 2>&1) || RC=$?
printf '%s\n' "$API_OUT" | grep -E '^(PASS|FAIL): ' || true
PASSED=$((PASSED + $(grep -c '^PASS: ' <<<"$API_OUT" || true)))
FAILED=$((FAILED + $(grep -c '^FAIL: ' <<<"$API_OUT" || true)))
if ((RC != 0)); then
	fail "selftest-api.rb ran to its end (exit $RC: $(excerpt "$(grep -vE '^(PASS|FAIL): ' <<<"$API_OUT")"))"
fi
# A failed case shows the errors web logged (the 500s the cases expect are among them).
if grep -q '^FAIL: ' <<<"$API_OUT"; then logs "$API_WEB" | grep -E '^E, ' | tail -30; fi
docker rm -f -v "$API_WEB" "$RUN_ID-api-worker" >/dev/null

say "webhooks: a created message is posted by the worker (WebhookJob), SafeFetch refusing private addresses"
HOOK=$RUN_ID-hook
# A receiver on the private network, as n8n or Evolution API on mcp_network: one line per request received.
start "$HOOK" "$IMG" -- ruby -rwebrick -rjson -e '
  s = WEBrick::HTTPServer.new(Port: 8080, AccessLog: [], Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN))
  s.mount_proc("/") { |q, r| $stdout.puts("HOOK " + JSON.generate(path: q.path, ts: q["X-Chatwoot-Timestamp"],
    sig: q["X-Chatwoot-Signature"], delivery: q["X-Chatwoot-Delivery"], type: q["Content-Type"], body: q.body)); $stdout.flush; r.body = "ok" }
  s.start'
hook_runner() { app "$IMG" -i "${API_ENV[@]}" -- bundle exec rails runner - ; }
# The message: an incoming message in a new conversation of the account's API inbox, by the model (its
# after_create_commit is what dispatches MESSAGE_CREATED).
message_code="a = Account.find($API_ACCOUNT); i = a.inboxes.find_by(channel_type: 'Channel::Api')
i.channel.update!(webhook_url: 'http://$HOOK:8080/inbox')
c = Conversation.create!(account: a, inbox: i, display_id: Conversation.count + 1)
Message.create!(account: a, conversation: c, content: 'Oi', message_type: :incoming)
Message.create!(account: a, conversation: c, content: 'note', message_type: :activity)"
hook_runner <<<"Webhook.create!(account: Account.find($API_ACCOUNT), url: 'http://$HOOK:8080/hook', subscriptions: ['message_created']); puts Webhook.find_by(url: 'http://$HOOK:8080/hook').secret"
HOOK_SECRET=$(tail -1 <<<"$OUT")
start "$RUN_ID-hook-worker" "$IMG" "${API_ENV[@]}" -- bundle exec sidekiq -C config/sidekiq.yml
hook_runner <<<"$message_code"
expect_ok "rails runner makes a conversation and two messages"
refused() { logs "$RUN_ID-hook-worker" | grep -q "Invalid webhook URL http://$HOOK:8080/hook : Hostname '$HOOK' has no public ip addresses"; }
if wait_until 30 refused; then pass "without SAFE_FETCH_ALLOW_PRIVATE_NETWORK the worker refuses a private address (v4.14+)"; else
	fail "without SAFE_FETCH_ALLOW_PRIVATE_NETWORK the worker refuses a private address ($(excerpt "$(logs "$RUN_ID-hook-worker")"))"
fi
expect_not "... and the receiver got nothing" "$(logs "$HOOK")" '^HOOK '
docker rm -f -v "$RUN_ID-hook-worker" >/dev/null
start "$RUN_ID-hook-worker2" "$IMG" "${API_ENV[@]}" -e SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true -- bundle exec sidekiq -C config/sidekiq.yml
hook_runner <<<"$message_code"
delivered() { [[ $(logs "$HOOK" | grep -c '^HOOK ') -ge 2 ]]; }
if wait_until 30 delivered; then pass "with SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true the message reaches the account's webhook and the API inbox's webhook_url"; else
	fail "with SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true the message reaches the receiver ($(excerpt "$(logs "$RUN_ID-hook-worker2")"))"
fi
hooks=$(logs "$HOOK" | grep '^HOOK ')
expect_eq "one delivery to the account's webhook and one to the API inbox's, none for the activity message" \
	"$(grep -c '"path":"/hook"' <<<"$hooks") $(grep -c '"path":"/inbox"' <<<"$hooks")" "1 1"
expect "the payload is message_created, its content and inbox" "$hooks" 'message_created.*Oi|Oi.*message_created'
# X-Chatwoot-Signature = sha256= HMAC-SHA256(secret, "<timestamp>.<body>"), checked with the webhook's own secret.
line=$(grep '"path":"/hook"' <<<"$hooks" | head -1)
app "$IMG" -i -- ruby -rjson -ropenssl -e 'h = JSON.parse($stdin.read.sub(/\AHOOK /, "")); exp = "sha256=" + OpenSSL::HMAC.hexdigest("SHA256", ARGV[0], "#{h["ts"]}.#{h["body"]}"); puts(h["sig"] == exp ? "signed" : "bad #{h["sig"]} #{exp}"); puts h["type"]; puts(h["delivery"].to_s.size)' "$HOOK_SECRET" <<<"$line"
expect_eq "X-Chatwoot-Signature is the HMAC of timestamp.body with the webhook's secret; JSON; a delivery id" \
	"$(paste -sd ' ' <<<"$OUT")" "signed application/json 36"
docker rm -f -v "$HOOK" "$RUN_ID-hook-worker2" >/dev/null
