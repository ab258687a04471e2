#!/usr/bin/env bash
# Builds the rig's base image (Debian 13 minbase) with debootstrap: no registry is reachable to pull one.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=trixie
MIRROR=http://deb.debian.org/debian
# Kept across runs: debootstrap is the slowest step. Delete it (and the image) to get newer packages.
TARBALL=$RIG_CACHE/debian-$SUITE-minbase.tar

if image_exists "$RIG_BASE_IMAGE"; then
	echo "$RIG_BASE_IMAGE already present"
	exit 0
fi

action="imported from cached ${TARBALL##*/}"
if [[ ! -s $TARBALL ]]; then
	need_root "debootstrap"
	command -v debootstrap >/dev/null || die "debootstrap not found: run host-packages.sh first"
	mkdir -p "$RIG_CACHE"
	work=$(mktemp -d "$RIG_CACHE/debootstrap.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	root=$work/root
	run_logged debootstrap debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR"
	# As in Debian's official images: package scripts must not start services during image builds.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
		"$root"/debootstrap
	# Device nodes and mount points are provided by the engine at run time.
	tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
		-C "$root" -cf "$work/rootfs.tar" .
	mv "$work/rootfs.tar" "$TARBALL"
	action="debootstrapped $SUITE and imported"
fi

run_logged base-import docker import \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'CMD ["bash"]' \
	"$TARBALL" "$RIG_BASE_IMAGE"
echo "$action $RIG_BASE_IMAGE"
