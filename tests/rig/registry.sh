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

# Only the registry holds its images under its own name: a local 127.0.0.1:5000/... tag would make every deploy
# skip its pull, unlike an air-gapped site that pulls from its own registry. A tag a container was created from
# stays (a deployed stack's next run must find its images, as any host keeps what it pulled).
in_use=$(containers_image_refs)
untagged=0

# push LOCAL REF: skipped when the registry serves that very image under REF already.
push() {
	local local_image=$1 ref=$2 id
	id=$(docker image inspect -f '{{.Id}}' "$local_image") || die "$local_image is missing: run build-images.sh first"
	if [[ $(registry_image_id "$ref") != "$id" ]]; then
		docker tag "$local_image" "$ref"
		run_logged "push-${ref//[\/:]/-}" docker push "$ref"
		actions+=("pushed $ref")
	fi
	if image_exists "$ref" && ! grep -qxF "$ref" <<<"$in_use"; then
		# Removes the tag only: the image keeps its sinapum-rig/* name.
		if docker rmi "$ref" >>"$RIG_LOG_DIR/registry-untag.log" 2>&1; then
			untagged=$((untagged + 1))
		else
			actions+=("could not untag $ref (see $RIG_LOG_DIR/registry-untag.log)")
		fi
	fi
}

mkdir -p "$RIG_LOG_DIR"
while read -r -u 3 local_image ref; do
	push "$local_image" "$ref"
done 3< <(rig_registry_images)
((untagged == 0)) || actions+=("untagged $untagged local copies (deploys pull them)")

if ((${#actions[@]} == 0)); then
	echo "registry running, images up to date"
else
	printf -v summary '%s; ' "${actions[@]}"
	echo "${summary%; }"
fi
