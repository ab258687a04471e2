#!/usr/bin/env bash
# Self-test of the Chatwoot stand-in image (a TEST DOUBLE of chatwoot/chatwoot, see README.md).
#
# Proves, on a private user-defined Docker network with the rig's Postgres (pgvector) and Redis images,
# every Chatwoot behaviour the stand-in imitates (README.md's last table names the case of each). Every
# check prints one PASS or FAIL line; the script ends with "N passed, N failed" and exits non-zero on any
# failure. It removes every container, network and image it made, whatever happens.
#
# Stand-in builds used: 4.15.1, 4.16.0, 4.17.0:migrate, 4.17.0:boot, 4.4.0, 4.10.0. The rig's image of a
# build (sinapum-rig/chatwoot-standin:<tag>, tests/rig/build-images.sh) is reused when its context-hash
# label matches this tree; any other build is made here under a throw-away tag and removed at the end.
#
# Needs: a Docker engine, openssl on the host, and the rig's images (tests/rig/base-image.sh,
# tests/rig/build-images.sh): STANDIN_BASE (sinapum-rig/debian:trixie), STANDIN_PG_IMAGE
# (sinapum-rig/pgvector:pg17), STANDIN_REDIS_IMAGE (sinapum-rig/redis:8). Missing ones are waited for
# (polled every 30 s, at most STANDIN_WAIT_SECONDS, default 1800).

# Single-quoted commands and patterns are meant literally (they run in containers or are regexes).
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../rig/lib.sh
. "$HERE/../rig/lib.sh"
BASE=${STANDIN_BASE:-$RIG_BASE_IMAGE}
PG_IMAGE=${STANDIN_PG_IMAGE:-sinapum-rig/pgvector:pg17}
REDIS_IMAGE=${STANDIN_REDIS_IMAGE:-sinapum-rig/redis:8}
WAIT_SECONDS=${STANDIN_WAIT_SECONDS:-1800}

RUN_ID=standin-selftest-$$-$RANDOM
NET=$RUN_ID
LABEL=org.sinapum.standin-selftest=$RUN_ID
PG=$RUN_ID-pg
REDIS=$RUN_ID-redis
PG_PASS=pg-secret-1
REDIS_PASS=redis-secret-1
SECRET=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
TMP=$(mktemp -d)
STARTED=$SECONDS

PASSED=0
FAILED=0
BUILT_IMAGES=()
REUSED_IMAGES=()
declare -A IMAGES=()

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

# stand_in VERSION[:FAULT]: IMAGES[VERSION[:FAULT]] is the rig's image of that build when its context hash
# (tests/rig/lib.sh) matches this tree, else an image built here.
stand_in() {
	local spec=$1 rig_tag tag args hash label base_id arg build_args=()
	rig_tag=sinapum-rig/chatwoot-standin:$(standin_tag "$spec")
	mapfile -t args < <(standin_build_args "$spec")
	if [[ $BASE == "$RIG_BASE_IMAGE" ]]; then
		base_id=$(docker image inspect -f '{{.Id}}' "$BASE")
		hash=$(context_hash "$HERE" "$base_id" "$rig_tag" "${args[@]}")
		label=$(docker image inspect -f "{{index .Config.Labels \"$RIG_HASH_LABEL\"}}" "$rig_tag" 2>/dev/null || true)
		if [[ $label == "$hash" ]]; then
			IMAGES[$spec]=$rig_tag
			REUSED_IMAGES+=("$rig_tag")
			return 0
		fi
	fi
	tag=sinapum-standin-selftest:$RUN_ID-$(standin_tag "$spec")
	build_args=(--build-arg "BASE=$BASE")
	for arg in "${args[@]}"; do build_args+=(--build-arg "$arg"); done
	BUILT_IMAGES+=("$tag")
	if ! DOCKER_BUILDKIT=0 docker build --force-rm "${build_args[@]}" -t "$tag" "$HERE" >"$TMP/build.log" 2>&1; then
		tail -30 "$TMP/build.log" >&2
		echo "selftest: building $tag failed" >&2
		exit 1
	fi
	IMAGES[$spec]=$tag
}

# The app's environment, as the collection's env file would give it (-e pairs for docker run);
# NO_SECRET is the same without SECRET_KEY_BASE.
ENV_OK=()
NO_SECRET=()
for kv in "SECRET_KEY_BASE=$SECRET" "POSTGRES_HOST=$PG" POSTGRES_PORT=5432 POSTGRES_USERNAME=chatwoot \
	"POSTGRES_PASSWORD=$PG_PASS" POSTGRES_DATABASE=chatwoot "REDIS_URL=redis://$REDIS:6379" \
	"REDIS_PASSWORD=$REDIS_PASS" POSTGRES_STATEMENT_TIMEOUT=600s FRONTEND_URL=http://chatwoot.test \
	HELPCENTER_URL=https://help.chatwoot.test RAILS_LOG_TO_STDOUT=true; do
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
# web NAME IMAGE [docker-run options...]: `rails s` (no rails.sh), as most web checks need.
web() {
	local name=$1 image=$2
	shift 2
	start "$name" "$image" "${ENV_OK[@]}" "$@" -- bundle exec rails s -p 3000 -b 0.0.0.0
}
# worker NAME IMAGE [docker-run options...]: the real Sidekiq.
worker() {
	local name=$1 image=$2
	shift 2
	start "$name" "$image" "${ENV_OK[@]}" "$@" -- bundle exec sidekiq -C config/sidekiq.yml
}

