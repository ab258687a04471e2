#!/usr/bin/env bash
# Builds the rig's base image (Debian 13 minbase) with debootstrap: no registry is reachable to pull one.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=trixie
# debootstrap writes "deb MIRROR trixie main" into the image: every image built from it (tests/images,
# tests/standin) then installs its packages from the same mirror.
MIRROR=$(debian_mirror)
MIRROR_LABEL=org.sinapum.rig.debian-mirror
# Kept across runs: debootstrap is the slowest step. Delete it (and the image) to get newer packages.
TARBALL=$RIG_CACHE/debian-$SUITE-minbase.tar

# sources_mirror: the mirror of a "deb MIRROR SUITE main" sources.list read on stdin.
sources_mirror() {
	awk -v suite="$SUITE" '$1 == "deb" && $3 == suite {print $2; exit}'
}

image_mirror() {
	local label
	label=$(docker image inspect -f "{{index .Config.Labels \"$MIRROR_LABEL\"}}" "$RIG_BASE_IMAGE")
	if [[ -n $label && $label != '<no value>' ]]; then
		echo "$label"
	else # imported before the label existed
		docker run --rm --network none --entrypoint cat "$RIG_BASE_IMAGE" /etc/apt/sources.list | sources_mirror
	fi
}

replaced=
if image_exists "$RIG_BASE_IMAGE"; then
	current=$(image_mirror)
	if [[ $current == "$MIRROR" ]]; then
		echo "$RIG_BASE_IMAGE already present (mirror $MIRROR)"
		exit 0
	fi
	replaced=" (its mirror was ${current:-unknown}, now $MIRROR)"
fi

action="imported from cached ${TARBALL##*/}"
if [[ -s $TARBALL && $(tar -xOf "$TARBALL" ./etc/apt/sources.list 2>/dev/null | sources_mirror) != "$MIRROR" ]]; then
	rm -f "$TARBALL"
fi
if [[ ! -s $TARBALL ]]; then
	need_root "debootstrap"
	command -v debootstrap >/dev/null || die "debootstrap not found: run host-packages.sh first"
	mkdir -p "$RIG_CACHE"
	work=$(mktemp -d "$RIG_CACHE/debootstrap.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	root=$work/root
	include=()
	# apt in the image can only verify an https mirror with the CA certificates minbase leaves out.
	[[ $MIRROR == https://* ]] && include=(--include=ca-certificates)
	run_logged debootstrap debootstrap --variant=minbase "${include[@]}" "$SUITE" "$root" "$MIRROR"
	# As in Debian's official images: package scripts must not start services during image builds.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
		"$root"/debootstrap
	# Device nodes and mount points are provided by the engine at run time.
	tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
		-C "$root" -cf "$work/rootfs.tar" .
	mv "$work/rootfs.tar" "$TARBALL"
	action="debootstrapped $SUITE from $MIRROR and imported"
fi

run_logged base-import docker import \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'CMD ["bash"]' \
	--change "LABEL $MIRROR_LABEL=$MIRROR" \
	"$TARBALL" "$RIG_BASE_IMAGE"
echo "$action $RIG_BASE_IMAGE$replaced"
