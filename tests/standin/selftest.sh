#!/usr/bin/env bash
# Self-test of the Chatwoot stand-in image (a TEST DOUBLE of chatwoot/chatwoot, see README.md).
#
# Builds the image (and three variants: CHATWOOT_VERSION=4.16.0, STANDIN_FAULT=migrate,
# STANDIN_FAULT=boot) and proves, on a private user-defined Docker network with the rig's Postgres
# (pgvector) and Redis images, every part of Chatwoot's contract the stand-in honours. Every check
# prints one PASS or FAIL line; the script ends with "N passed, N failed" and exits non-zero on any
# failure. It removes every container, network and image it made, whatever happens.
#
# Needs: a Docker engine, and the rig's images (tests/rig/base-image.sh, tests/rig/build-images.sh):
#   STANDIN_BASE (sinapum-rig/debian:trixie), STANDIN_PG_IMAGE (sinapum-rig/pgvector:pg17),
#   STANDIN_REDIS_IMAGE (sinapum-rig/redis:8). Missing ones are waited for (polled every 30 s,
#   at most STANDIN_WAIT_SECONDS, default 1800).

# Single-quoted commands and patterns are meant literally (they run in containers or are regexes).
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE=${STANDIN_BASE:-sinapum-rig/debian:trixie}
PG_IMAGE=${STANDIN_PG_IMAGE:-sinapum-rig/pgvector:pg17}
REDIS_IMAGE=${STANDIN_REDIS_IMAGE:-sinapum-rig/redis:8}
WAIT_SECONDS=${STANDIN_WAIT_SECONDS:-1800}

RUN_ID=standin-selftest-$$-$RANDOM
NET=$RUN_ID
LABEL=org.sinapum.standin-selftest=$RUN_ID
IMG=sinapum-standin-selftest:$RUN_ID
IMG_416=sinapum-standin-selftest:$RUN_ID-v4.16.0
IMG_FAULT_MIGRATE=sinapum-standin-selftest:$RUN_ID-fault-migrate
IMG_FAULT_BOOT=sinapum-standin-selftest:$RUN_ID-fault-boot
PG=$RUN_ID-pg
REDIS=$RUN_ID-redis
PG_PASS=pg-secret-1
REDIS_PASS=redis-secret-1
SECRET=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
TMP=$(mktemp -d)

PASSED=0
FAILED=0
BUILT_IMAGES=()

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$LABEL" 2>/dev/null || true)
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086
		docker rm -f -v $ids >/dev/null 2>&1 || true
	fi
	docker network rm "$NET" >/dev/null 2>&1 || true
	if ((${#BUILT_IMAGES[@]})); then
		docker rmi "${BUILT_IMAGES[@]}" >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '== %s\n' "$*"; }
pass() {
	PASSED=$((PASSED + 1))
	printf 'PASS: %s\n' "$*"
}
fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL: %s\n' "$*"
}
excerpt() { head -c 700 <<<"$1" | tr '\n' '|'; }

# expect DESCRIPTION TEXT REGEX: PASS when TEXT matches the (extended) REGEX.
expect() {
	if grep -qE -- "$3" <<<"$2"; then pass "$1"; else fail "$1 (no /$3/ in: $(excerpt "$2"))"; fi
}
# expect_not DESCRIPTION TEXT REGEX: PASS when TEXT does not match.
expect_not() {
	if grep -qE -- "$3" <<<"$2"; then fail "$1 (/$3/ found in: $(excerpt "$2"))"; else pass "$1"; fi
}
# expect_eq DESCRIPTION GOT WANT
expect_eq() {
	if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1 (got '$(excerpt "$2")', want '$3')"; fi
}
# expect_fails DESCRIPTION: PASS when the last app/probe call exited non-zero.
expect_fails() {
	if ((RC != 0)); then pass "$1 (exit $RC)"; else fail "$1 (exit 0; output: $(excerpt "$OUT$ERR"))"; fi
}
expect_ok() {
	if ((RC == 0)); then pass "$1"; else fail "$1 (exit $RC; output: $(excerpt "$OUT$ERR"))"; fi
}

# wait_until SECONDS COMMAND...: retries COMMAND every second until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 1
	done
}

