#!/usr/bin/env bash
# Runs the rig's registry on 127.0.0.1:5000 and pushes the test images under the official images'
# repository paths, so the roles pull "pgvector/pgvector", "redis" and "chatwoot/chatwoot" from it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE=sinapum-rig/registry:2
CONTAINER=sinapum-rig-registry
VOLUME=sinapum-rig-registry-data
WAIT_SECONDS=30

image_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null) || die "$IMAGE is missing: run build-images.sh first"

actions=()
running_image=$(docker container inspect -f '{{.Image}}' "$CONTAINER" 2>/dev/null || true)
if [[ -n $running_image && $running_image != "$image_id" ]]; then
	# The registry image was rebuilt: replace the container, the volume keeps the pushed images.
	run_logged registry-remove docker rm -f "$CONTAINER"
	running_image=
	actions+=("replaced $CONTAINER (image rebuilt)")
fi
if [[ -z $running_image ]]; then
	run_logged registry-run docker run -d --name "$CONTAINER" --restart unless-stopped \
		-p "$RIG_REGISTRY:5000" -v "$VOLUME:/var/lib/docker-registry" "$IMAGE"
	((${#actions[@]} > 0)) || actions+=("started $CONTAINER")
elif [[ $(docker container inspect -f '{{.State.Running}}' "$CONTAINER") != true ]]; then
	run_logged registry-start docker start "$CONTAINER"
	actions+=("restarted $CONTAINER")
fi

deadline=$((SECONDS + WAIT_SECONDS))
until curl -fsS -o /dev/null "http://$RIG_REGISTRY/v2/" 2>/dev/null; do
	if ((SECONDS >= deadline)); then
		docker logs --tail 20 "$CONTAINER" 2>&1 | sed 's/^/  | /' >&2
		die "registry $CONTAINER does not answer on http://$RIG_REGISTRY/v2/ within ${WAIT_SECONDS}s"
	fi
	sleep 0.5
done

MANIFEST_TYPES=application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json

remote_digest() { # REPO-PATH TAG: empty when the registry lacks that tag
	local headers
	headers=$(curl -fsSI -H "Accept: $MANIFEST_TYPES" "http://$RIG_REGISTRY/v2/$1/manifests/$2" 2>/dev/null) || return 0
	tr -d '\r' <<<"$headers" | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}'
}

# push LOCAL REPO-PATH TAG: skipped when the registry's tag already has the digest this image was pushed as.
push() {
	local local_image=$1 path=$2 tag=$3 target digest pushed_as
	target=$RIG_REGISTRY/$path:$tag
	digest=$(remote_digest "$path" "$tag")
	pushed_as=$(docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$local_image") ||
		die "$local_image is missing: run build-images.sh first"
	if [[ -n $digest ]] && grep -qxF "$RIG_REGISTRY/$path@$digest" <<<"$pushed_as"; then
		return 0
	fi
	docker tag "$local_image" "$target"
	run_logged "push-${path//\//-}-$tag" docker push "$target"
	actions+=("pushed $target")
}

push sinapum-rig/pgvector:pg17 pgvector/pgvector pg17
push sinapum-rig/redis:8 redis 8
push sinapum-rig/postgres:17 postgres 17
push sinapum-rig/caddy:2.6 caddy 2.6
for build in "${RIG_STANDIN_VERSIONS[@]}"; do
	tag=$(standin_tag "$build")
	if image_exists "sinapum-rig/chatwoot-standin:$tag"; then
		push "sinapum-rig/chatwoot-standin:$tag" chatwoot/chatwoot "$tag"
	fi
done

if ((${#actions[@]} == 0)); then
	echo "registry running, images up to date"
else
	printf -v summary '%s; ' "${actions[@]}"
	echo "${summary%; }"
fi
