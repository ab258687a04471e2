# shellcheck shell=bash
# Cases of tests/standin/selftest.sh (sourced by it, with its helpers): the Platform and Application APIs, each as
# Chatwoot 4.15.1's source has it (README.md's API table names the source of each). Its own database (cw_api) and
# Redis database (2). The checks themselves are selftest-api.rb, run in a container against a web and a worker of
# the stand-in; each of its PASS/FAIL lines counts here.

API_ENV=("${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_api -e "REDIS_URL=redis://$REDIS:6379/2" -e FRONTEND_URL=http://chatwoot.test)

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
docker rm -f "$API_WEB" "$RUN_ID-api-worker" >/dev/null