wait_for_image() {
	local image=$1 deadline=$((SECONDS + WAIT_SECONDS))
	until docker image inspect "$image" >/dev/null 2>&1; do
		((SECONDS < deadline)) || {
			echo "selftest: image $image did not appear within ${WAIT_SECONDS}s" >&2
			exit 1
		}
		echo "selftest: waiting for image $image (polling every 30 s)"
		sleep 30
	done
}

# build TAG [BUILD-ARG...]
build() {
	local tag=$1 arg
	shift
	local args=(--build-arg "BASE=$BASE")
	for arg in "$@"; do args+=(--build-arg "$arg"); done
	BUILT_IMAGES+=("$tag")
	if ! DOCKER_BUILDKIT=0 docker build --force-rm "${args[@]}" -t "$tag" "$HERE" >"$TMP/build.log" 2>&1; then
		tail -30 "$TMP/build.log" >&2
		echo "selftest: building $tag failed" >&2
		exit 1
	fi
}

# The app's environment, as the collection's env file would give it (-e pairs for docker run);
# NO_SECRET is the same without SECRET_KEY_BASE.
ENV_OK=()
NO_SECRET=()
for kv in "SECRET_KEY_BASE=$SECRET" "POSTGRES_HOST=$PG" POSTGRES_PORT=5432 POSTGRES_USERNAME=chatwoot \
	"POSTGRES_PASSWORD=$PG_PASS" POSTGRES_DATABASE=chatwoot "REDIS_URL=redis://$REDIS:6379" \
	"REDIS_PASSWORD=$REDIS_PASS" POSTGRES_STATEMENT_TIMEOUT=600s FRONTEND_URL=http://chatwoot.test \
	RAILS_LOG_TO_STDOUT=true; do
	ENV_OK+=(-e "$kv")
	[[ $kv == SECRET_KEY_BASE=* ]] || NO_SECRET+=(-e "$kv")
done

# app IMAGE [docker-run options...] -- COMMAND...: a throw-away container; sets RC, OUT (stdout), ERR.
app() {
	local image=$1 opts=()
	shift
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	RC=0
	timeout 180 docker run --rm --label "$LABEL" --network "$NET" "${opts[@]}" "$image" "$@" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	OUT=$(<"$TMP/out")
	ERR=$(<"$TMP/err")
}

# probe http URL [Name:Value...] | probe ws HOST PORT PATH: selftest-client.rb in a container; sets RC, OUT.
probe() {
	RC=0
	ERR=
	OUT=$(timeout 60 docker run --rm -i --label "$LABEL" --network "$NET" "$IMG" ruby - "$@" \
		<"$HERE/selftest-client.rb" 2>&1) || RC=$?
}

# start NAME IMAGE [docker-run options...] -- COMMAND...: a long-running app container.
start() {
	local name=$1 image=$2 opts=()
	shift 2
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	docker run -d --name "$name" --label "$LABEL" --network "$NET" "${opts[@]}" "$image" "$@" >/dev/null
}

