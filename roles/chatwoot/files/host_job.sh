# shellcheck shell=sh
# A long step run in the background on the host, so that the run waits for it in rounds (tasks/job_wait.yml): a quick
# step costs one round trip, a long one says every round that it still runs. Serves the images' pull (tasks/images.yml)
# and db:chatwoot_prepare (tasks/prepare.yml), and the look for pgvector (tasks/pgvector_check.yml).
#   start BASE RETRIES DELAY SECONDS pull [--vector PG] REF...
#   start BASE RETRIES DELAY SECONDS run [--stdin] ARGV...
#                                                 makes BASE.XXXXXX (root only; earlier ones are removed: the caller
#                                                 holds the project's lock; a run job refuses to start beside an
#                                                 earlier one that still runs); in it, in the background, runs the job up
#                                                 to 1 + RETRIES times, DELAY seconds apart, and leaves what the last
#                                                 attempt printed (out, err) and its status (rc); then waits for it as
#                                                 wait does. A pull pulls every REF at once and prints "image REF=ID"
#                                                 lines, and once they are all there "vector PG=FILE" (as vector
#                                                 prints it, empty when none); run runs ARGV, with --stdin on what this
#                                                 script was given on standard input (read by the first attempt).
#   wait DIR SECONDS                              waits up to SECONDS for the job in DIR. Ended: prints its out, its err
#                                                 on stderr, removes DIR and exits with its status. Not yet: prints
#                                                 "job=DIR", "running=ATTEMPT" and "waited=SECONDS" (since its start),
#                                                 and exits 0.
#   vector IMAGE                                  prints where IMAGE (on the host) keeps the vector extension's control
#                                                 file, nothing when it has none or cannot be looked into; exits 0.

# The places a Postgres image keeps its extensions, listed from a container that is created and never started, so
# nothing of the image runs; a place the image lacks lists nothing. Removed with its volumes: the image declares its
# data directory a VOLUME, so creating the container made an anonymous volume, which a plain rm leaves on the host.
vector() {
	c=$(docker create --pull never --network none --entrypoint sh "$1" 2>/dev/null) || return 0
	for place in /usr/share/postgresql /usr/local/share/postgresql; do
		docker cp "$c:$place" - 2>/dev/null | tar -tf - 2>/dev/null
	done | grep -m 1 '/extension/vector.control$'
	docker rm --volumes "$c" >/dev/null 2>&1
	return 0
}

# All at once; "image REF=ID" for each (empty ID when it is not there); non-zero when any pull failed. With --vector PG,
# PG (one of the REFs) is looked into once every pull has ended: the pull's round trip carries the look a new Postgres
# image needs (tasks/pgvector_check.yml), and a failed pull looks into nothing.
pull() {
	look=
	if [ "$1" = --vector ]; then
		look=$2
		shift 2
	fi
	rc=0 pids=
	for image in "$@"; do
		docker pull --quiet "$image" >/dev/null &
		pids="$pids $!"
	done
	for pid in $pids; do
		wait "$pid" || rc=1
	done
	for image in "$@"; do
		printf 'image %s=%s\n' "$image" "$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null)"
	done
	if [ "$rc" -eq 0 ] && [ -n "$look" ]; then
		printf 'vector %s=%s\n' "$look" "$(vector "$look")"
	fi
	return $rc
}

# One attempt of the job: a pull of the REFs, or ARGV as given.
job() {
	case $kind in
	pull) pull "$@" ;;
	run) "$@" ;;
	esac
}

# The wait: see the header.
await_job() {
	dir=$1 ticks=$(($2 * 5))
	while [ ! -f "$dir/rc" ] && [ -d "$dir" ] && [ "$ticks" -gt 0 ]; do
		sleep 0.2
		ticks=$((ticks - 1))
	done
	if [ ! -d "$dir" ]; then
		echo "no job in $dir: it was removed (by another run of this project?)" >&2
		exit 1
	fi
	if [ ! -f "$dir/rc" ]; then
		echo "job=$dir"
		echo "running=$(cat "$dir/attempt")"
		echo "waited=$(($(date +%s) - $(cat "$dir/began")))"
		exit 0
	fi
	status=$(cat "$dir/rc")
	cat "$dir/out"
	cat "$dir/err" >&2
	rm -rf "$dir"
	exit "$status"
}

case $1 in
start)
	base=$2 retries=$3 delay=$4 seconds=$5 kind=$6
	shift 6
	input=
	if [ "$kind" = run ] && [ "$1" = --stdin ]; then
		input=yes
		shift
	fi
	case $kind in
	pull | run) ;;
	*)
		echo "host_job.sh: no job kind $kind (pull or run)" >&2
		exit 2
		;;
	esac
	# An earlier run's job that still runs (that run was stopped, its lock taken over since): a second command beside
	# it (db:chatwoot_prepare) would race it, so this one stops and says so; a second pull beside one does no harm.
	for old in "$base".*; do
		if [ "$kind" != run ] || [ ! -f "$old/pid" ] || [ -f "$old/rc" ]; then
			continue
		fi
		pid=$(cat "$old/pid")
		if grep -q host_job.sh "/proc/$pid/cmdline" 2>/dev/null; then
			echo "an earlier run's job still runs on this host ($old, pid $pid, for $(($(date +%s) - $(cat "$old/began"))) s):" \
				"the run that started it was stopped; wait until it ends, then run again" >&2
			exit 1
		fi
	done
	rm -rf "$base".*
	dir=$(mktemp -d "$base.XXXXXX") || exit 1
	echo 1 >"$dir/attempt"
	date +%s >"$dir/began"
	# The input may hold secrets (admin.rb's): root's only, in a directory that is root's only (mktemp -d), and
	# removed once the job has it open.
	if [ -n "$input" ]; then
		(umask 077 && cat >"$dir/in") || exit 1
	fi
	# Its own descriptors and no hang-up: the job outlives the connection (and the sudo) that started it.
	(
		trap '' HUP
		if [ -n "$input" ]; then
			exec <"$dir/in"
			rm -f "$dir/in"
		fi
		attempt=1
		while :; do
			if job "$@" >"$dir/out" 2>"$dir/err"; then status=0; else status=$?; fi
			if [ "$status" -eq 0 ] || [ "$attempt" -gt "$retries" ]; then
				break
			fi
			sleep "$delay"
			attempt=$((attempt + 1))
			echo "$attempt" >"$dir/attempt"
		done
		echo "$status" >"$dir/rc.part" && mv "$dir/rc.part" "$dir/rc"
	) </dev/null >/dev/null 2>&1 &
	echo $! >"$dir/pid"
	await_job "$dir" "$seconds"
	;;
wait)
	await_job "$2" "$3"
	;;
vector)
	vector "$2"
	;;
*)
	echo "usage: host_job.sh start BASE RETRIES DELAY SECONDS pull [--vector PG] REF... | start BASE RETRIES DELAY SECONDS run [--stdin] ARGV... | wait DIR SECONDS | vector IMAGE" >&2
	exit 2
	;;
esac
