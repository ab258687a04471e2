# shellcheck shell=bash
# Cases of tests/standin/selftest.sh (sourced by it, with its helpers): the first administrator, the onboarding form,
# the installation settings and platform apps, each as Chatwoot 4.15.1's source has it (README.md's table names the
# source file of each). Its own database (cw_admin) and Redis database (10; the worker cases use 1 to 9), so the earlier cases' keys do not mix in.

# Single-quoted Ruby and regexes are meant literally.
# shellcheck disable=SC2016
ADMIN_ENV=("${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_admin -e "REDIS_URL=redis://$REDIS:6379/10")
arcli() { rdb 10 "$@"; }
runner() { app "$IMG" -i "${ADMIN_ENV[@]}" -- bundle exec rails runner - ; }

say "production seeds: installation settings from config/installation_config.yml, not from the environment"
app "$IMG" "${ADMIN_ENV[@]}" -e ENABLE_ACCOUNT_SIGNUP=true -- bundle exec rails db:chatwoot_prepare
expect_ok "prepare of cw_admin (ENABLE_ACCOUNT_SIGNUP=true in the environment)"
expect_eq "ENABLE_ACCOUNT_SIGNUP seeded false and unlocked, whatever the environment says" \
	"$(psql_q cw_admin "SELECT serialized_value::text || ' ' || locked FROM installation_configs WHERE name = 'ENABLE_ACCOUNT_SIGNUP'")" \
	'"--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: false\n" false'
expect_eq "INSTALLATION_NAME seeded Chatwoot and locked" \
	"$(psql_q cw_admin "SELECT serialized_value::text || ' ' || locked FROM installation_configs WHERE name = 'INSTALLATION_NAME'")" \
	'"--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nvalue: Chatwoot\n" true'
expect_eq "the onboarding key is set" "$(arcli GET alfred:CHATWOOT_INSTALLATION_ONBOARDING)" true

say "rails runner - reads the code from standard input"
runner <<<'puts [1, 2].sum'
expect_eq "rails runner - evaluates standard input" "$OUT" 3

say "Redis::Alfred.set and ActiveRecord's select_value, as files/admin.rb leaves its state"
runner <<<'Redis::Alfred.set("STANDIN_SELFTEST_STATE", {a: 1}.to_json); puts ActiveRecord::Base.connection.select_value("SELECT md5(\x27x\x27)")'
expect_eq "select_value returns the first column of the first row" "$OUT" 9dd4e461268c8034f5c8564e155c67a6
expect_eq "... and Alfred.set stores under alfred:<key> (Redis::Namespace alfred)" "$(arcli GET alfred:STANDIN_SELFTEST_STATE)" '{"a":1}'

say "GlobalConfigService and GlobalConfig: the row wins over the environment; a saved row clears the cache"
app "$IMG" "${ADMIN_ENV[@]}" -e ENABLE_ACCOUNT_SIGNUP=true -- bundle exec rails runner 'p GlobalConfigService.account_signup_enabled?'
expect_eq "account_signup_enabled? is the row's false with ENABLE_ACCOUNT_SIGNUP=true in the environment" "$OUT" false
expect_eq "... and, having looked at the environment, clears the cache" "$(arcli EXISTS alfred:V1:GLOBAL_CONFIG:ENABLE_ACCOUNT_SIGNUP)" 0
runner <<<'p GlobalConfig.get("ENABLE_ACCOUNT_SIGNUP")["ENABLE_ACCOUNT_SIGNUP"]'
expect_eq "GlobalConfig.get typecasts the boolean setting" "$OUT" false
expect_eq "... read through the cache alfred:V1:GLOBAL_CONFIG:<NAME>" \
	"$(arcli GET alfred:V1:GLOBAL_CONFIG:ENABLE_ACCOUNT_SIGNUP)" '{"value":false}'
runner <<<'c = InstallationConfig.find_or_initialize_by(name: "ENABLE_ACCOUNT_SIGNUP"); c.value = true; c.save!; p c.locked'
expect_eq "find_or_initialize_by, value=, save! keep the row's lock" "$OUT" false
expect_eq "... and the save clears the cache (after_commit)" "$(arcli EXISTS alfred:V1:GLOBAL_CONFIG:ENABLE_ACCOUNT_SIGNUP)" 0
runner <<<'p GlobalConfigService.account_signup_enabled?'
expect_eq "... so Chatwoot reads the new value" "$OUT" true
runner <<<'c = InstallationConfig.new(name: "BRAND_NAME_NEW"); c.value = "x"; c.save!; p c.locked'
expect_eq "a new row without a lock is locked (set_lock)" "$OUT" true
runner <<<'InstallationConfig.create!(name: "")'
expect_fails "a row without a name is refused"

say "AccountBuilder: Chatwoot's checks, one transaction"
builder='AccountBuilder.new(account_name: "Acme", user_full_name: "Ad Min", email: ARGV_EMAIL, user_password: ARGV_PW, super_admin: true, confirmed: true).perform'
build_with() { local code=${builder/ARGV_EMAIL/\"$1\"}; runner <<<"${code/ARGV_PW/\"$2\"}"; }
build_with admin@localhost 'Secr3t!pass'
expect_fails "an email whose domain has no dot is refused (ValidEmail2)"
expect "... with Chatwoot's message" "$ERR" 'You have entered an invalid email \(CustomExceptions::Account::InvalidEmail\)'
build_with admin@example..org 'Secr3t!pass'
expect_fails "a domain with '..' is refused"
build_with admin@example.org 'password'
expect_fails "a password without upper case, digit or special character is refused"
expect "... with devise-secure_password's messages" "$ERR" 'Password must contain at least 1 uppercase character \(A\.\.Z\)'
build_with admin@example.org 'Secr3t!pässword'
expect_fails "a password with a character outside the allowed classes is refused"
expect "... naming it" "$ERR" 'contains 1 invalid character \(ä\)'
build_with admin@example.org 'Sh0r!'
expect_fails "a password of 5 characters is refused"
expect_eq "... and none of these left a user or an account (one transaction)" \
	"$(psql_q cw_admin "SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM accounts)")" "0 0"
build_with Admin@Example.org 'Secr3t!pass'
expect_ok "a good email and password make the admin"
expect_eq "... a confirmed SuperAdmin, email downcased and uid = email, bcrypt password (devise stretches 11)" \
	"$(psql_q cw_admin "SELECT email || ' ' || uid || ' ' || type || ' ' || (confirmed_at IS NOT NULL) || ' ' || left(encrypted_password, 7) FROM users")" \
	'admin@example.org admin@example.org SuperAdmin true $2a$11$'
expect_eq "... administrator (role 1) of the new account, whose onboarding_step is account_details" \
	"$(psql_q cw_admin "SELECT au.role || ' ' || a.name || ' ' || (a.custom_attributes->>'onboarding_step') FROM account_users au JOIN accounts a ON a.id = au.account_id")" \
	'1 Acme account_details'
runner <<<'u = User.from_email("ADMIN@example.org"); puts u.access_token.token.length, u.valid_password?("Secr3t!pass"), u.valid_password?("nope"), u.class'
expect_eq "... with an access token (has_secure_token, 24 characters) and the password" "$(paste -sd ' ' <<<"$OUT")" "24 true false SuperAdmin"
build_with admin@example.org 'Secr3t!pass'
expect_fails "the same email again raises UserExists"
expect "... with Chatwoot's message" "$ERR" 'You have already signed up for an account with admin@example.org'

say "PlatformApp, its token and its permissibles"
runner <<<'a = PlatformApp.create!(name: "ops"); puts a.access_token.token.length, a.access_token.owner_type; u = User.first; a.platform_app_permissibles.create!(permissible: u); puts PlatformAppPermissible.where(permissible: u).count'
expect_eq "PlatformApp.create!(name:) gets a token; a permissible names its user" "$(paste -sd ' ' <<<"$OUT")" "24 PlatformApp 1"
runner <<<'a = PlatformApp.find_by(name: "ops"); a.platform_app_permissibles.create!(permissible: User.first)'
expect_fails "the same permissible twice is refused (uniqueness)"
runner <<<'PlatformApp.create!(name: "")'
expect_fails "a platform app without a name is refused"
runner <<<'t = PlatformApp.find_by(name: "ops").access_token; old = t.token; t.regenerate_token; p old != t.reload.token'
expect_eq "regenerate_token makes a new token" "$OUT" true

say "the onboarding form: GET while the key exists, POST makes a SuperAdmin and deletes the key"
psql_q cw_admin "TRUNCATE users, accounts, account_users, access_tokens, platform_app_permissibles, platform_apps CASCADE" >/dev/null
arcli SET alfred:CHATWOOT_INSTALLATION_ONBOARDING true >/dev/null
ONB=$RUN_ID-onboarding
# FRONTEND_URL names the host the cases ask, so no request of theirs looks portals up (switch_locale): only the
# form's own queries can connect the pool's connection that /api then asks about.
start "$ONB" "$IMG" "${ADMIN_ENV[@]}" -e "FRONTEND_URL=http://$ONB:3000" -- bundle exec rails s -p 3000 -b 0.0.0.0
onb_answers() {
	api "$ONB"
	[[ $OUT == *"STATUS "* ]]
}
wait_until 60 onb_answers || fail "web for the onboarding cases came up ($(excerpt "$(logs "$ONB")"))"
expect "a fresh web, FRONTEND_URL's Host: /api data_services failing (no query has connected a pooled connection)" \
	"$OUT" '"data_services":"failing"'
probe http "http://$ONB:3000/installation/onboarding"
expect "GET /installation/onboarding while the key exists: 200 with the form" "$OUT" '^STATUS 200$'
form=("user[name]=Hand" "user[company]=HandCo")
probe post "http://$ONB:3000/installation/onboarding" "${form[@]}" "user[email]=hand@localhost" "user[password]=Hand1!pass"
expect "POST with an email Chatwoot refuses: 302" "$OUT" '^STATUS 302$'
expect "... to /" "$OUT" '^HEADER location: http://[^/]+/$'
expect_eq "... the key stays and nobody was made" \
	"$(arcli EXISTS alfred:CHATWOOT_INSTALLATION_ONBOARDING) $(psql_q cw_admin 'SELECT count(*) FROM users')" "1 0"
probe post "http://$ONB:3000/installation/onboarding" "${form[@]}" "user[email]=Hand@Example.org" "user[password]=Hand1!pass"
expect "POST with a good form (no CSRF token): 302 to /" "$OUT" '^HEADER location: http://[^/]+/$'
expect_eq "... the key is deleted" "$(arcli EXISTS alfred:CHATWOOT_INSTALLATION_ONBOARDING)" 0
expect_eq "... and the submitter is a SuperAdmin, administrator of the company's account" \
	"$(psql_q cw_admin "SELECT u.email || ' ' || u.type || ' ' || au.role || ' ' || a.name FROM users u JOIN account_users au ON au.user_id = u.id JOIN accounts a ON a.id = au.account_id")" \
	"hand@example.org SuperAdmin 1 HandCo"
api "$ONB"
expect "... and /api, FRONTEND_URL's Host, then finds data_services ok: the form's queries connected the request's pooled connection" \
	"$OUT" '"data_services":"ok"'
probe http "http://$ONB:3000/installation/onboarding"
expect "GET /installation/onboarding without the key: 302" "$OUT" '^STATUS 302$'
probe post "http://$ONB:3000/installation/onboarding" "${form[@]}" "user[email]=late@example.org" "user[password]=Late1!pass"
expect_eq "POST without the key makes nobody" "$(psql_q cw_admin 'SELECT count(*) FROM users')" 1
probe http "http://$ONB:3000/"
expect "GET / without the key: 200" "$OUT" '^STATUS 200$'
docker rm -f -v "$ONB" >/dev/null