web_answers() {
	probe http "http://$1:3000/health"
	[[ $OUT == *"STATUS 200"* ]]
}
psql_q() { docker exec "$PG" psql -U chatwoot -d "$1" -Atc "$2" 2>&1 || true; }
rcli() { docker exec "$REDIS" redis-cli -a "$REDIS_PASS" --no-auth-warning "$@" 2>&1 || true; }
pg_up() { docker exec "$PG" pg_isready -q -h 127.0.0.1 -U chatwoot; }
redis_up() { [[ $(rcli PING) == PONG ]]; }
running() { [[ $(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]]; }
exited() { [[ $(docker inspect -f '{{.State.Status}}' "$1" 2>/dev/null) == exited ]]; }
logs() { docker logs "$1" 2>&1; }
# snapshot DB: what prepare could change (columns, migrations, seeds with their timestamps).
snapshot() {
	psql_q "$1" "SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns
	             WHERE table_schema = 'public' ORDER BY 1;
	           SELECT 'migration ' || version FROM schema_migrations ORDER BY 1;
	           SELECT 'config ' || name || '=' || serialized_value::text || '@' || updated_at FROM installation_configs ORDER BY 1;
	           SELECT 'meta ' || key || '=' || value || '@' || updated_at FROM ar_internal_metadata ORDER BY 1;
	           SELECT 'users ' || count(*) FROM users; SELECT 'accounts ' || count(*) FROM accounts;"
}

# ------------------------------------------------------------------------------------------------
say "waiting for the rig's images"
wait_for_image "$BASE"
wait_for_image "$PG_IMAGE"
wait_for_image "$REDIS_IMAGE"

say "building the stand-in ($IMG) and its variants"
build "$IMG"
build "$IMG_416" CHATWOOT_VERSION=4.16.0
build "$IMG_FAULT_MIGRATE" CHATWOOT_VERSION=4.16.0 STANDIN_FAULT=migrate
build "$IMG_FAULT_BOOT" STANDIN_FAULT=boot
docker network create --label "$LABEL" "$NET" >/dev/null

# ------------------------------------------------------------------------------------------------
say "image: metadata and contents"
meta=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.description"}}|{{.Config.WorkingDir}}|{{json .Config.ExposedPorts}}|{{json .Config.Entrypoint}}|{{json .Config.Healthcheck}}|{{json .Config.Cmd}}|user={{.Config.User}}|{{json .Config.Env}}' "$IMG")
expect "label says TEST DOUBLE of chatwoot/chatwoot" "$meta" '^TEST DOUBLE of chatwoot/chatwoot'
expect "WORKDIR /app" "$meta" '\|/app\|'
expect "EXPOSE 3000" "$meta" '"3000/tcp"'
expect "no ENTRYPOINT, no HEALTHCHECK" "$meta" '\|null\|null\|'
expect "default CMD is Ruby's irb, as the official image (no rails.sh)" "$meta" '\|\["irb"\]\|'
expect "runs as root (no USER)" "$meta" '\|user=\|'
expect "image sets RAILS_ENV=production" "$meta" '"RAILS_ENV=production"'
app "$IMG" -- sh -c 'for c in curl redis-cli; do command -v "$c" && exit 1; done; echo none'
expect "no curl and no redis-cli in the image" "$OUT" '^none$'
app "$IMG" -- sh -c 'for c in wget nc; do readlink -f "$(command -v "$c")"; done; command -v pg_isready; command -v psql; id -u; test -d /app/storage && echo storage-ok; test -x /app/docker/entrypoints/rails.sh && echo rails-sh-ok'
expect "wget is a BusyBox applet" "$(sed -n 1p <<<"$OUT")" 'busybox$'
expect "nc is a BusyBox applet" "$(sed -n 2p <<<"$OUT")" 'busybox$'
expect "pg_isready present" "$OUT" '/pg_isready$'
expect "psql present" "$OUT" '/psql$'
expect "runs as uid 0" "$OUT" '^0$'
expect "/app/storage exists" "$OUT" '^storage-ok$'
expect "docker/entrypoints/rails.sh is executable" "$OUT" '^rails-sh-ok$'
app "$IMG" -- bundle exec ruby -e 'require "sidekiq"; puts Sidekiq::VERSION; puts Bundler.root'
expect "bundle exec (real Bundler) resolves the REAL Sidekiq 7 from Debian" "$OUT" '^7\.[0-9]+\.[0-9]+$'
expect "... with /app/Gemfile" "$OUT" '^/app$'

say "SECRET_KEY_BASE missing in production: every app command refuses"
for cmd in "rails s -p 3000 -b 0.0.0.0" "sidekiq -C config/sidekiq.yml" "rails runner puts(1)" "rails db:chatwoot_prepare"; do
	# shellcheck disable=SC2086
	app "$IMG" "${NO_SECRET[@]}" -- bundle exec $cmd
	expect_fails "bundle exec $cmd without SECRET_KEY_BASE exits non-zero"
	expect "bundle exec $cmd without SECRET_KEY_BASE says why on stderr" "$ERR" 'Missing `secret_key_base` for .production. environment'
done

# ------------------------------------------------------------------------------------------------
say "rails.sh waits for Postgres (started before Postgres exists) and not for Redis"
start "$RUN_ID-webwait" "$IMG" "${ENV_OK[@]}" -e "REDIS_URL=redis://$RUN_ID-no-redis:6379" \
	--entrypoint docker/entrypoints/rails.sh -- bundle exec rails s -p 3000 -b 0.0.0.0
sleep 6
if running "$RUN_ID-webwait" && logs "$RUN_ID-webwait" | grep -q 'Waiting for postgres' &&
	! logs "$RUN_ID-webwait" | grep -q 'Booting'; then
	pass "rails.sh keeps looping on pg_isready while Postgres is absent"
else
	fail "rails.sh keeps looping on pg_isready while Postgres is absent ($(excerpt "$(logs "$RUN_ID-webwait")"))"
fi

mkdir -p "$TMP/init"
cat >"$TMP/init/10-selftest.sql" <<'EOF'
-- a role that is no superuser and a database without the vector extension
CREATE ROLE cw_limited LOGIN PASSWORD 'limited-secret' CREATEDB;
CREATE DATABASE cw_novector OWNER cw_limited;
EOF
docker create --name "$PG" --label "$LABEL" --network "$NET" -e POSTGRES_USER=chatwoot \
	-e "POSTGRES_PASSWORD=$PG_PASS" -e POSTGRES_DB=chatwoot "$PG_IMAGE" >/dev/null
docker cp "$TMP/init/." "$PG:/docker-entrypoint-initdb.d/"
docker start "$PG" >/dev/null
docker run -d --name "$REDIS" --label "$LABEL" --network "$NET" "$REDIS_IMAGE" \
	redis-server --requirepass "$REDIS_PASS" >/dev/null
wait_until 90 pg_up || {
	logs "$PG" | tail -20
	fail "Postgres came up"
}
wait_until 30 redis_up || fail "Redis came up"

if wait_until 60 web_answers "$RUN_ID-webwait"; then
	pass "rails.sh execs the web server once Postgres answers (no Redis there at all)"
else
	fail "rails.sh execs the web server once Postgres answers ($(excerpt "$(logs "$RUN_ID-webwait")"))"
fi
probe http "http://$RUN_ID-webwait:3000/api"
expect "/api before prepare and without Redis: 200" "$OUT" '^STATUS 200$'
expect "/api before prepare: data_services failing (rails.sh ran no migration)" "$OUT" '"data_services":"failing"'
expect "/api without Redis: queue_services failing" "$OUT" '"queue_services":"failing"'
docker rm -f "$RUN_ID-webwait" >/dev/null

app "$IMG" "${ENV_OK[@]}" --entrypoint sh -- -c \
	'echo 1 > /app/tmp/pids/server.pid && exec docker/entrypoints/rails.sh sh -c "test ! -e /app/tmp/pids/server.pid && echo PID-REMOVED"'
expect "rails.sh removes tmp/pids/server.pid, then execs the command" "$OUT" 'PID-REMOVED'
app "$IMG" "${ENV_OK[@]}" --entrypoint sh -- -c \
	'echo 1 > /app/tmp/pids/server.pid && exec bundle exec rails s -p 3000 -b 0.0.0.0'
expect_fails "without rails.sh, a server.pid naming a live process stops rails s"
expect "... with Rails' message" "$ERR" 'A server is already running \(pid: 1'

# ------------------------------------------------------------------------------------------------
say "db:chatwoot_prepare: database missing -> create, load schema, seed"
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_fresh -- bundle exec rails db:chatwoot_prepare
expect_ok "prepare on a missing database succeeds"
expect "... and says it created, loaded and seeded" "$OUT" 'done: created database, loaded schema, seeded$'
expect_eq "production seeds create no user" "$(psql_q cw_fresh 'SELECT count(*) FROM users')" 0
expect_eq "production seeds set the onboarding key in Redis" "$(rcli GET alfred:CHATWOOT_INSTALLATION_ONBOARDING)" true
expect "production seeds write installation_configs" "$(psql_q cw_fresh 'SELECT name FROM installation_configs')" '^INSTALLATION_NAME$'
tables=$(psql_q cw_fresh "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
expect "schema has Chatwoot's core tables" "$tables" \
	'^access_tokens,account_users,accounts,ar_internal_metadata,.*conversations,.*installation_configs,messages,platform_app_permissibles,platform_apps,(portals,)?schema_migrations,users$'
expect_eq "schema has a vector(1536) column" \
	"$(psql_q cw_fresh "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'article_embeddings'::regclass AND attname = 'embedding'")" \
	"vector(1536)"
expect_eq "a 4.15.1 build does not have the 4.16.0 column" \
	"$(psql_q cw_fresh "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'standin_added_in_4_16'")" 0

say "db:chatwoot_prepare is idempotent"
before=$(snapshot cw_fresh)
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_fresh -- bundle exec rails db:chatwoot_prepare
expect_ok "second prepare succeeds"
expect "... and has nothing to do" "$OUT" 'done: nothing to do$'
expect_eq "... and changes nothing in the database" "$(snapshot cw_fresh)" "$before"

say "db:chatwoot_prepare: database present but empty -> load schema, seed, migrate"
rcli DEL alfred:CHATWOOT_INSTALLATION_ONBOARDING >/dev/null
app "$IMG" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect_ok "prepare on the empty database made by the postgres container succeeds"
expect "... loads the schema" "$OUT" '^Loaded schema into .chatwoot.'
expect "... seeds" "$OUT" '^Seeded onboarding flag'
expect "... runs migrations (none pending)" "$OUT" '^Migrations: nothing pending'
expect "... and says so" "$OUT" 'done: loaded schema, seeded$'
expect_eq "... and sets the onboarding key again" "$(rcli GET alfred:CHATWOOT_INSTALLATION_ONBOARDING)" true

say "db:chatwoot_prepare honours POSTGRES_STATEMENT_TIMEOUT and DATABASE_URL"
app "$IMG" "${ENV_OK[@]}" -- bundle exec rails runner 'puts Standin.pg_connect.exec("SHOW statement_timeout").getvalue(0, 0)'
expect_eq "POSTGRES_STATEMENT_TIMEOUT=600s becomes the session's statement_timeout" "$OUT" 10min
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_STATEMENT_TIMEOUT=not-a-duration -- bundle exec rails db:chatwoot_prepare
expect_fails "prepare applies POSTGRES_STATEMENT_TIMEOUT (an invalid one fails it)"
expect "... naming statement_timeout" "$ERR" 'statement_timeout'
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_HOST=standin-nowhere -e POSTGRES_DATABASE=not_this_one \
	-e "DATABASE_URL=postgres://chatwoot:$PG_PASS@$PG:5432/cw_fresh" -- bundle exec rails runner 'puts InstallationConfig.count'
expect "DATABASE_URL takes precedence over POSTGRES_*" "$OUT" '^[1-9][0-9]*$'
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_never -- bundle exec rails db:migrate
expect_fails "plain db:migrate on a missing database fails"

say "db:chatwoot_prepare: pending migrations only (upgrade to a 4.16.0 build)"
app "$IMG_416" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect_ok "4.16.0 prepare on a 4.15.1 database succeeds"
expect "... runs the new migration" "$OUT" 'AddStandinAddedIn416ToAccounts: migrated'
expect "... and only that one" "$OUT" 'done: migrated 1$'
expect_not "... without loading the schema or seeding" "$OUT" 'Loaded schema|Seeded'
expect_eq "... and adds the 4.16.0 column" \
	"$(psql_q chatwoot "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'standin_added_in_4_16'")" 1
before=$(snapshot chatwoot)
app "$IMG_416" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect "4.16.0 prepare again: nothing to do" "$OUT" 'done: nothing to do$'
expect_eq "... database unchanged" "$(snapshot chatwoot)" "$before"
app "$IMG" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect "the 4.15.1 build on the 4.16.0 database: nothing to do" "$OUT" 'done: nothing to do$'
expect "... noting the migration it does not know" "$OUT" '^Note: .*20260120000000'

say "STANDIN_FAULT=migrate: prepare fails with a migration error and changes nothing"
app "$IMG_FAULT_MIGRATE" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect_fails "prepare of the faulty build exits non-zero"
expect "... with a migration error on stderr" "$ERR" 'An error has occurred, this and all later migrations canceled'
expect_eq "... and leaves the database as it was" "$(snapshot chatwoot)" "$before"

say "db:chatwoot_prepare without the vector extension (non-superuser, extension not created)"
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_USERNAME=cw_limited -e POSTGRES_PASSWORD=limited-secret \
	-e POSTGRES_DATABASE=cw_novector -- bundle exec rails db:chatwoot_prepare
expect_fails "prepare exits non-zero"
expect "... with Chatwoot's message and the cause" "$ERR" "Failed to enable 'vector' extension: .*(permission denied|superuser)"
expect_eq "... and leaves no half-loaded schema" "$(psql_q cw_novector "SELECT to_regclass('ar_internal_metadata') IS NULL")" t

say "development seeds create john@acme.inc"
app "$IMG" "${ENV_OK[@]}" -e RAILS_ENV=development -e POSTGRES_DATABASE=cw_dev -- bundle exec rails db:chatwoot_prepare
expect_ok "development prepare succeeds"
expect_eq "development seeds create the super admin john@acme.inc" \
	"$(psql_q cw_dev "SELECT email || ' ' || type FROM users")" "john@acme.inc SuperAdmin"
app "$IMG" "${ENV_OK[@]}" -e RAILS_ENV=development -e POSTGRES_DATABASE=cw_dev -- bundle exec rails runner 'p SuperAdmin.exists?(email: "john@acme.inc")'
expect_eq "rails runner sees the app's models" "$OUT" true

# ------------------------------------------------------------------------------------------------
say "web: rails s behind rails.sh"
WEB=$RUN_ID-web
start "$WEB" "$IMG" "${ENV_OK[@]}" --entrypoint docker/entrypoints/rails.sh -- bundle exec rails s -p 3000 -b 0.0.0.0
wait_until 60 web_answers "$WEB" || fail "web came up ($(excerpt "$(logs "$WEB")"))"
probe http "http://$WEB:3000/health"
expect "GET /health: 200" "$OUT" '^STATUS 200$'
expect "GET /health: {\"status\":\"woot\"}" "$OUT" '^BODY \{"status":"woot"\}$'
probe http "http://$WEB:3000/api"
expect "GET /api: 200" "$OUT" '^STATUS 200$'
expect "GET /api: version, timestamp, both services ok" "$OUT" \
	'^BODY \{"version":"4\.15\.1","timestamp":"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}","queue_services":"ok","data_services":"ok"\}$'
probe http "http://$WEB:3000/"
expect "GET / while onboarding: 302" "$OUT" '^STATUS 302$'
expect "... to /installation/onboarding" "$OUT" '^HEADER location: http://[^/]+/installation/onboarding$'
rcli DEL alfred:CHATWOOT_INSTALLATION_ONBOARDING >/dev/null
probe http "http://$WEB:3000/"
expect "GET / after onboarding: 200" "$OUT" '^STATUS 200$'
probe http "http://$WEB:3000/cable"
expect "plain GET /cable: 4xx" "$OUT" '^STATUS 4[0-9][0-9]$'
probe ws "$WEB" 3000 /cable
expect "websocket handshake on /cable: 101 Switching Protocols" "$OUT" '^STATUS 101$'
expect "... with the right Sec-WebSocket-Accept" "$OUT" '^ACCEPT ok$'
expect "... and ActionCable's welcome message" "$OUT" '^FIRST opcode=1 \{"type":"welcome"\}$'
expect "requests are logged to stdout" "$(docker logs "$WEB" 2>/dev/null)" 'Started GET "/health"'

say "web: Redis stopped, database stopped"
docker stop "$REDIS" >/dev/null
probe http "http://$WEB:3000/api"
expect "Redis stopped: /api still 200" "$OUT" '^STATUS 200$'
expect "Redis stopped: queue_services failing, data_services ok" "$OUT" '"queue_services":"failing","data_services":"ok"'
probe http "http://$WEB:3000/health"
expect "Redis stopped: /health still 200" "$OUT" '^STATUS 200$'
docker start "$REDIS" >/dev/null
wait_until 30 redis_up || fail "Redis came back"
docker stop "$PG" >/dev/null
probe http "http://$WEB:3000/api"
expect "Postgres stopped: /api still 200" "$OUT" '^STATUS 200$'
expect "Postgres stopped: data_services failing, queue_services ok" "$OUT" '"queue_services":"ok","data_services":"failing"'
docker start "$PG" >/dev/null
wait_until 60 pg_up || fail "Postgres came back"
probe http "http://$WEB:3000/api"
expect "both back: /api ok again" "$OUT" '"queue_services":"ok","data_services":"ok"'
t0=$SECONDS
docker stop -t 20 "$WEB" >/dev/null
expect_eq "docker stop: the web server exits 0 on SIGTERM" "$(docker inspect -f '{{.State.ExitCode}}' "$WEB")" 0
if ((SECONDS - t0 < 10)); then pass "... promptly ($((SECONDS - t0))s)"; else fail "... promptly (took $((SECONDS - t0))s)"; fi

say "web: a wrong or missing Redis password is a 500 (as Chatwoot)"
start "$RUN_ID-webbadpass" "$IMG" "${ENV_OK[@]}" -e REDIS_PASSWORD=wrong-password -- bundle exec rails s -p 3000 -b 0.0.0.0
start "$RUN_ID-webnopass" "$IMG" "${ENV_OK[@]}" -e REDIS_PASSWORD= -- bundle exec rails s -p 3000 -b 0.0.0.0
wait_until 60 web_answers "$RUN_ID-webbadpass" || fail "web with a wrong Redis password came up"
wait_until 60 web_answers "$RUN_ID-webnopass" || fail "web without a Redis password came up"
probe http "http://$RUN_ID-webbadpass:3000/api"
expect "wrong REDIS_PASSWORD: /api 500" "$OUT" '^STATUS 500$'
probe http "http://$RUN_ID-webnopass:3000/api"
expect "empty REDIS_PASSWORD against a password-protected Redis: /api 500" "$OUT" '^STATUS 500$'
docker rm -f "$RUN_ID-webbadpass" "$RUN_ID-webnopass" >/dev/null
docker run -d --name "$RUN_ID-redis-open" --label "$LABEL" --network "$NET" "$REDIS_IMAGE" redis-server >/dev/null
start "$RUN_ID-webopen" "$IMG" "${ENV_OK[@]}" -e "REDIS_URL=redis://$RUN_ID-redis-open:6379" -- bundle exec rails s -p 3000 -b 0.0.0.0
wait_until 60 web_answers "$RUN_ID-webopen" || fail "web against a Redis without password came up"
probe http "http://$RUN_ID-webopen:3000/api"
expect "REDIS_PASSWORD set but Redis has none (a compose-interpolation slip): /api 500" "$OUT" '^STATUS 500$'
expect "... logging Redis' AUTH error" "$(logs "$RUN_ID-webopen")" 'AUTH <password> called without any password configured'
docker rm -f -v "$RUN_ID-webopen" "$RUN_ID-redis-open" >/dev/null

say "web: FORCE_SSL"
start "$RUN_ID-webssl" "$IMG" "${ENV_OK[@]}" -e FORCE_SSL=true -- bundle exec rails s -p 3000 -b 0.0.0.0
wait_until 60 bash -c "docker logs '$RUN_ID-webssl' 2>&1 | grep -q 'Listening on'" || fail "FORCE_SSL web came up"
sleep 1
for path in /health /api; do
	probe http "http://$RUN_ID-webssl:3000$path"
	expect "FORCE_SSL=true: GET $path is a 301" "$OUT" '^STATUS 301$'
	expect "... to https://…$path" "$OUT" "^HEADER location: https://$RUN_ID-webssl:3000$path\$"
	probe http "http://$RUN_ID-webssl:3000$path" "X-Forwarded-Proto:https"
	expect "FORCE_SSL=true with X-Forwarded-Proto: https: GET $path is a 200" "$OUT" '^STATUS 200$'
done
docker rm -f "$RUN_ID-webssl" >/dev/null

say "web: versioned build and STANDIN_FAULT=boot"
start "$RUN_ID-web416" "$IMG_416" "${ENV_OK[@]}" -- bundle exec rails s -p 3000 -b 0.0.0.0
wait_until 60 web_answers "$RUN_ID-web416" || fail "4.16.0 web came up"
probe http "http://$RUN_ID-web416:3000/api"
expect "a CHATWOOT_VERSION=4.16.0 build reports 4.16.0 on /api" "$OUT" '"version":"4\.16\.0"'
docker rm -f "$RUN_ID-web416" >/dev/null
app "$IMG_FAULT_BOOT" "${ENV_OK[@]}" -- bundle exec rails s -p 3000 -b 0.0.0.0
expect_fails "STANDIN_FAULT=boot: rails s exits non-zero at start"

# ------------------------------------------------------------------------------------------------
say "worker: the REAL Sidekiq"
WORKER=$RUN_ID-worker
start "$WORKER" "$IMG" "${ENV_OK[@]}" -- bundle exec sidekiq -C config/sidekiq.yml
start "$RUN_ID-worker3" "$IMG" "${ENV_OK[@]}" -e SIDEKIQ_CONCURRENCY=3 -- bundle exec sidekiq -C config/sidekiq.yml
two_processes() { [[ $(rcli SCARD processes) == 2 ]]; }
if wait_until 60 two_processes; then pass "both workers registered in the Redis set 'processes'"; else
	fail "both workers registered in the Redis set 'processes' ($(excerpt "$(logs "$WORKER")"))"
fi
for member in $(rcli SMEMBERS processes); do
	beat=$(rcli HGET "$member" beat)
	now=$(rcli TIME | head -1)
	if [[ $beat =~ ^[0-9]+(\.[0-9]+)?$ ]] && ((now - ${beat%.*} < 60)); then
		pass "process $member has a fresh beat ($beat, now $now)"
	else
		fail "process $member has a fresh beat (beat '$beat', now $now)"
	fi
	info=$(rcli HGET "$member" info)
	if [[ $member == "$(docker inspect -f '{{.Config.Hostname}}' "$WORKER")":* ]]; then
		expect "default concurrency 10" "$info" '"concurrency":10,'
		expect "queues critical, high, medium, default, mailers, …, low" "$info" '"queues":\["critical","high","medium","default","mailers",.*"low"'
	else
		expect "SIDEKIQ_CONCURRENCY=3 honoured" "$info" '"concurrency":3,'
	fi
done

MARKER=selftest-$RANDOM
app "$IMG" "${ENV_OK[@]}" -- bundle exec rails runner "StandinProbeJob.perform_async(\"$MARKER\")"
expect_ok "rails runner enqueues StandinProbeJob"
job_done() { [[ $(rcli EXISTS "standin:job:$MARKER") == 1 ]]; }
if wait_until 30 job_done; then pass "the worker processed the job (standin:job:$MARKER set)"; else
	fail "the worker processed the job ($(excerpt "$(logs "$WORKER")"))"
fi

alive() { [[ $(docker exec "$WORKER" wget -q -O - http://127.0.0.1:7433 2>&1) == "Alive!" ]]; }
if wait_until 30 alive; then pass "worker answers Alive! on 7433 (wget -q -O - http://127.0.0.1:7433 inside it)"; else
	fail "worker answers Alive! on 7433"
fi
app "$IMG" -- wget -q -O - "http://$WORKER:7433"
expect_eq "... and from another container" "$OUT" "Alive!"

start "$RUN_ID-workerbad" "$IMG" "${ENV_OK[@]}" -e REDIS_PASSWORD=wrong-password -- bundle exec sidekiq -C config/sidekiq.yml
if wait_until 60 exited "$RUN_ID-workerbad"; then
	expect_eq "a wrong REDIS_PASSWORD stops the worker non-zero" \
		"$(docker inspect -f '{{.State.ExitCode}}' "$RUN_ID-workerbad")" 1
	expect "... saying why" "$(logs "$RUN_ID-workerbad")" 'WRONGPASS|invalid username-password'
else
	fail "a wrong REDIS_PASSWORD stops the worker (still running)"
fi

t0=$SECONDS
docker stop -t 30 "$WORKER" >/dev/null
expect_eq "docker stop: the worker exits 0 on SIGTERM" "$(docker inspect -f '{{.State.ExitCode}}' "$WORKER")" 0
expect "... after Sidekiq's own shutdown" "$(logs "$WORKER")" 'Bye!'
if ((SECONDS - t0 < 20)); then pass "... promptly ($((SECONDS - t0))s)"; else fail "... promptly (took $((SECONDS - t0))s)"; fi

# ------------------------------------------------------------------------------------------------
# The first administrator, the onboarding form, the installation settings, platform apps (selftest-admin.sh).
# shellcheck source=tests/standin/selftest-admin.sh
source "$HERE/selftest-admin.sh"

# The Platform and Application APIs (selftest-api.sh, with selftest-api.rb as its client).
# shellcheck source=tests/standin/selftest-api.sh
source "$HERE/selftest-api.sh"

# ------------------------------------------------------------------------------------------------
echo
echo "standin selftest: $PASSED passed, $FAILED failed"
((FAILED == 0))
