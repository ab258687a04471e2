#!/usr/bin/env bash
# Builds the rig's images from the base image (in parallel); an image is rebuilt only when its build
# context, build arguments or the base image changed (a hash of them is kept as a label on the image).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HASH_LABEL=$RIG_HASH_LABEL
IMAGES_DIR=$REPO_DIR/tests/images
STANDIN_DIR=$REPO_DIR/tests/standin

base_id=$(docker image inspect -f '{{.Id}}' "$RIG_BASE_IMAGE" 2>/dev/null) ||
	die "$RIG_BASE_IMAGE is missing: run base-image.sh first"

# build TAG DIR [BUILD-ARG...]: prints "built TAG" or "kept TAG".
build() {
	local tag=$1 dir=$2 hash current
	shift 2
	local args=(--build-arg "BASE=$RIG_BASE_IMAGE")
	local arg
	for arg in "$@"; do args+=(--build-arg "$arg"); done
	hash=$(context_hash "$dir" "$base_id" "$tag" "$@")
	current=$(docker image inspect -f "{{index .Config.Labels \"$HASH_LABEL\"}}" "$tag" 2>/dev/null || true)
	if [[ $current == "$hash" ]]; then
		echo "kept $tag"
		return 0
	fi
	# The legacy builder: Debian 12's engine has no buildx to pair with, and these builds need nothing more.
	run_logged "build-${tag//[\/:]/-}" env DOCKER_BUILDKIT=0 docker build --force-rm \
		--label "$HASH_LABEL=$hash" "${args[@]}" -t "$tag" "$dir"
	echo "built $tag"
}

jobs_dir=$(mktemp -d)
trap 'rm -rf "$jobs_dir"' EXIT
pids=()
jobs=0
start() {
	jobs=$((jobs + 1))
	build "$@" >"$jobs_dir/$jobs.out" &
	pids+=($!)
}

start sinapum-rig/pgvector:pg17 "$IMAGES_DIR/pgvector"
start sinapum-rig/redis:8 "$IMAGES_DIR/redis"
start sinapum-rig/registry:2 "$IMAGES_DIR/registry"
start sinapum-rig/server:trixie "$IMAGES_DIR/server"
start sinapum-rig/caddy:2.6 "$IMAGES_DIR/caddy"
start sinapum-rig/controller:trixie "$IMAGES_DIR/controller"
standin() { # VERSION[:FAULT]
	local args
	mapfile -t args < <(standin_build_args "$1")
	start "sinapum-rig/chatwoot-standin:$(standin_tag "$1")" "$STANDIN_DIR" "${args[@]}"
}
[[ -f $STANDIN_DIR/Dockerfile ]] && standin "${RIG_STANDIN_VERSIONS[0]}"

failed=0
for pid in "${pids[@]}"; do
	wait "$pid" || failed=1
done
((failed == 0)) || die "some images failed to build (see above)"

# Second round, on top of the first: the other stand-in builds differ from the first only after its package layer
# (built after it, they reuse it), and the Postgres without pgvector is made from the pgvector image.
pids=()
if [[ -f $STANDIN_DIR/Dockerfile ]]; then
	for build in "${RIG_STANDIN_VERSIONS[@]:1}"; do standin "$build"; done
fi
# By ID, so that a rebuilt pgvector image changes this one's hash too.
start sinapum-rig/postgres:17 "$IMAGES_DIR/postgres-without-pgvector" \
	"BASE=$(docker image inspect -f '{{.Id}}' sinapum-rig/pgvector:pg17)"
for pid in "${pids[@]}"; do
	wait "$pid" || failed=1
done
((failed == 0)) || die "some images of the second round failed to build (see above)"

# Rebuilt images leave their predecessors dangling; only ours (by label) are removed.
docker image prune -f --filter "label=$HASH_LABEL" >/dev/null

built=$(cat "$jobs_dir"/*.out | awk '$1 == "built" {print $2}' | paste -sd' ')
kept=$(cat "$jobs_dir"/*.out | awk '$1 == "kept" {print $2}' | paste -sd' ')
skipped=
[[ -f $STANDIN_DIR/Dockerfile ]] || skipped=" (no tests/standin/Dockerfile: stand-in skipped)"
echo "built: ${built:-none}; kept: ${kept:-none}$skipped"