web_answers() {
	probe http "http://$1:3000/api" Host:chatwoot.test
	[[ $OUT == *"STATUS "* ]]
}
# api NAME [Name:Value...]: GET /api of web NAME; sets OUT.
api() {
	local name=$1
	shift
	probe http "http://$name:3000/api" "$@"
}
psql_q() { docker exec "$PG" psql -U chatwoot -d "$1" -Atc "$2" 2>&1 || true; }
rcli() { docker exec "$REDIS" redis-cli -a "$REDIS_PASS" --no-auth-warning "$@" 2>&1 || true; }
# rdb DB ARGS...: redis-cli on database DB of the selftest's Redis.
rdb() {
	local db=$1
	shift
	rcli -n "$db" "$@"
}
pg_up() { docker exec "$PG" pg_isready -q -h 127.0.0.1 -U chatwoot; }
redis_up() { [[ $(rcli PING) == PONG ]]; }
running() { [[ $(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]]; }
exited() { [[ $(docker inspect -f '{{.State.Status}}' "$1" 2>/dev/null) == exited ]]; }
exit_code() { docker inspect -f '{{.State.ExitCode}}' "$1"; }
logs() { docker logs "$1" 2>&1; }
hostname_of() { docker inspect -f '{{.Config.Hostname}}' "$1"; }
ip_of() { docker inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$1"; }
# process_info DB CONTAINER: the `info` JSON of the Sidekiq process running in CONTAINER.
process_info() {
	local member host
	host=$(hostname_of "$2")
	for member in $(rdb "$1" SMEMBERS processes); do
		[[ $member == "$host":* ]] && rdb "$1" HGET "$member" info
	done
	return 0
}
registered() { [[ -n $(process_info "$1" "$2") ]]; }
# alive_inside CONTAINER [PORT]: what the worker's own `wget -q -O - http://127.0.0.1:PORT` prints.
alive_inside() { docker exec "$1" wget -q -T 5 -O - "http://127.0.0.1:${2:-7433}" 2>&1 || true; }
is_alive() { [[ $(alive_inside "$@") == "Alive!" ]]; }
# snapshot DB: what prepare could change (columns, migrations, seeds with their timestamps).
snapshot() {
	psql_q "$1" "SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns
	             WHERE table_schema = 'public' ORDER BY 1;
	           SELECT 'migration ' || version FROM schema_migrations ORDER BY 1;
	           SELECT 'config ' || name || '=' || serialized_value::text || '@' || updated_at FROM installation_configs ORDER BY 1;
	           SELECT 'meta ' || key || '=' || value || '@' || updated_at FROM ar_internal_metadata ORDER BY 1;
	           SELECT 'users ' || count(*) FROM users; SELECT 'accounts ' || count(*) FROM accounts;"
}
# tls_cert NAME SAN: a key and a certificate for NAME signed by the selftest's CA, in $TLS.
tls_cert() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$TLS/$1.key" -out "$TLS/$1.csr" 2>/dev/null
	printf 'subjectAltName=%s\n' "$2" >"$TLS/$1.ext"
	openssl x509 -req -in "$TLS/$1.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 2 \
		-extfile "$TLS/$1.ext" -out "$TLS/$1.pem" 2>/dev/null
}

# ------------------------------------------------------------------------------------------------
say "waiting for the rig's images"
wait_for_image "$BASE"
wait_for_image "$PG_IMAGE"
wait_for_image "$REDIS_IMAGE"

say "stand-in builds (the rig's when they match this tree, else built here)"
for spec in 4.15.1 4.16.0 4.17.0:migrate 4.17.0:boot 4.4.0 4.10.0; do stand_in "$spec"; done
IMG=${IMAGES[4.15.1]}
IMG_416=${IMAGES[4.16.0]}
IMG_FAULT_MIGRATE=${IMAGES[4.17.0:migrate]}
IMG_FAULT_BOOT=${IMAGES[4.17.0:boot]}
IMG_440=${IMAGES[4.4.0]}
IMG_4100=${IMAGES[4.10.0]}
echo "reused: ${REUSED_IMAGES[*]:-none}; built: ${BUILT_IMAGES[*]:-none} ($((SECONDS - STARTED))s)"
docker network create --label "$LABEL" "$NET" >/dev/null

# A private CA, and certificates for the selftest's Postgres and Redis (TLS on both).
TLS=$TMP/tls
mkdir -p "$TLS"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=standin selftest CA" \
	-keyout "$TLS/ca.key" -out "$TLS/ca.pem" 2>/dev/null
tls_cert "$PG" "DNS:$PG"
tls_cert "$REDIS" "DNS:$REDIS"
chmod 755 "$TLS"
chmod 644 "$TLS"/*
CA=(-v "$TLS/ca.pem:/ca/ca.pem:ro")

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
app "$IMG" -- sh -c 'for c in wget nc; do readlink -f "$(command -v "$c")"; done; command -v pg_isready; command -v psql; id -u; test -d /app/storage && echo storage-ok; test -x /app/docker/entrypoints/rails.sh && echo rails-sh-ok; test -x /app/docker/entrypoints/helpers/pg_database_url.rb && head -1 /app/docker/entrypoints/helpers/pg_database_url.rb; test -e "$HOME/.postgresql" || echo no-dot-postgresql'
expect "wget is a BusyBox applet" "$(sed -n 1p <<<"$OUT")" 'busybox$'
expect "nc is a BusyBox applet" "$(sed -n 2p <<<"$OUT")" 'busybox$'
expect "pg_isready present" "$OUT" '/pg_isready$'
expect "psql present" "$OUT" '/psql$'
expect "runs as uid 0" "$OUT" '^0$'
expect "/app/storage exists" "$OUT" '^storage-ok$'
expect "docker/entrypoints/rails.sh is executable" "$OUT" '^rails-sh-ok$'
expect "helpers/pg_database_url.rb is an executable ruby script" "$OUT" '^#!/usr/bin/env ruby$'
expect "root has no ~/.postgresql (no root.crt for libpq)" "$OUT" '^no-dot-postgresql$'
app "$IMG" -- bundle exec ruby -e 'require "sidekiq"; require "redis"; puts Sidekiq::VERSION; puts Redis::VERSION; puts Bundler.root'
expect "bundle exec (real Bundler) resolves the REAL Sidekiq 7 from Debian" "$(sed -n 1p <<<"$OUT")" '^7\.[0-9]+\.[0-9]+$'
expect "... and the real redis gem 5" "$(sed -n 2p <<<"$OUT")" '^5\.[0-9]+\.[0-9]+$'
expect "... with /app/Gemfile" "$OUT" '^/app$'

say "SECRET_KEY_BASE missing in production: every app command refuses"
for cmd in "rails s -p 3000 -b 0.0.0.0" "sidekiq -C config/sidekiq.yml" "rails runner puts(1)" "rails db:chatwoot_prepare"; do
	# shellcheck disable=SC2086
	app "$IMG" "${NO_SECRET[@]}" -- bundle exec $cmd
	expect_fails "bundle exec $cmd without SECRET_KEY_BASE exits non-zero"
	expect "bundle exec $cmd without SECRET_KEY_BASE says why on stderr" "$ERR" 'Missing `secret_key_base` for .production. environment'
done

# ------------------------------------------------------------------------------------------------
say "rails.sh (started before Postgres exists): waits for Postgres, not for Redis"
RAILS_SH=(--entrypoint docker/entrypoints/rails.sh)
start "$RUN_ID-webwait" "$IMG" "${ENV_OK[@]}" -e "REDIS_URL=redis://$RUN_ID-no-redis:6379" "${RAILS_SH[@]}" -- \
	bundle exec rails s -p 3000 -b 0.0.0.0
ENV_NO_PORT=()
for ((i = 1; i < ${#ENV_OK[@]}; i += 2)); do
	[[ ${ENV_OK[i]} == POSTGRES_PORT=* ]] || ENV_NO_PORT+=(-e "${ENV_OK[i]}")
done
start "$RUN_ID-noport" "$IMG" "${ENV_NO_PORT[@]}" "${RAILS_SH[@]}" -- sh -c 'echo "EXEC port=$POSTGRES_PORT"; sleep 600'
start "$RUN_ID-dburl" "$IMG" "${ENV_OK[@]}" -e POSTGRES_HOST=standin-nowhere -e POSTGRES_PORT=1 \
	-e "DATABASE_URL=postgres://chatwoot:$PG_PASS@$PG:5432/chatwoot" "${RAILS_SH[@]}" -- sh -c 'echo EXEC; sleep 600'
printf 'gem "pg"\ngem "standin_gem_the_image_lacks"\n' >"$TMP/Gemfile.missing"
start "$RUN_ID-nogem" "$IMG" "${ENV_OK[@]}" -v "$TMP/Gemfile.missing:/app/Gemfile:ro" "${RAILS_SH[@]}" -- sh -c 'echo EXEC; sleep 600'
start "$RUN_ID-pgverify" "$IMG" "${ENV_OK[@]}" -e PGSSLMODE=verify-full "${RAILS_SH[@]}" -- sh -c 'echo EXEC; sleep 600'
start "$RUN_ID-pgverifyca" "$IMG" "${ENV_OK[@]}" "${CA[@]}" -e PGSSLMODE=verify-full -e PGSSLROOTCERT=/ca/ca.pem \
	"${RAILS_SH[@]}" -- sh -c 'echo EXEC; sleep 600'
sleep 6
# Read once, then searched: under pipefail, grep -q leaving early would fail a pipe from a log that keeps growing.
webwait_log=$(logs "$RUN_ID-webwait")
if running "$RUN_ID-webwait" && grep -q 'Waiting for postgres' <<<"$webwait_log" &&
	! grep -q 'Booting' <<<"$webwait_log"; then
	pass "rails.sh keeps looping on pg_isready while Postgres is absent"
else
	fail "rails.sh keeps looping on pg_isready while Postgres is absent ($(excerpt "$(logs "$RUN_ID-webwait")"))"
fi

mkdir -p "$TMP/init"
cat >"$TMP/init/10-selftest.sql" <<'EOF'
-- a role that is no superuser and a database it owns, without any extension yet
CREATE ROLE cw_limited LOGIN PASSWORD 'limited-secret' CREATEDB;
CREATE DATABASE cw_novector OWNER cw_limited;
EOF
# Postgres speaks TLS (plain connections still allowed) with a certificate of the selftest's CA for its name.
docker create --name "$PG" --label "$LABEL" --network "$NET" -e POSTGRES_USER=chatwoot \
	-e "POSTGRES_PASSWORD=$PG_PASS" -e POSTGRES_DB=chatwoot -v "$TLS:/tls:ro" --entrypoint sh "$PG_IMAGE" -c \
	"install -o postgres -g postgres -m 600 /tls/$PG.key /tmp/key.pem && install -o postgres -g postgres -m 644 /tls/$PG.pem /tmp/cert.pem && exec docker-entrypoint.sh postgres -c ssl=on -c ssl_cert_file=/tmp/cert.pem -c ssl_key_file=/tmp/key.pem" >/dev/null
docker cp "$TMP/init/." "$PG:/docker-entrypoint-initdb.d/"
docker start "$PG" >/dev/null
# Redis: plain on 6379, TLS on 6380 (certificate of the selftest's CA for its name).
docker run -d --name "$REDIS" --label "$LABEL" --network "$NET" -v "$TLS:/tls:ro" "$REDIS_IMAGE" \
	redis-server --requirepass "$REDIS_PASS" --tls-port 6380 --tls-cert-file "/tls/$REDIS.pem" \
	--tls-key-file "/tls/$REDIS.key" --tls-auth-clients no >/dev/null
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
trace=$(logs "$RUN_ID-webwait")
expect "rails.sh traces its commands (set -x)" "$trace" "^\+ pg_isready -h $PG -p 5432 -U chatwoot$"
expect "rails.sh runs bundle install, then bundle check, before exec" \
	"$(grep -E '^\+ (bundle install|bundle check|exec bundle exec rails s)' <<<"$trace" | tr '\n' '|')" \
	'^\+ bundle install\|\+ bundle check\|\+ exec bundle exec rails s -p 3000 -b 0.0.0.0\|$'
api "$RUN_ID-webwait" Host:chatwoot.test
expect "/api before prepare with FRONTEND_URL's Host: 200" "$OUT" '^STATUS 200$'
expect "... queue_services failing (no Redis) and data_services failing (fresh pool connection not connected)" "$OUT" \
	'"queue_services":"failing","data_services":"failing"'
api "$RUN_ID-webwait"
expect "/api before prepare, Host not FRONTEND_URL's: 500 (the portals lookup finds no table)" "$OUT" '^STATUS 500$'
api "$RUN_ID-webwait" Host:chatwoot.test
expect "/api before prepare, FRONTEND_URL's Host after that lookup connected the connection: data_services ok (no query)" \
	"$OUT" '"data_services":"ok"'
docker rm -f -v "$RUN_ID-webwait" >/dev/null

app "$IMG" "${ENV_OK[@]}" --entrypoint sh -- -c \
	'echo 1 > /app/tmp/pids/server.pid && exec docker/entrypoints/rails.sh sh -c "test ! -e /app/tmp/pids/server.pid && echo PID-REMOVED"'
expect "rails.sh removes tmp/pids/server.pid, then execs the command" "$OUT" 'PID-REMOVED'
app "$IMG" "${ENV_OK[@]}" --entrypoint sh -- -c \
	'echo 1 > /app/tmp/pids/server.pid && exec bundle exec rails s -p 3000 -b 0.0.0.0'
expect_fails "without rails.sh, a server.pid naming a live process stops rails s"
expect "... with Rails' message" "$ERR" 'A server is already running \(pid: 1'

wait_until 30 bash -c "docker logs '$RUN_ID-noport' 2>&1 | grep -q '^EXEC'" || true
trace=$(logs "$RUN_ID-noport")
expect "POSTGRES_PORT unset: rails.sh's helper exports POSTGRES_PORT=5432" "$trace" '^\+ export POSTGRES_PORT=5432$'
expect "... pg_isready gets -p 5432 and the command is exec'd with it" "$trace" '^EXEC port=5432$'
wait_until 30 bash -c "docker logs '$RUN_ID-dburl' 2>&1 | grep -q '^EXEC'" || true
trace=$(logs "$RUN_ID-dburl")
expect "DATABASE_URL: the helper exports its host, port and user over POSTGRES_*" "$trace" \
	"^\+ export POSTGRES_HOST=$PG POSTGRES_PORT=5432 POSTGRES_USERNAME=chatwoot$"
expect "... and rails.sh waits on that host" "$trace" "^\+ pg_isready -h $PG -p 5432 -U chatwoot$"
expect "... then execs" "$trace" '^EXEC$'
bundle_loops() { [[ $(docker logs "$RUN_ID-nogem" 2>&1 | grep -c '^+ bundle check') -ge 2 ]]; }
wait_until 30 bundle_loops || true
trace=$(logs "$RUN_ID-nogem")
if running "$RUN_ID-nogem" && ! grep -q '^EXEC' <<<"$trace" && [[ $(grep -c '^+ bundle check' <<<"$trace") -ge 2 ]]; then
	pass "a gem the image lacks: rails.sh stays in its bundle check loop and never execs"
else
	fail "a gem the image lacks: rails.sh stays in its bundle check loop ($(excerpt "$trace"))"
fi
expect "... bundle says which gem" "$trace" 'standin_gem_the_image_lacks'
docker rm -f -v "$RUN_ID-noport" "$RUN_ID-dburl" "$RUN_ID-nogem" >/dev/null

say "Postgres TLS: libpq's PGSSLMODE/PGSSLROOTCERT in rails.sh's pg_isready and in the app"
trace=$(logs "$RUN_ID-pgverify")
if running "$RUN_ID-pgverify" && ! grep -q '^EXEC' <<<"$trace" && [[ $(grep -c '^+ pg_isready' <<<"$trace") -ge 2 ]]; then
	pass "PGSSLMODE=verify-full without a root certificate: rails.sh's wait never ends (still waiting after Postgres is up)"
else
	fail "PGSSLMODE=verify-full without a root certificate: rails.sh's wait never ends ($(excerpt "$trace"))"
fi
wait_until 30 bash -c "docker logs '$RUN_ID-pgverifyca' 2>&1 | grep -q '^EXEC'" || true
expect "PGSSLMODE=verify-full with PGSSLROOTCERT naming the CA: rails.sh goes on and execs" "$(logs "$RUN_ID-pgverifyca")" '^EXEC$'
docker rm -f -v "$RUN_ID-pgverify" "$RUN_ID-pgverifyca" >/dev/null
app "$IMG" "${ENV_OK[@]}" -e PGSSLMODE=verify-full -- bundle exec rails runner 'puts Account.count'
expect_fails "the app under PGSSLMODE=verify-full without a root certificate cannot connect"
expect "... libpq looks for ~/.postgresql/root.crt" "$ERR" 'root certificate file "/root/.postgresql/root.crt" does not exist'
app "$IMG" "${ENV_OK[@]}" "${CA[@]}" -e PGSSLMODE=verify-full -e PGSSLROOTCERT=/ca/ca.pem -- \
	bundle exec rails runner 'puts Standin.pg_connect.exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").getvalue(0, 0)'
expect_eq "the app under verify-full with PGSSLROOTCERT connects, over TLS" "$OUT" t

# ------------------------------------------------------------------------------------------------
say "db:chatwoot_prepare: database missing -> db:setup (create, load schema, seed; no migrate)"
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_fresh -- bundle exec rails db:chatwoot_prepare
expect_ok "prepare on a missing database succeeds"
expect "... and says it created, loaded and seeded" "$OUT" 'done: created database, loaded schema, seeded$'
expect_not "... without running migrations (db:setup does not migrate)" "$OUT" '^Migrations:'
expect_eq "production seeds create no user" "$(psql_q cw_fresh 'SELECT count(*) FROM users')" 0
expect_eq "production seeds set the onboarding key in Redis" "$(rcli GET alfred:CHATWOOT_INSTALLATION_ONBOARDING)" true
expect "production seeds write installation_configs" "$(psql_q cw_fresh 'SELECT name FROM installation_configs')" '^INSTALLATION_NAME$'
tables=$(psql_q cw_fresh "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
expect "schema has Chatwoot's core tables and those of the APIs" "$tables" \
	'^access_tokens,account_users,accounts,ar_internal_metadata,.*canned_responses,channel_api,channel_email,channel_web_widgets,conversations,inbox_members,inboxes,installation_configs,labels,messages,platform_app_permissibles,platform_apps,portals,schema_migrations,team_members,teams,users,webhooks,working_hours$'
expect_eq "schema load enables db/schema.rb's extensions" \
	"$(psql_q cw_fresh "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")" \
	"pg_stat_statements,pg_trgm,pgcrypto,plpgsql,vector"
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
app "$IMG" "${ENV_OK[@]}" "${CA[@]}" -e POSTGRES_HOST=standin-nowhere \
	-e "DATABASE_URL=postgres://chatwoot:$PG_PASS@$PG:5432/cw_fresh?sslmode=verify-full&sslrootcert=/ca/ca.pem" -- \
	bundle exec rails runner 'puts Standin.pg_connect.exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").getvalue(0, 0)'
expect_eq "DATABASE_URL's libpq parameters (sslmode, sslrootcert) reach the connection" "$OUT" t
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_DATABASE=cw_never -- bundle exec rails db:migrate
expect_fails "plain db:migrate on a missing database fails"

say "database.yml and cable.yml read the passwords as YAML (lib/standin/config_yaml.rb)"
SELECT_ONE='puts Standin.pg_connect.exec("SELECT 1").getvalue(0, 0)'
BROADCAST='Standin.broadcast("selftest", "x"); puts "broadcast"'
app "$IMG" "${ENV_OK[@]}" -e 'POSTGRES_PASSWORD=pg\x2dsecret\x2d1' -- bundle exec rails runner "$SELECT_ONE"
expect_eq "database.yml: a backslash in POSTGRES_PASSWORD is a YAML escape (pg\\x2dsecret\\x2d1 logs in as pg-secret-1)" "$OUT" 1
app "$IMG" "${ENV_OK[@]}" -e "POSTGRES_PASSWORD=$PG_PASS\"" -- bundle exec rails db:chatwoot_prepare
expect_fails "database.yml: a double quote in POSTGRES_PASSWORD stops Rails, DATABASE_URL or not"
expect "... with the YAML syntax error" "$ERR" 'YAML syntax error occurred while parsing config/database.yml'
app "$IMG" "${ENV_OK[@]}" -e POSTGRES_PASSWORD= -e "DATABASE_URL=postgres://chatwoot:pg%2Dsecret%2D1@$PG:5432/chatwoot" \
	-- bundle exec rails runner "$SELECT_ONE"
expect_eq "DATABASE_URL's percent-encoded password wins over an empty POSTGRES_PASSWORD" "$OUT" 1
# Rails 7.1.5's DATABASE_URL parser is RFC 2396's: a Compose service name with "_" is no host name to it.
UNDERSCORE_URL="DATABASE_URL=postgres://chatwoot:$PG_PASS@standin_pg:5432/chatwoot"
app "$IMG" "${ENV_OK[@]}" -e "$UNDERSCORE_URL" -- bundle exec rails runner 'puts 1'
expect_fails "DATABASE_URL with '_' in its host stops rails runner at boot"
expect "... with URI::InvalidURIError" "$ERR" 'URI::InvalidURIError'
# Sidekiq prints the message and the backtrace, not the class: the message is URI's, whatever prints it.
INVALID_HOST='does not accept registry part: .*@standin_pg:5432 \(or bad hostname\?\)'
app "$IMG" "${ENV_OK[@]}" -e "$UNDERSCORE_URL" -- timeout 20 bundle exec rails s -p 3000 -b 0.0.0.0
expect "... and rails s" "$ERR" "$INVALID_HOST"
app "$IMG" "${ENV_OK[@]}" -e "$UNDERSCORE_URL" -- timeout 20 bundle exec sidekiq -C config/sidekiq.yml
expect "... and the Sidekiq worker" "$ERR" "$INVALID_HOST"
app "$IMG" "${ENV_OK[@]}" -e "REDIS_PASSWORD=$REDIS_PASS #a YAML comment" -- bundle exec rails runner "$BROADCAST"
expect_eq "cable.yml: ' #' in REDIS_PASSWORD starts a YAML comment (ActionCable sends what is before it)" "$OUT" broadcast
app "$IMG" "${ENV_OK[@]}" -e "REDIS_PASSWORD='$REDIS_PASS" -- bundle exec rails runner "$BROADCAST"
expect_fails "cable.yml: a REDIS_PASSWORD that is no YAML value stops ActionCable"
expect "... with the YAML syntax error" "$ERR" 'YAML syntax error occurred while parsing config/cable.yml'
app "$IMG" "${ENV_OK[@]}" -e REDIS_PASSWORD= -e "REDIS_URL=redis://:$REDIS_PASS@$REDIS:6379" -- bundle exec rails runner "$BROADCAST"
expect_eq "cable.yml: with REDIS_PASSWORD empty ActionCable uses the password in REDIS_URL" "$OUT" broadcast

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

say "STANDIN_FAULT=migrate (4.17.0): one migration commits, the next fails, each in its own transaction"
app "$IMG_FAULT_MIGRATE" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect_fails "prepare of the faulty build exits non-zero"
expect "... with Rails' migration error on stderr" "$ERR" 'An error has occurred, this and all later migrations canceled'
expect "... naming the failing migration" "$ERR" 'StandinFaultBrokenMigration'
expect "... after the committed one ran" "$OUT" 'StandinFaultCommittedMigration: migrated'
expect_eq "the committed migration's table stays" "$(psql_q chatwoot "SELECT to_regclass('standin_fault_committed') IS NOT NULL")" t
expect_eq "... and schema_migrations has it, not the failed one" \
	"$(psql_q chatwoot "SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations WHERE version LIKE '2099%'")" \
	"20991231235958"
app "$IMG_416" "${ENV_OK[@]}" -- bundle exec rails db:chatwoot_prepare
expect "the older 4.16.0 build then runs on the newer schema, noting the version it does not know" "$OUT" '^Note: .*20991231235958'

say "extensions: db/schema.rb's four, in order, for a role that is no superuser"
LIMITED=(-e POSTGRES_USERNAME=cw_limited -e POSTGRES_PASSWORD=limited-secret -e POSTGRES_DATABASE=cw_novector)
app "$IMG" "${ENV_OK[@]}" "${LIMITED[@]}" -- bundle exec rails db:chatwoot_prepare
expect_fails "prepare as a role that may not create pg_stat_statements exits non-zero"
expect "... with Rails' error: permission denied to create extension \"pg_stat_statements\"" "$ERR" \
	'^ActiveRecord::StatementInvalid: PG::InsufficientPrivilege: ERROR:  permission denied to create extension "pg_stat_statements" \(ActiveRecord::StatementInvalid\)$'
expect "... and Postgres' hint" "$ERR" '^HINT:  Must be superuser to create this extension\.$'
expect_not "... not the vector message of a migration" "$ERR" "Failed to enable 'vector'"
expect_eq "... and creates no table" "$(psql_q cw_novector "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
docker exec "$PG" psql -U chatwoot -d cw_novector -qc 'CREATE EXTENSION pg_stat_statements' >/dev/null
app "$IMG" "${ENV_OK[@]}" "${LIMITED[@]}" -- bundle exec rails db:chatwoot_prepare
expect "with pg_stat_statements created by a superuser, the next one it may not create is vector" "$ERR" \
	'permission denied to create extension "vector"'
expect_eq "... the trusted pg_trgm and pgcrypto were created on the way, outside any transaction" \
	"$(psql_q cw_novector "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")" \
	"pg_stat_statements,pg_trgm,pgcrypto,plpgsql"
docker exec "$PG" psql -U chatwoot -d cw_novector -qc 'CREATE EXTENSION vector' >/dev/null
app "$IMG" "${ENV_OK[@]}" "${LIMITED[@]}" -- bundle exec rails db:chatwoot_prepare
expect_ok "with pg_stat_statements and vector created by a superuser, the role prepares its database"
# A database whose CreateCaptainTables never ran (as migrated up from 3.x) and which lacks vector.
docker exec "$PG" psql -U chatwoot -d cw_novector -qc "DROP TABLE article_embeddings; DROP EXTENSION vector;
	DELETE FROM schema_migrations WHERE version = '20250104200055'" >/dev/null
app "$IMG" "${ENV_OK[@]}" "${LIMITED[@]}" -- bundle exec rails db:chatwoot_prepare
expect_fails "migrating CreateCaptainTables without the right to create vector fails"
expect "... with that migration's own message" "$ERR" \
	"Failed to enable 'vector' extension\. Read more at https://chwt\.app/v4/migration"

say "development seeds create john@acme.inc"
app "$IMG" "${ENV_OK[@]}" -e RAILS_ENV=development -e POSTGRES_DATABASE=cw_dev -- bundle exec rails db:chatwoot_prepare
expect_ok "development prepare succeeds"
expect_eq "development seeds create the super admin john@acme.inc" \
	"$(psql_q cw_dev "SELECT email || ' ' || type FROM users")" "john@acme.inc SuperAdmin"
app "$IMG" "${ENV_OK[@]}" -e RAILS_ENV=development -e POSTGRES_DATABASE=cw_dev -- bundle exec rails runner 'p SuperAdmin.exists?(email: "john@acme.inc")'
expect_eq "rails runner sees the app's models" "$OUT" true

# ------------------------------------------------------------------------------------------------
say "web: rails s behind rails.sh; /api as api_controller.rb and switch_locale.rb answer it"
WEB=$RUN_ID-web
start "$WEB" "$IMG" "${ENV_OK[@]}" "${RAILS_SH[@]}" -- bundle exec rails s -p 3000 -b 0.0.0.0
wait_until 60 web_answers "$WEB" || fail "web came up ($(excerpt "$(logs "$WEB")"))"
api "$WEB" Host:chatwoot.test
expect "fresh web, FRONTEND_URL's Host: /api 200" "$OUT" '^STATUS 200$'
expect "... data_services failing: no query ran, the pool's connection is not connected (v4.5.0+ keeps the boot one)" \
	"$OUT" '"queue_services":"ok","data_services":"failing"'
api "$WEB"
expect "GET /api with another Host: 200, version, timestamp, both services ok (the portals lookup connected)" "$OUT" \
	'^BODY \{"version":"4\.15\.1","timestamp":"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}","queue_services":"ok","data_services":"ok"\}$'
api "$WEB" Host:chatwoot.test:3000
expect "then FRONTEND_URL's Host (its port dropped): data_services ok on the connection the lookup connected" "$OUT" \
	'"queue_services":"ok","data_services":"ok"'
probe http "http://$WEB:3000/health"
expect "GET /health: 200" "$OUT" '^STATUS 200$'
expect "GET /health: {\"status\":\"woot\"}" "$OUT" '^BODY \{"status":"woot"\}$'
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

say "web: Redis stopped, Postgres stopped, Postgres back"
docker stop "$REDIS" >/dev/null
api "$WEB"
expect "Redis stopped: /api still 200" "$OUT" '^STATUS 200$'
expect "Redis stopped: queue_services failing, data_services ok" "$OUT" '"queue_services":"failing","data_services":"ok"'
probe http "http://$WEB:3000/health"
expect "Redis stopped: /health still 200" "$OUT" '^STATUS 200$'
docker start "$REDIS" >/dev/null
wait_until 30 redis_up || fail "Redis came back"
docker stop "$PG" >/dev/null
api "$WEB"
expect "Postgres stopped, Host not FRONTEND_URL's: /api 500 (the portals lookup runs first)" "$OUT" '^STATUS 500$'
api "$WEB" Host:chatwoot.test
expect "Postgres stopped, FRONTEND_URL's Host: 200, data_services failing, queue_services ok" "$OUT" \
	'"queue_services":"ok","data_services":"failing"'
api "$WEB" Host:help.chatwoot.test
expect "Postgres stopped, HELPCENTER_URL's Host: 200 too" "$OUT" '^STATUS 200$'
api "$WEB" Host:elsewhere.test X-Forwarded-Host:chatwoot.test
expect "Postgres stopped, another Host but X-Forwarded-Host FRONTEND_URL's: 200 (Rails' request.host)" "$OUT" '^STATUS 200$'
probe http "http://$WEB:3000/api?locale="
expect "Postgres stopped, another Host with ?locale= (even empty): 200, no lookup" "$OUT" '"data_services":"failing"'
docker start "$PG" >/dev/null
wait_until 60 pg_up || fail "Postgres came back"
api "$WEB" Host:chatwoot.test
expect "Postgres back, FRONTEND_URL's Host: data_services still failing (active? never reconnects)" "$OUT" \
	'"data_services":"failing"'
api "$WEB"
expect "Postgres back, another Host: the lookup reconnects, both ok" "$OUT" '"queue_services":"ok","data_services":"ok"'
api "$WEB" Host:chatwoot.test
expect "... and FRONTEND_URL's Host is ok again" "$OUT" '"data_services":"ok"'
t0=$SECONDS
docker stop -t 20 "$WEB" >/dev/null
expect_eq "docker stop: the web server exits 0 on SIGTERM" "$(exit_code "$WEB")" 0
if ((SECONDS - t0 < 10)); then pass "... promptly ($((SECONDS - t0))s)"; else fail "... promptly (took $((SECONDS - t0))s)"; fi

say "web: Redis credentials (redis gem 5: WRONGPASS is a CannotConnectError, other refusals escape)"
# These, the Redis TLS and the older versions' webs boot together.
web "$RUN_ID-web440" "$IMG_440"
web "$RUN_ID-web4100" "$IMG_4100"
web "$RUN_ID-webbadpass" "$IMG" -e REDIS_PASSWORD=wrong-password
web "$RUN_ID-webnopass" "$IMG" -e REDIS_PASSWORD=
docker run -d --name "$RUN_ID-redis-open" --label "$LABEL" --network "$NET" "$REDIS_IMAGE" redis-server >/dev/null
web "$RUN_ID-webopen" "$IMG" -e "REDIS_URL=redis://$RUN_ID-redis-open:6379"
web "$RUN_ID-webtls" "$IMG" -e "REDIS_URL=rediss://$REDIS:6380"
web "$RUN_ID-webtlsnone" "$IMG" -e "REDIS_URL=rediss://$REDIS:6380" -e REDIS_OPENSSL_VERIFY_MODE=none
web "$RUN_ID-webtlsca" "$IMG" -e "REDIS_URL=rediss://$REDIS:6380" "${CA[@]}" -e SSL_CERT_FILE=/ca/ca.pem
web "$RUN_ID-webpgpass" "$IMG" -e POSTGRES_PASSWORD=wrong-password
web "$RUN_ID-webpgpass2" "$IMG" -e POSTGRES_USERNAME=cw_limited -e POSTGRES_PASSWORD=wrong-password -e POSTGRES_DATABASE=cw_novector
for name in webbadpass webnopass webopen webtls webtlsnone webtlsca web440 web4100; do
	wait_until 60 web_answers "$RUN_ID-$name" || fail "$name came up ($(excerpt "$(logs "$RUN_ID-$name")"))"
done
api "$RUN_ID-webbadpass" Host:chatwoot.test
expect "wrong REDIS_PASSWORD: /api 200 with queue_services failing" "$OUT" '"queue_services":"failing"'
api "$RUN_ID-webnopass" Host:chatwoot.test
expect "empty REDIS_PASSWORD against a password-protected Redis: /api 500 (NOAUTH)" "$OUT" '^STATUS 500$'
expect "... logging Redis' NOAUTH" "$(logs "$RUN_ID-webnopass")" 'Redis::CommandError \(NOAUTH'
api "$RUN_ID-webopen" Host:chatwoot.test
expect "REDIS_PASSWORD set but Redis has none (a compose-interpolation slip): /api 500" "$OUT" '^STATUS 500$'
expect "... logging Redis' AUTH error" "$(logs "$RUN_ID-webopen")" 'AUTH <password> called without any password configured'
docker rm -f -v "$RUN_ID-webbadpass" "$RUN_ID-webnopass" "$RUN_ID-webopen" "$RUN_ID-redis-open" >/dev/null

say "web: a wrong Postgres password (Rails 7.1 names the error by what its message mentions)"
wait_until 60 web_answers "$RUN_ID-webpgpass" || fail "web with a wrong Postgres password came up"
api "$RUN_ID-webpgpass" Host:chatwoot.test
expect "wrong POSTGRES_PASSWORD, user and database both 'chatwoot': /api 500 even with FRONTEND_URL's Host (NoDatabaseError)" \
	"$OUT" '^STATUS 500$'
wait_until 60 web_answers "$RUN_ID-webpgpass2" || fail "second web with a wrong Postgres password came up"
api "$RUN_ID-webpgpass2" Host:chatwoot.test
expect "wrong POSTGRES_PASSWORD, user named differently from the database: /api 200, data_services failing" \
	"$OUT" '"data_services":"failing"'
docker rm -f -v "$RUN_ID-webpgpass" "$RUN_ID-webpgpass2" >/dev/null

say "Redis TLS: rediss:// verified unless REDIS_OPENSSL_VERIFY_MODE is exactly none"
api "$RUN_ID-webtls" Host:chatwoot.test
expect "rediss:// with a private CA unknown to Ruby's OpenSSL: queue_services failing" "$OUT" '"queue_services":"failing"'
expect "... because the certificate does not verify" "$(logs "$RUN_ID-webtls")" 'certificate verify failed'
api "$RUN_ID-webtlsnone" Host:chatwoot.test
expect "REDIS_OPENSSL_VERIFY_MODE=none: queue_services ok" "$OUT" '"queue_services":"ok"'
api "$RUN_ID-webtlsca" Host:chatwoot.test
expect "the CA made known with SSL_CERT_FILE: queue_services ok" "$OUT" '"queue_services":"ok"'
docker rm -f -v "$RUN_ID-webtls" "$RUN_ID-webtlsnone" "$RUN_ID-webtlsca" >/dev/null
app "$IMG" "${ENV_OK[@]}" -e "REDIS_URL=rediss://$REDIS:6380" -e REDIS_OPENSSL_VERIFY_MODE=NONE -- \
	bundle exec rails runner 'begin; puts Standin.redis.ping; rescue Redis::BaseError => e; puts e.class, e.message; end'
expect "REDIS_OPENSSL_VERIFY_MODE=NONE (not exactly none) still verifies" "$OUT" 'certificate verify failed'
redis_ip=$(ip_of "$REDIS")
app "$IMG" "${ENV_OK[@]}" -e "REDIS_URL=rediss://$redis_ip:6380" "${CA[@]}" -e SSL_CERT_FILE=/ca/ca.pem -- \
	bundle exec rails runner 'begin; puts Standin.redis.ping; rescue Redis::BaseError => e; puts e.message; end'
expect "the CA known but the URL's host not the certificate's (an IP): refused, the host name is verified" "$OUT" \
	'certificate verify failed|hostname .* does not match'
worker "$RUN_ID-workertls" "$IMG" -e "REDIS_URL=rediss://$REDIS:6380/6"
worker "$RUN_ID-workertlsca" "$IMG" -e "REDIS_URL=rediss://$REDIS:6380/6" "${CA[@]}" -e SSL_CERT_FILE=/ca/ca.pem
if wait_until 60 exited "$RUN_ID-workertls"; then
	expect_eq "the worker (Sidekiq gets Redis::Config.app too) with an unknown CA exits 1" "$(exit_code "$RUN_ID-workertls")" 1
	expect "... saying the certificate does not verify" "$(logs "$RUN_ID-workertls")" 'certificate verify failed'
else
	fail "the worker with an unknown CA exits (still running)"
fi
if wait_until 60 registered 6 "$RUN_ID-workertlsca"; then pass "the worker with SSL_CERT_FILE naming the CA runs over rediss://"; else
	fail "the worker with SSL_CERT_FILE naming the CA runs over rediss:// ($(excerpt "$(logs "$RUN_ID-workertlsca")"))"
fi
docker rm -f -v "$RUN_ID-workertls" "$RUN_ID-workertlsca" >/dev/null

say "web: FORCE_SSL"
web "$RUN_ID-webssl" "$IMG" -e FORCE_SSL=true
wait_until 60 bash -c "docker logs '$RUN_ID-webssl' 2>&1 | grep -q 'Listening on'" || fail "FORCE_SSL web came up"
sleep 1
for path in /health /api; do
	probe http "http://$RUN_ID-webssl:3000$path"
	expect "FORCE_SSL=true: GET $path is a 301" "$OUT" '^STATUS 301$'
	expect "... to https://…$path" "$OUT" "^HEADER location: https://$RUN_ID-webssl:3000$path\$"
	probe http "http://$RUN_ID-webssl:3000$path" "X-Forwarded-Proto:https"
	expect "FORCE_SSL=true with X-Forwarded-Proto: https: GET $path is a 200" "$OUT" '^STATUS 200$'
done
docker rm -f -v "$RUN_ID-webssl" >/dev/null

say "versions: 4.16.0, 4.10.0 and 4.4.0 builds; STANDIN_FAULT=boot"
web "$RUN_ID-web416" "$IMG_416"
wait_until 60 web_answers "$RUN_ID-web416" || fail "4.16.0 web came up"
api "$RUN_ID-web416"
expect "a CHATWOOT_VERSION=4.16.0 build reports 4.16.0 on /api" "$OUT" '"version":"4\.16\.0"'
docker rm -f -v "$RUN_ID-web416" >/dev/null
api "$RUN_ID-web440" Host:chatwoot.test
expect "4.4.0 (no boot query before v4.5.0): a fresh web's first /api connects the pool's first connection: data_services ok" \
	"$OUT" '"version":"4\.4\.0",.*"data_services":"ok"'
for v in 4.4.0 4.10.0; do
	probe http "http://$RUN_ID-web${v//./}:3000/health"
	expect "the $v build has no /health (added in v4.11.0): 404" "$OUT" '^STATUS 404$'
done
api "$RUN_ID-web4100" Host:chatwoot.test
expect "4.10.0 reports its version on /api" "$OUT" '"version":"4\.10\.0"'
docker rm -f -v "$RUN_ID-web440" "$RUN_ID-web4100" >/dev/null
app "$IMG_FAULT_BOOT" "${ENV_OK[@]}" -- bundle exec rails s -p 3000 -b 0.0.0.0
expect_fails "STANDIN_FAULT=boot: rails s exits non-zero at start"

# ------------------------------------------------------------------------------------------------
say "worker: the REAL Sidekiq with sidekiq_alive (v4.5.0+)"
# Each group of workers uses its own Redis database, so counts and queues are theirs alone.
WORKER=$RUN_ID-worker
R1=(-e "REDIS_URL=redis://$REDIS:6379/1")
worker "$WORKER" "$IMG" "${R1[@]}"
worker "$RUN_ID-worker3" "$IMG" "${R1[@]}" -e SIDEKIQ_CONCURRENCY=3
worker "$RUN_ID-workerlo" "$IMG" -e "REDIS_URL=redis://$REDIS:6379/2" -e SIDEKIQ_ALIVE_HOST=127.0.0.1 -e SIDEKIQ_ALIVE_PORT=7500
worker "$RUN_ID-workeroff" "$IMG" -e "REDIS_URL=redis://$REDIS:6379/3" -e DISABLE_SIDEKIQ_ALIVE=TRUE
worker "$RUN_ID-worker440" "$IMG_440" -e "REDIS_URL=redis://$REDIS:6379/4"
worker "$RUN_ID-worker4100" "$IMG_4100" -e "REDIS_URL=redis://$REDIS:6379/5"
start "$RUN_ID-workerbad" "$IMG" "${ENV_OK[@]}" -e REDIS_PASSWORD=wrong-password -- bundle exec sidekiq -C config/sidekiq.yml
two_processes() { [[ $(rdb 1 SCARD processes) == 2 ]]; }
if wait_until 60 two_processes; then pass "both workers registered in the Redis set 'processes'"; else
	fail "both workers registered in the Redis set 'processes' ($(excerpt "$(logs "$WORKER")"))"
fi
for member in $(rdb 1 SMEMBERS processes); do
	beat=$(rdb 1 HGET "$member" beat)
	now=$(rcli TIME | head -1)
	if [[ $beat =~ ^[0-9]+(\.[0-9]+)?$ ]] && ((now - ${beat%.*} < 60)); then
		pass "process $member has a fresh beat ($beat, now $now)"
	else
		fail "process $member has a fresh beat (beat '$beat', now $now)"
	fi
done
WORKER_HOST=$(hostname_of "$WORKER")
ALIVE_QUEUE=sidekiq-alive-$WORKER_HOST
info=$(process_info 1 "$WORKER")
expect "default concurrency 10, plus sidekiq_alive's capsule of 2: 12" "$info" '"concurrency":12,'
expect "queues critical, high, …, action_mailbox_incineration (config/sidekiq.yml), then sidekiq-alive-<hostname>" "$info" \
	"\"queues\":\\[\"critical\",\"high\",\"medium\",\"default\",\"mailers\",\"action_mailbox_routing\",\"low\",\"scheduled_jobs\",\"deferred\",\"purgable\",\"housekeeping\",\"async_database_migration\",\"bulk_reindex_low\",\"active_storage_analysis\",\"active_storage_purge\",\"action_mailbox_incineration\",\"$ALIVE_QUEUE\"\\]"
expect "SIDEKIQ_CONCURRENCY=3 honoured (3 + 2)" "$(process_info 1 "$RUN_ID-worker3")" '"concurrency":5,'
if wait_until 30 is_alive "$WORKER"; then pass "worker answers Alive! on 7433 (wget -q -O - http://127.0.0.1:7433 inside it)"; else
	fail "worker answers Alive! on 7433 ($(alive_inside "$WORKER"))"
fi
app "$IMG" -- wget -q -T 5 -O - "http://$WORKER:7433"
expect_eq "... and from another container (SIDEKIQ_ALIVE_HOST defaults to 0.0.0.0)" "$OUT" "Alive!"
app "$IMG" -- wget -S -q -T 5 -O - "http://$WORKER:7433/health"
expect "any other path: 404 Not found" "$ERR$OUT" '404 Not Found'

say "sidekiq_alive's footprint in Redis"
expect "its queue is in the 'queues' set" "$(rdb 1 SMEMBERS queues)" "^$ALIVE_QUEUE\$"
ttl=$(rdb 1 TTL "SIDEKIQ::LIVENESS_PROBE_TIMESTAMP::$WORKER_HOST")
if [[ $ttl =~ ^[0-9]+$ ]] && ((ttl > 0 && ttl <= 600)); then pass "liveness key SIDEKIQ::LIVENESS_PROBE_TIMESTAMP::<hostname> set for 600 s (ttl $ttl)"; else
	fail "liveness key set for 600 s (ttl '$ttl')"
fi
expect "instance registered in sidekiq-alive-hostnames" "$(rdb 1 ZRANGE sidekiq-alive-hostnames 0 -1)" \
	"^SIDEKIQ_REGISTERED_INSTANCE::$WORKER_HOST\$"
scheduled=$(rdb 1 ZRANGE schedule 0 -1)
expect "its job ran and scheduled itself again (class SidekiqAlive::Worker, queue sidekiq-alive-<hostname>)" "$scheduled" \
	"\"queue\":\"$ALIVE_QUEUE\",\"class\":\"SidekiqAlive::Worker\""

say "sidekiq_alive serves one connection at a time"
start "$RUN_ID-idle" "$IMG" -- sh -c "sleep 600 | nc $WORKER 7433"
sleep 2
out=$(alive_inside "$WORKER")
expect "a client from another container that connects and sends nothing: the worker's own check times out" "$out" \
	'timed out'
docker rm -f -v "$RUN_ID-idle" >/dev/null
if wait_until 15 is_alive "$WORKER"; then pass "... and answers again once that client is gone"; else fail "... and answers again once that client is gone"; fi

say "SIDEKIQ_ALIVE_HOST / SIDEKIQ_ALIVE_PORT / DISABLE_SIDEKIQ_ALIVE; the versions before v4.5.0"
if wait_until 60 is_alive "$RUN_ID-workerlo" 7500; then pass "SIDEKIQ_ALIVE_HOST=127.0.0.1, SIDEKIQ_ALIVE_PORT=7500: Alive! inside on 7500"; else
	fail "SIDEKIQ_ALIVE_HOST=127.0.0.1: Alive! inside on 7500 ($(alive_inside "$RUN_ID-workerlo" 7500))"
fi
app "$IMG" -- wget -q -T 5 -O - "http://$RUN_ID-workerlo:7500"
expect_fails "... and another container cannot even connect"
expect "... (connection refused)" "$ERR" 'refused'

wait_until 60 registered 3 "$RUN_ID-workeroff" || fail "DISABLE_SIDEKIQ_ALIVE worker registered"
expect "DISABLE_SIDEKIQ_ALIVE=TRUE (any case): nothing answers on 7433" "$(alive_inside "$RUN_ID-workeroff")" 'refused|error'
expect "... and no capsule: concurrency 10" "$(process_info 3 "$RUN_ID-workeroff")" '"concurrency":10,'
wait_until 60 registered 4 "$RUN_ID-worker440" || fail "4.4.0 worker registered"
expect "4.4.0 (sidekiq_alive from v4.5.0): nothing answers on 7433" "$(alive_inside "$RUN_ID-worker440")" 'refused|error'
expect "... concurrency 10, no sidekiq-alive queue" "$(process_info 4 "$RUN_ID-worker440")" '"concurrency":10,.*"action_mailbox_incineration"\]'
if wait_until 60 is_alive "$RUN_ID-worker4100"; then pass "4.10.0: Alive! on 7433"; else fail "4.10.0: Alive! on 7433"; fi

say "jobs: the probe job"
MARKER=selftest-$RANDOM
app "$IMG" "${ENV_OK[@]}" "${R1[@]}" -- bundle exec rails runner "StandinProbeJob.perform_async(\"$MARKER\")"
expect_ok "rails runner enqueues StandinProbeJob"
job_done() { [[ $(rdb 1 EXISTS "standin:job:$MARKER") == 1 ]]; }
if wait_until 30 job_done; then pass "the worker processed the job (standin:job:$MARKER set)"; else
	fail "the worker processed the job ($(excerpt "$(logs "$WORKER")"))"
fi

if wait_until 60 exited "$RUN_ID-workerbad"; then
	expect_eq "a wrong REDIS_PASSWORD stops the worker non-zero" "$(exit_code "$RUN_ID-workerbad")" 1
	expect "... saying why" "$(logs "$RUN_ID-workerbad")" 'WRONGPASS|invalid username-password'
else
	fail "a wrong REDIS_PASSWORD stops the worker (still running)"
fi
docker rm -f -v "$RUN_ID-workerlo" "$RUN_ID-workeroff" "$RUN_ID-worker440" "$RUN_ID-worker4100" "$RUN_ID-workerbad" >/dev/null

say "sidekiq_alive: Redis failing, clean stop, unclean stop"
docker stop "$REDIS" >/dev/null
expect "Redis stopped: the alive check answers 500 (the gem's rescue)" \
	"$(docker exec "$WORKER" wget -S -q -T 5 -O - http://127.0.0.1:7433 2>&1 || true)" '500 Internal Server Error'
docker start "$REDIS" >/dev/null
wait_until 30 redis_up || fail "Redis came back"
wait_until 30 is_alive "$WORKER" || fail "the worker is alive again after Redis came back"
W3_HOST=$(hostname_of "$RUN_ID-worker3")
docker kill -s KILL "$RUN_ID-worker3" >/dev/null
job=$(rdb 1 ZRANGE schedule 0 -1 | grep -F "\"queue\":\"sidekiq-alive-$W3_HOST\"" || true)
expect "a worker killed uncleanly leaves its scheduled SidekiqAlive::Worker job in 'schedule'" "$job" 'SidekiqAlive::Worker'
# Make it due now (it would be in at most 300 s): the surviving worker's scheduler moves it to the dead
# worker's queue, which nobody works any more.
if [[ -n $job ]]; then rdb 1 ZADD schedule "$(rcli TIME | head -1)" "$job" >/dev/null; fi
orphan() { [[ $(rdb 1 LLEN "queue:sidekiq-alive-$W3_HOST") == 1 ]]; }
if wait_until 40 orphan; then pass "... which, once due, sits in queue sidekiq-alive-<dead hostname> (an orphan)"; else
	fail "... which, once due, sits in queue sidekiq-alive-<dead hostname>"
fi
expect "... with its enqueued_at, from which its age (the queue's latency) grows" \
	"$(rdb 1 LINDEX "queue:sidekiq-alive-$W3_HOST" 0)" '"class":"SidekiqAlive::Worker".*"enqueued_at":[0-9.]+'
expect "... and that queue is in the 'queues' set" "$(rdb 1 SMEMBERS queues)" "^sidekiq-alive-$W3_HOST\$"

say "jobs: Sidekiq's :timeout: 25 on TERM (StandinSleepJob)"
# Three workers, each alone on its Redis database, each with one job of N seconds.
sleeper() { # NAME DB SECONDS
	worker "$RUN_ID-$1" "$IMG" -e "REDIS_URL=redis://$REDIS:6379/$2"
	app "$IMG" "${ENV_OK[@]}" -e "REDIS_URL=redis://$REDIS:6379/$2" -- \
		bundle exec rails runner "StandinSleepJob.perform_async(\"$1\", $3)"
}
sleeper sleep15a 7 15
sleeper sleep40 8 40
sleeper sleep35 9 35
started() { [[ $(rdb "$2" EXISTS "standin:sleep:$1:started") == 1 ]]; }
for s in "sleep15a 7" "sleep40 8" "sleep35 9"; do
	# shellcheck disable=SC2086
	wait_until 60 started $s || fail "StandinSleepJob ${s% *} started"
done
docker stop -t 30 "$RUN_ID-sleep15a" >/dev/null &
stop_a=$!
docker stop -t 10 "$RUN_ID-sleep40" >/dev/null &
stop_b=$!
docker stop -t 40 "$RUN_ID-sleep35" >/dev/null &
stop_c=$!
wait "$stop_a" "$stop_b" "$stop_c"
expect_eq "stop with a grace longer than the job: the 15 s job finishes before the worker exits" \
	"$(rdb 7 EXISTS standin:sleep:sleep15a:finished):$(exit_code "$RUN_ID-sleep15a")" "1:0"
# 40 s, not 15: the workers start one after the other and are stopped together once all three jobs run, and on a slow
# machine this job had run more than 5 s by then, so a 15 s one could finish within the grace.
expect_eq "Docker's default 10 s grace: the worker is killed, the 40 s job neither finished nor back in its queue (lost)" \
	"$(rdb 8 EXISTS standin:sleep:sleep40:finished):$(rdb 8 LLEN queue:default):$(exit_code "$RUN_ID-sleep40")" "0:0:137"
expect_eq "a 35 s job outlives :timeout: 25: Sidekiq pushes it back to its queue and exits 0" \
	"$(rdb 9 EXISTS standin:sleep:sleep35:finished):$(rdb 9 LLEN queue:default):$(exit_code "$RUN_ID-sleep35")" "0:1:0"

say "Sentinel: REDIS_SENTINELS replaces REDIS_URL's host"
docker run -d --name "$RUN_ID-sentinel" --label "$LABEL" --network "$NET" --entrypoint sh "$REDIS_IMAGE" -c \
	"printf 'port 26379\nsentinel resolve-hostnames yes\nsentinel monitor mymaster $REDIS 6379 1\nsentinel auth-pass mymaster $REDIS_PASS\n' >/tmp/sentinel.conf && exec redis-server /tmp/sentinel.conf --sentinel" >/dev/null
SENT=(-e "REDIS_URL=redis://$RUN_ID-no-redis:6379" -e "REDIS_SENTINELS=$RUN_ID-sentinel:26379, $RUN_ID-no-sentinel")
web "$RUN_ID-websent" "$IMG" "${SENT[@]}" -e REDIS_SENTINEL_PASSWORD=
web "$RUN_ID-websentpw" "$IMG" -e "REDIS_URL=redis://$RUN_ID-no-redis:6379" -e "REDIS_SENTINELS=$RUN_ID-sentinel"
worker "$RUN_ID-workersent" "$IMG" "${SENT[@]}" -e REDIS_SENTINEL_PASSWORD=
wait_until 60 web_answers "$RUN_ID-websent" || fail "the web on Sentinel came up"
api "$RUN_ID-websent" Host:chatwoot.test
expect "the app asks the sentinel for mymaster (REDIS_URL's host does not exist): queue_services ok" "$OUT" '"queue_services":"ok"'
wait_until 60 web_answers "$RUN_ID-websentpw" || fail "the second web on Sentinel came up"
api "$RUN_ID-websentpw" Host:chatwoot.test
expect "REDIS_SENTINEL_PASSWORD unset: the sentinel (port 26379 by default) gets REDIS_PASSWORD, which one without a password refuses (500)" "$OUT" \
	'^STATUS 500$'
if wait_until 60 registered 0 "$RUN_ID-workersent"; then pass "the worker reaches the master through the sentinel (registered in its 'processes')"; else
	fail "the worker reaches the master through the sentinel ($(excerpt "$(logs "$RUN_ID-workersent")"))"
fi
docker rm -f -v "$RUN_ID-websent" "$RUN_ID-websentpw" "$RUN_ID-workersent" "$RUN_ID-sentinel" >/dev/null

say "worker: clean stop"
t0=$SECONDS
docker stop -t 30 "$WORKER" >/dev/null
expect_eq "docker stop: the worker exits 0 on SIGTERM" "$(exit_code "$WORKER")" 0
expect "... after Sidekiq's own shutdown" "$(logs "$WORKER")" 'Bye!'
if ((SECONDS - t0 < 20)); then pass "... promptly ($((SECONDS - t0))s)"; else fail "... promptly (took $((SECONDS - t0))s)"; fi
expect_not "... its sidekiq-alive queue left the 'queues' set" "$(rdb 1 SMEMBERS queues)" "^$ALIVE_QUEUE\$"
expect_not "... and its instance left sidekiq-alive-hostnames" "$(rdb 1 ZRANGE sidekiq-alive-hostnames 0 -1)" "$WORKER_HOST"

# ------------------------------------------------------------------------------------------------
# rails TASK…: rake tasks in one process, a rake file mounted into /app/lib/tasks (selftest-rake.sh).
# shellcheck source=tests/standin/selftest-rake.sh
source "$HERE/selftest-rake.sh"

# The first administrator, the onboarding form, the installation settings, platform apps (selftest-admin.sh).
# shellcheck source=tests/standin/selftest-admin.sh
source "$HERE/selftest-admin.sh"

# The Platform and Application APIs (selftest-api.sh, with selftest-api.rb as its client).
# shellcheck source=tests/standin/selftest-api.sh
source "$HERE/selftest-api.sh"

# ------------------------------------------------------------------------------------------------
echo
echo "standin selftest took $((SECONDS - STARTED))s"
echo "standin selftest: $PASSED passed, $FAILED failed"
((FAILED == 0))
