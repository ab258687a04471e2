#!/usr/bin/env bash
# Installs the Debian packages the rig needs on the host (Debian 12): the engine, debootstrap and their helpers.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# docker.io brings dockerd, containerd, runc and its own client (/usr/bin/docker), so a machine without
# another docker client works too; curl reads digests from the registry.
PACKAGES=(docker.io iptables debootstrap curl ca-certificates openssl)
LISTS_MAX_AGE_MIN=360

missing=()
for pkg in "${PACKAGES[@]}"; do
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
	echo "already installed: ${PACKAGES[*]}"
	exit 0
fi
need_root "installing ${missing[*]}"

apt_update() {
	run_logged apt-update apt-get -o DPkg::Lock::Timeout=600 update
	mkdir -p "$RIG_STATE"
	touch "$RIG_STATE/apt-update.stamp"
}

lists_fresh() {
	# apt itself touches lists/partial on every update, so that covers updates made by others too.
	local mark
	for mark in "$RIG_STATE/apt-update.stamp" /var/lib/apt/lists/partial; do
		[[ -n $(find "$mark" -maxdepth 0 -mmin -"$LISTS_MAX_AGE_MIN" 2>/dev/null) ]] && return 0
	done
	return 1
}

# Without a policy-rc.d, docker.io's postinst would start an engine itself (sysvinit script); engine.sh owns that.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi

install_missing() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}

mkdir -p "$RIG_LOG_DIR"
# Fresh-looking lists can still point at superseded versions: one update and a retry settle it.
if ! { lists_fresh && install_missing >"$RIG_LOG_DIR/apt-install.log" 2>&1; }; then
	apt_update
	run_logged apt-install install_missing
fi
echo "installed: ${missing[*]}"
