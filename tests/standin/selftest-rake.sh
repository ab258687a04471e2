# shellcheck shell=bash
# Cases of tests/standin/selftest.sh (sourced by it, with its helpers): `rails` with names that are no Rails command
# runs them as rake tasks, in one process, as Rails 7.1.5.2 does (railties lib/rails/command.rb,
# lib/rails/commands/rake/rake_command.rb; README.md's table names the source of each). A rake file of its own is
# mounted into /app/lib/tasks/<dir>, as `docker compose run -v` would, and runs after db:chatwoot_prepare. Its own
# databases (cw_rake, and cw_rake_never, which must never be made) and Redis database (12; the worker cases use 1 to
# 9, selftest-admin.sh 10, selftest-api.sh 11).

# Single-quoted Ruby and regexes are meant literally.
# shellcheck disable=SC2016

RAKE_ENV=("${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_rake -e "REDIS_URL=redis://$REDIS:6379/12")
RAKE_DIR=$TMP/rake-tasks
RAKE_TASKS=(-v "$RAKE_DIR:/app/lib/tasks/standin_selftest:ro")
RAKE_INPUT='{"email":"Rake.Admin@Example.org","password":"Rake-Passw0rd!","account":"Rake Inc"}'
mkdir -p "$RAKE_DIR"
# As the collection's: the task depends on :environment and loads the Ruby beside it, which reads JSON on stdin.
cat >"$RAKE_DIR/selftest.rake" <<'RUBY'
namespace :standin_selftest do
  task admin: :environment do
    load File.join(__dir__, "admin.rb")
  end

  task :second do
    puts "SECOND ran"
  end

  task :boom do
    raise ArgumentError, "boom from a mounted task"
  end
end
RUBY
cat >"$RAKE_DIR/admin.rb" <<'RUBY'
input = JSON.parse($stdin.read)
user, account = AccountBuilder.new(account_name: input.fetch("account"), user_full_name: "Rake Admin",
                                   email: input.fetch("email"), user_password: input.fetch("password"),
                                   super_admin: true, confirmed: true).perform
puts "TASK: #{SuperAdmin.count} super admin(s), #{InstallationConfig.count} settings, #{user.email} of #{account.name}"
RUBY
chmod 755 "$RAKE_DIR"
chmod 644 "$RAKE_DIR"/*
database_exists() { psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$1'"; }
# What Rails prints, without the escapes of Ruby's highlighting (Exception#detailed_message(highlight: true)).
# shellcheck disable=SC2001 # a regular expression, which ${var//…} does not take
no_ansi() { sed 's/\x1b\[[0-9;]*m//g' <<<"$1"; }

say "rails TASK TASK…: rake tasks in one process, a rake file mounted into /app/lib/tasks"
expect_eq "cw_rake does not exist yet" "$(database_exists cw_rake)" 0
app "$IMG" -i "${RAKE_ENV[@]}" "${RAKE_TASKS[@]}" -- bundle exec rails db:chatwoot_prepare standin_selftest:admin <<<"$RAKE_INPUT"
expect_ok "rails db:chatwoot_prepare standin_selftest:admin, the rake file mounted read-only into /app/lib/tasks/<dir>: exit 0"
expect "... the prepare ran: it created cw_rake, loaded the schema and seeded" "$OUT" \
	'^db:chatwoot_prepare done: created database, loaded schema, seeded$'
expect "... then the mounted task (=> :environment), in the same process, read its JSON on standard input and used the models on the database just made" \
	"$OUT" '^TASK: 1 super admin\(s\), [1-9][0-9]* settings, rake\.admin@example\.org of Rake Inc$'
expect "... in the order given (the prepare's last line, then the task's)" "$(tr '\n' '|' <<<"$OUT")" \
	'\|db:chatwoot_prepare done: [^|]*\|TASK: '
expect_eq "... and what the task made is in the database" "$(psql_q cw_rake "SELECT email || ' ' || type FROM users")" \
	"rake.admin@example.org SuperAdmin"

say "rails TASK…: an unknown task name is refused before any task runs"
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_rake_never -e "REDIS_URL=redis://$REDIS:6379/12" "${RAKE_TASKS[@]}" -- \
	bundle exec rails db:chatwoot_prepare standin_selftest:second no:such
expect_eq "rails db:chatwoot_prepare standin_selftest:second no:such: exit 1" "$RC" 1
expect_eq "... with Rails' message on stdout (puts error.detailed_message)" "$(no_ansi "$OUT")" \
	'Unrecognized command "no:such" (Rails::Command::UnrecognizedCommandError)'
expect_not "... no task ran, neither the prepare nor the mounted one" "$OUT$ERR" 'db:chatwoot_prepare|SECOND ran'
expect_eq "... and the database the prepare would have created does not exist" "$(database_exists cw_rake_never)" 0
app "$IMG" "${NO_SECRET[@]}" -- bundle exec rails no:such
expect_eq "an unknown task without SECRET_KEY_BASE: still Rails' message and exit 1 (nothing of the app is loaded before the tasks are looked up)" \
	"$RC:$(no_ansi "$OUT")" '1:Unrecognized command "no:such" (Rails::Command::UnrecognizedCommandError)'
app "$IMG" -- bundle exec rails db:migrat
expect_eq "a misspelt Rails task: DidYouMean's suggestion from Rails' own names" "$(no_ansi "$OUT")" \
	$'Unrecognized command "db:migrat" (Rails::Command::UnrecognizedCommandError)\nDid you mean?  db:migrate'

say "rails TASK…: a failing task stops the ones after it"
app "$IMG" "${RAKE_ENV[@]}" "${RAKE_TASKS[@]}" -- bundle exec rails standin_selftest:boom standin_selftest:second
expect_eq "a task that raises: exit 1" "$RC" 1
expect "... rake's report on stderr: bin/rails aborted!" "$ERR" '^bin/rails aborted!$'
expect "... the error" "$ERR" '^ArgumentError: boom from a mounted task'
expect "... and the task chain" "$ERR" '^Tasks: TOP => standin_selftest:boom$'
expect_not "... the task after it did not run" "$OUT" 'SECOND ran'
app "$IMG_FAULT_MIGRATE" -i "${RAKE_ENV[@]}" "${RAKE_TASKS[@]}" -- \
	bundle exec rails db:chatwoot_prepare standin_selftest:admin <<<"$RAKE_INPUT"
expect_fails "the faulty build's prepare (a migration fails) before the mounted task: exit non-zero"
expect "... with the migration's error on stderr" "$ERR" 'An error has occurred, this and all later migrations canceled'
expect_not "... and the mounted task did not run" "$OUT" '^TASK:'
app "$IMG" -i "${RAKE_ENV[@]}" -e "POSTGRES_HOST=$RUN_ID-no-pg" "${RAKE_TASKS[@]}" -- \
	bundle exec rails db:chatwoot_prepare standin_selftest:admin <<<"$RAKE_INPUT"
expect_fails "Postgres unreachable: the prepare fails, exit non-zero"
expect "... saying so on stderr" "$ERR" '^bin/rails aborted!$'
expect_not "... and the mounted task did not run" "$OUT" '^TASK:'
expect_eq "... neither time did the task add a user" "$(psql_q cw_rake 'SELECT count(*) FROM users')" 1
