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

# apt_sources_mirror SUITE FILE...: the first URI (no trailing slash) of an enabled `deb` source for SUITE with
# component main, in apt's one-line (.list) or deb822 (.sources) files, in the order given; fails when none.
# Only the URI schemes debootstrap and a plain apt also understand (http, https, ftp, file) are taken.
apt_sources_mirror() {
	local suite=$1 file
	shift
	for file in "$@"; do
		[[ -r $file ]] || continue
		if [[ $file == *.sources ]]; then
			awk -v want="$suite" "$APT_DEB822_AWK" "$file"
		else
			awk -v want="$suite" "$APT_ONE_LINE_AWK" "$file"
		fi
	done | awk 'NR == 1 {sub(/\/+$/, ""); print; found = 1} END {exit !found}'
}

APT_PICK_AWK='
function pick(uris, suites, comps,    n, i, u, s, c, uri) {
	n = split(suites, s, /[ \t]+/)
	for (i = 1; i <= n; i++) if (s[i] == want) break
	if (i > n) return
	n = split(comps, c, /[ \t]+/)
	for (i = 1; i <= n; i++) if (c[i] == "main") break
	if (i > n) return
	n = split(uris, u, /[ \t]+/)
	for (i = 1; i <= n; i++) if (u[i] ~ /^(https?|ftp|file):\/\//) { print u[i]; exit }
}'
# One-line: deb [options] URI SUITE COMPONENT..., "#" to the end of a line is a comment.
# shellcheck disable=SC2016  # awk's own $fields
APT_ONE_LINE_AWK=$APT_PICK_AWK'
{
	sub(/#.*/, "")
	if ($1 != "deb") next
	i = 2
	if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
	uri = $i; suite = $(i + 1); comps = ""
	for (j = i + 2; j <= NF; j++) comps = comps " " $j
	pick(uri, suite, comps)
}'
# deb822: paragraphs of "Field: value", a line starting with a blank continues the field before it.
# shellcheck disable=SC2016  # awk's own $fields
APT_DEB822_AWK=$APT_PICK_AWK'
BEGIN { RS = ""; FS = "\n" }
{
	delete f; key = ""
	for (l = 1; l <= NF; l++) {
		line = $l
		if (line ~ /^#/) continue
		if (line ~ /^[ \t]/) { if (key != "") f[key] = f[key] " " line; continue }
		colon = index(line, ":")
		if (!colon) continue
		key = tolower(substr(line, 1, colon - 1))
		f[key] = substr(line, colon + 1)
	}
	if (tolower(f["enabled"]) ~ /^[ \t]*no[ \t]*$/) next
	if (f["types"] !~ /(^|[ \t])deb([ \t]|$)/) next
	pick(f["uris"], f["suites"], f["components"])
}'

# debian_mirror: the Debian archive for the rig's images and packages. SINAPUM_RIG_DEBIAN_MIRROR when set, else the
# mirror the host's own apt uses for its release, so a site behind its own mirror builds the rig from it.
debian_mirror() {
	if [[ -n ${SINAPUM_RIG_DEBIAN_MIRROR:-} ]]; then
		echo "${SINAPUM_RIG_DEBIAN_MIRROR%/}"
		return
	fi
	local codename list parts file files=()
	codename=$(. /etc/os-release 2>/dev/null && [[ ${ID:-} == debian ]] && echo "${VERSION_CODENAME:-}") || true
	[[ -n $codename ]] || die "not a Debian release with a codename in /etc/os-release: set SINAPUM_RIG_DEBIAN_MIRROR"
	list=/etc/apt/sources.list parts=/etc/apt/sources.list.d
	eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d 2>/dev/null)"
	files=("$list")
	# As apt reads them: the main list, then the parts in order; other names (foo.list.disabled) are skipped.
	while IFS= read -r -d '' file; do
		files+=("$file")
	done < <(find "${parts%/}" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[A-Za-z0-9_.-]+\.(list|sources)' \
		-print0 2>/dev/null | LC_ALL=C sort -z)
	apt_sources_mirror "$codename" "${files[@]}" ||
		die "no enabled 'deb' source for $codename with component main in $list or $parts/: set SINAPUM_RIG_DEBIAN_MIRROR"
}

# rig_registry_images: "LOCAL-IMAGE REGISTRY-REF" for every image the rig serves from its registry, under the
# official images' repository paths (the roles pull "pgvector/pgvector", "redis", "chatwoot/chatwoot", ...).
rig_registry_images() {
	printf '%s %s\n' \
		sinapum-rig/pgvector:pg17 "$RIG_REGISTRY/pgvector/pgvector:pg17" \
		sinapum-rig/redis:8 "$RIG_REGISTRY/redis:8" \
		sinapum-rig/postgres:17 "$RIG_REGISTRY/postgres:17" \
		sinapum-rig/caddy:2.6 "$RIG_REGISTRY/caddy:2.6"
	local build tag
	for build in "${RIG_STANDIN_VERSIONS[@]}"; do
		tag=$(standin_tag "$build")
		image_exists "sinapum-rig/chatwoot-standin:$tag" &&
			echo "sinapum-rig/chatwoot-standin:$tag $RIG_REGISTRY/chatwoot/chatwoot:$tag"
	done
	return 0
}

RIG_MANIFEST_TYPES=application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json

# registry_image_id REGISTRY-REF: the ID of the image the rig's registry serves under that tag (its manifest's
# config digest, which is the image ID an engine gives it); empty when the registry lacks the tag.
registry_image_id() {
	local ref=${1#"$RIG_REGISTRY"/}
	curl -fsS -H "Accept: $RIG_MANIFEST_TYPES" "http://$RIG_REGISTRY/v2/${ref%:*}/manifests/${ref##*:}" 2>/dev/null |
		tr -d ' \t\r\n' | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]\{64\}' || true
}

# containers_image_refs: the image reference every container on this engine was created from, one a line.
containers_image_refs() {
	docker ps -aq | xargs -r docker container inspect -f '{{.Config.Image}}'
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
