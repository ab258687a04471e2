#!/usr/bin/env bash
# Checks that the rig's images behave like the official ones they stand in for, and that the registry
# serves them. Needs up.sh to have run. Exits non-zero when any check fails; removes what it started.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG=sinapum-rig/pgvector:pg17
REDIS=sinapum-rig/redis:8
SERVER=sinapum-rig/server:trixie
PREFIX=sinapum-rig-selftest-$$
NET=$PREFIX-net
PG_VOLUME=$PREFIX-pgdata
SERVER_VOLUME=$PREFIX-docker
# How a Molecule server runs here: --privileged fails on these hosts (no CAP_SYS_RESOURCE to grant).
SERVER_FLAGS=(--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
	--security-opt apparmor=unconfined -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock
	-v "$SERVER_VOLUME:/var/lib/docker")

cleanup() {
	local ids
	mapfile -t ids < <(docker ps -aq --filter "name=^$PREFIX-" 2>/dev/null)
	((${#ids[@]} == 0)) || docker rm -f -v "${ids[@]}" >/dev/null 2>&1 || true
	docker network rm "$NET" >/dev/null 2>&1 || true
	docker volume rm "$PG_VOLUME" "$SERVER_VOLUME" >/dev/null 2>&1 || true
}
trap cleanup EXIT

mkdir -p "$RIG_LOG_DIR"
LOG=$RIG_LOG_DIR/selftest.log
: >"$LOG"
passed=0
failed=0

# check NAME FUNCTION: runs FUNCTION with its output in the log; prints one line per check.
check() {
	local name=$1 status=0
	printf '\n=== %s\n' "$name" >>"$LOG"
	# In the background so that errexit holds inside the check (an `||` here would switch it off).
	"$2" >>"$LOG" 2>&1 &
	wait $! || status=$?
	if ((status == 0)); then
		passed=$((passed + 1))
		printf 'ok    %s\n' "$name"
	else
		failed=$((failed + 1))
		printf 'FAIL  %s\n' "$name"
		sed -n "/^=== $name\$/,\$p" "$LOG" | tail -n 15 | sed 's/^/  | /'
	fi
}

fail() {
	echo "FAILED: $*"
	exit 1
}

# wait_for SECONDS CMD...: retries CMD until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || fail "still failing after the wait: $*"
		sleep 0.5
	done
}

psql_net() { # PASSWORD SQL: psql over TCP from another container on the network
	docker run --rm --network "$NET" -e PGPASSWORD="$1" "$PG" \
		psql -h "$PREFIX-pg" -U chatwoot -d chatwoot_test -v ON_ERROR_STOP=1 -Atc "$2"
}

redis_net() { # redis-cli ARGS... from another container on the network
	docker run --rm --network "$NET" "$REDIS" redis-cli -h "$PREFIX-redis" "$@"
}

compose_plugin() {
	local v
	v=$(docker compose version --short)
	echo "compose $v"
	version_ge "${v#v}" 2.18 || fail "compose $v < 2.18"
}

pg_refuses_without_password() {
	local out status=0
	out=$(docker run --rm --name "$PREFIX-pg-nopw" "$PG" 2>&1) || status=$?
	echo "$out"
	((status != 0)) || fail "started without POSTGRES_PASSWORD"
	grep -q POSTGRES_PASSWORD <<<"$out" || fail "no message naming POSTGRES_PASSWORD"
}

pg_initialises_and_serves_tcp() {
	docker run -d --name "$PREFIX-pg" --network "$NET" -v "$PG_VOLUME:/var/lib/postgresql/data" \
		-e POSTGRES_USER=chatwoot -e POSTGRES_PASSWORD='pg s3cret' -e POSTGRES_DB=chatwoot_test "$PG"
	# TCP only answers once initialisation is over (the set-up server listens on the socket only).
	wait_for 60 docker exec "$PREFIX-pg" pg_isready -h 127.0.0.1 -U chatwoot -d chatwoot_test
	[[ $(psql_net 'pg s3cret' 'select current_user || current_database()') == chatwootchatwoot_test ]] ||
		fail "password login over TCP"
	! psql_net wrong 'select 1' || fail "a wrong password was accepted"
	[[ $(psql_net 'pg s3cret' 'select rolsuper from pg_roles where rolname = current_user') == t ]] ||
		fail "POSTGRES_USER is not a superuser"
}

pg_vector_extension() {
	psql_net 'pg s3cret' 'CREATE EXTENSION vector'
	[[ $(psql_net 'pg s3cret' "select '[1,2,3]'::vector <-> '[1,2,5]'::vector") == 2 ]] || fail "vector distance"
}

pg_clean_stop_and_restart() {
	docker stop "$PREFIX-pg"
	[[ $(docker inspect -f '{{.State.ExitCode}}' "$PREFIX-pg") == 0 ]] || fail "non-zero exit on docker stop"
	docker logs "$PREFIX-pg" 2>&1 | tail -n 3 | grep -q 'database system is shut down' || fail "no clean shutdown"
	docker start "$PREFIX-pg"
	wait_for 60 docker exec "$PREFIX-pg" pg_isready -h 127.0.0.1 -U chatwoot -d chatwoot_test
	# Read whole before grep: under pipefail, `docker logs | grep -q` fails when grep stops reading first (SIGPIPE).
	local logs
	logs=$(docker logs "$PREFIX-pg" 2>&1)
	grep -q 'skipping initialisation' <<<"$logs" || fail "initialised again on restart"
	[[ $(psql_net 'pg s3cret' "select extname from pg_extension where extname = 'vector'") == vector ]] ||
		fail "data lost on restart"
}

redis_password_and_user() {
	docker run -d --name "$PREFIX-redis" --network "$NET" "$REDIS" \
		redis-server --requirepass 'r3dis pw' --appendonly yes
	wait_for 30 docker exec "$PREFIX-redis" redis-cli -a 'r3dis pw' --no-auth-warning ping
	local out
	out=$(redis_net ping 2>&1 || true)
	echo "unauthenticated: $out"
	[[ $out == *NOAUTH* ]] || fail "unauthenticated PING was not refused"
	out=$(redis_net -a 'r3dis pw' --no-auth-warning ping)
	[[ $out == PONG ]] || fail "authenticated PING answered '$out'"
	[[ $(docker exec "$PREFIX-redis" sh -c 'grep ^Uid: /proc/1/status' | awk '{print $2}') != 0 ]] ||
		fail "redis-server runs as root"
	docker exec "$PREFIX-redis" sh -c 'test -d /data/appendonlydir' || fail "no AOF in /data"
}

redis_open_without_password() {
	docker run -d --name "$PREFIX-redis-open" --network "$NET" "$REDIS"
	wait_for 30 docker exec "$PREFIX-redis-open" redis-cli ping
	[[ $(docker run --rm --network "$NET" "$REDIS" redis-cli -h "$PREFIX-redis-open" ping) == PONG ]] ||
		fail "a server without password does not answer other containers (protected mode)"
}

server_boots_systemd() {
	docker run -d --name "$PREFIX-server" --network "$NET" "${SERVER_FLAGS[@]}" "$SERVER"
	local state
	# systemctl can only answer once systemd has its bus socket up.
	wait_for 60 docker exec "$PREFIX-server" test -S /run/systemd/private
	state=$(timeout 90 docker exec "$PREFIX-server" systemctl is-system-running --wait || true)
	echo "system state: $state"
	docker exec "$PREFIX-server" systemctl --failed --no-legend || true
	[[ $state == running || $state == degraded ]] || fail "systemd state '$state'"
	[[ $(docker exec "$PREFIX-server" awk '$5 == "/proc/sys" {print $6}' /proc/self/mountinfo) == rw,* ]] ||
		fail "/proc/sys stayed read-only"
	! docker exec "$PREFIX-server" sh -c 'command -v docker || command -v dockerd' || fail "docker is preinstalled"
}

# The registry's images are not also tagged under the registry's name on this engine (unless a deployed container
# uses the tag): a deploy has to pull them, as an air-gapped site pulls from its own registry.
registry_images_only_in_the_registry() {
	local local_image ref in_use pretagged=()
	in_use=$(containers_image_refs)
	while read -r local_image ref; do
		echo "$ref (built as $local_image)"
		[[ $(registry_image_id "$ref") == "$(docker image inspect -f '{{.Id}}' "$local_image")" ]] ||
			fail "the registry does not serve $local_image as $ref"
		if image_exists "$ref" && ! grep -qxF "$ref" <<<"$in_use"; then
			pretagged+=("$ref")
		fi
	done < <(rig_registry_images)
	((${#pretagged[@]} == 0)) || fail "tagged on this engine although no container uses them: ${pretagged[*]}"
}

registry_pull() {
	local ref=$RIG_REGISTRY/pgvector/pgvector:pg17 had=
	image_exists "$ref" && had=yes
	docker pull "$ref"
	[[ $(docker image inspect -f '{{.Id}}' "$ref") == $(docker image inspect -f '{{.Id}}' "$PG") ]] ||
		fail "the registry serves another pgvector image"
	# What the check pulled must not spare the next deploy its pull.
	[[ -n $had ]] || docker rmi "$ref"
	curl -fsS "http://$RIG_REGISTRY/v2/_catalog"
}

# The mirror parser on apt's two formats, with what apt itself would skip around the one it must pick.
debian_mirror_from_apt_sources() {
	local dir
	dir=$(mktemp -d)
	# shellcheck disable=SC2064  # expanded now, on purpose; a check runs in a subshell of its own
	trap "rm -rf '$dir'" EXIT
	cat >"$dir/sources.list" <<-'EOF'
		# deb http://commented.example/debian bookworm main
		deb-src http://source-only.example/debian bookworm main
		deb [arch=amd64 signed-by=/k.gpg] http://security.example/debian-security bookworm-security main
		deb [ arch=amd64 ] http://no-main.example/debian bookworm contrib
	EOF
	cat >"$dir/a.sources" <<-'EOF'
		Types: deb
		URIs: http://disabled.example/debian
		Suites: bookworm
		Components: main
		Enabled: no

		# a comment inside the paragraph, as Debian's own file has
		Types: deb-src deb
		URIs: mirror+file:///etc/apt/mirrors.txt
		 https://site-mirror.example/debian/
		Suites: bookworm bookworm-updates
		Components: main contrib
		Signed-By:
		 -----BEGIN PGP PUBLIC KEY BLOCK-----
		 .
		 Suites: ignored
		 -----END PGP PUBLIC KEY BLOCK-----
	EOF
	local got
	got=$(apt_sources_mirror bookworm "$dir/sources.list" "$dir/a.sources")
	[[ $got == https://site-mirror.example/debian ]] || fail "deb822 with an inline key: got '$got'"
	printf 'deb http://one-line.example/debian/ bookworm main # trailing comment\n' >"$dir/sources.list"
	got=$(apt_sources_mirror bookworm "$dir/sources.list" "$dir/a.sources")
	[[ $got == http://one-line.example/debian ]] || fail "one-line before deb822: got '$got'"
	! apt_sources_mirror trixie "$dir/sources.list" "$dir/a.sources" || fail "found a mirror for a suite not listed"
	got=$(SINAPUM_RIG_DEBIAN_MIRROR=http://override.example/debian/ debian_mirror)
	[[ $got == http://override.example/debian ]] || fail "SINAPUM_RIG_DEBIAN_MIRROR: got '$got'"
}

# Every image's apt (tests/images, tests/standin) uses the sources the base image carries.
base_image_carries_the_mirror() {
	local mirror sources
	mirror=$(debian_mirror)
	sources=$(docker run --rm --network none "$RIG_BASE_IMAGE" cat /etc/apt/sources.list)
	echo "mirror $mirror; base image: $sources"
	[[ $sources == "deb $mirror trixie main" ]] || fail "the base image's sources.list is not the host's mirror"
}

docker network create "$NET" >/dev/null
check debian-mirror-from-apt-sources debian_mirror_from_apt_sources
check base-image-carries-the-mirror base_image_carries_the_mirror
check compose-plugin compose_plugin
check pg-refuses-without-password pg_refuses_without_password
check pg-initialises-and-serves-tcp pg_initialises_and_serves_tcp
check pg-vector-extension pg_vector_extension
check pg-clean-stop-and-restart pg_clean_stop_and_restart
check redis-password-and-user redis_password_and_user
check redis-open-without-password redis_open_without_password
check server-boots-systemd server_boots_systemd
check registry-images-only-in-the-registry registry_images_only_in_the_registry
check registry-pull registry_pull

echo "selftest: $passed passed, $failed failed (log: $LOG)"
((failed == 0))
