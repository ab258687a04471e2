# shellcheck shell=bash disable=SC2034  # variables are used by the scripts sourcing this
# Helpers shared by the rig scripts (sourced, never run).
# Each script prints at most one summary line on success; long output goes to log files.

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$RIG_DIR/../.." && pwd)

if [[ $EUID -eq 0 ]]; then
	RIG_CACHE=${SINAPUM_RIG_CACHE:-/var/cache/sinapum-chatwoot-rig}
	RIG_STATE=${SINAPUM_RIG_STATE:-/var/lib/sinapum-chatwoot-rig}
	RIG_LOG_DIR=${SINAPUM_RIG_LOG_DIR:-/var/log/sinapum-chatwoot-rig}
else
	# A non-root user cannot write the system paths; keep everything under $HOME instead.
	RIG_CACHE=${SINAPUM_RIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sinapum-chatwoot-rig}
	RIG_STATE=${SINAPUM_RIG_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/sinapum-chatwoot-rig}
	RIG_LOG_DIR=${SINAPUM_RIG_LOG_DIR:-$RIG_STATE/log}
fi

RIG_BASE_IMAGE=sinapum-rig/debian:trixie
RIG_REGISTRY=127.0.0.1:5000
# Stand-in builds, VERSION or VERSION:FAULT (tests/standin/Dockerfile's STANDIN_FAULT). Upgrade tests move
# 4.15.1 -> 4.16.0 (a migration that changes the schema) and try the broken 4.17.0 builds, which must roll back.
# 4.4.0 and 4.10.0 stand for the older 4.x releases: neither has /health (v4.11.0), 4.4.0 no sidekiq_alive (v4.5.0).
RIG_STANDIN_VERSIONS=(4.15.1 4.16.0 4.17.0:boot 4.17.0:migrate 4.4.0 4.10.0)

# standin_tag VERSION[:FAULT]: the image tag of one stand-in build (v4.17.0-fault-boot for 4.17.0:boot).
standin_tag() {
	local version=${1%%:*} fault=
	[[ $1 == *:* ]] && fault=${1#*:}
	echo "v$version${fault:+-fault-$fault}"
}

# context_hash DIR EXTRA...: names, modes and contents of the files under DIR, plus EXTRA (never DIR's own
# path, so another checkout of the same tree reuses the images). build-images.sh labels each image with it;
# tests/standin/selftest.sh reuses a stand-in image whose label matches its tree.
RIG_HASH_LABEL=org.sinapum.rig.context-hash
context_hash() {
	local dir=$1
	shift
	{
		printf '%s\n' "$@"
		cd "$dir" || return
		find . -type f -printf '%p %m\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	} | sha256sum | cut -d' ' -f1
}

# standin_build_args VERSION[:FAULT]: the build arguments of one stand-in build, one a line.
standin_build_args() {
	local fault=
	[[ $1 == *:* ]] && fault=${1#*:}
	printf '%s\n' "CHATWOOT_VERSION=${1%%:*}" "STANDIN_FAULT=$fault"
}

die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

need_root() {
	[[ $EUID -eq 0 ]] || die "$1 needs root; run it as root (or have it done once by root)"
}

# run_logged NAME CMD...: runs CMD with its output in $RIG_LOG_DIR/NAME.log; on failure shows the log's tail and exits.
run_logged() {
	local name=$1 log status=0
	shift
	mkdir -p "$RIG_LOG_DIR"
	log=$RIG_LOG_DIR/$name.log
	"$@" >"$log" 2>&1 </dev/null || status=$?
	if ((status != 0)); then
		{
			printf '%s: error: %s failed (exit %d): %s\n' "${0##*/}" "$name" "$status" "$*"
			printf '  last lines of %s:\n' "$log"
			tail -n 30 "$log" | sed 's/^/  | /'
		} >&2
		exit "$status"
	fi
}

# version_ge A B: true when dotted version A >= B.
version_ge() {
	[[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]
}

image_exists() {
	docker image inspect "$1" >/dev/null 2>&1
}
