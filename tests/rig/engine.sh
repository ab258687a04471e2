#!/usr/bin/env bash
# Ensures a Docker engine answers on the default socket; without systemd on the host, starts dockerd itself.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOCKET=/var/run/docker.sock
PIDFILE=/var/run/docker.pid
CONTAINERD_PIDFILE=/var/run/docker/containerd/containerd.pid
DATA_ROOT=/var/lib/docker
WAIT_SECONDS=60

engine_answers() {
	docker -H "unix://$SOCKET" info >/dev/null 2>&1
}

# The registry on 127.0.0.1:5000 is reached over plain HTTP: engines allow that for 127.0.0.0/8 unless
# configured otherwise, so this only checks and never writes /etc/docker/daemon.json.
check_insecure_loopback() {
	local cidrs
	cidrs=$(docker -H "unix://$SOCKET" info --format '{{json .RegistryConfig.InsecureRegistryCIDRs}}' 2>/dev/null) || return 0
	[[ $cidrs == *'"127.0.0.0/8"'* ]] ||
		die "the engine does not treat 127.0.0.0/8 as an insecure registry range (got $cidrs); check /etc/docker/daemon.json"
}

# pid_is NAME PIDFILE: the pidfile names a live (not zombie) process called NAME.
pid_is() {
	local pid
	pid=$(cat "$2" 2>/dev/null) || return 1
	[[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$1" ]] &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

if engine_answers; then
	check_insecure_loopback
	echo "engine already answering on $SOCKET"
	exit 0
fi
need_root "starting dockerd"
command -v dockerd >/dev/null || die "dockerd not found: run host-packages.sh first"

log=$RIG_LOG_DIR/dockerd.log
mkdir -p "$RIG_LOG_DIR"
if pid_is dockerd "$PIDFILE"; then
	action="waited for dockerd (pid $(cat "$PIDFILE"))"
else
	# Pidfiles survive on this machine's /run while the processes do not; a reused pid would make dockerd refuse.
	rm -f "$PIDFILE"
	pid_is containerd "$CONTAINERD_PIDFILE" || rm -f "$CONTAINERD_PIDFILE"
	printf '\n=== %s: starting dockerd\n' "$(date -Is)" >>"$log"
	# Only stdin, stdout and stderr go to the daemon: a descriptor it inherits stays open as long as it runs, so a
	# caller's `flock LOCKFILE tests/rig/up.sh` would have the engine hold that lock for ever.
	(
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			((fd <= 2)) || eval "exec $fd>&-" 2>/dev/null || true
		done
		exec setsid nohup dockerd --host "unix://$SOCKET" --data-root "$DATA_ROOT" --pidfile "$PIDFILE" \
			>>"$log" 2>&1 </dev/null
	) &
	started=$!
	action="started dockerd (pid $started, log $log)"
fi

fail_with_log() {
	{
		echo "engine.sh: error: $1; last lines of $log:"
		tail -n 30 "$log" | sed 's/^/  | /'
	} >&2
	exit 1
}

deadline=$((SECONDS + WAIT_SECONDS))
until engine_answers; do
	if [[ -n ${started:-} ]] && ! kill -0 "$started" 2>/dev/null; then
		fail_with_log "dockerd exited during start-up"
	fi
	((SECONDS < deadline)) || fail_with_log "dockerd did not answer on $SOCKET within ${WAIT_SECONDS}s"
	sleep 0.5
done
check_insecure_loopback
echo "$action"
