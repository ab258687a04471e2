#!/usr/bin/env bash
# The second controller of `make test`: the newest Ansible (tests/requirements-newest.txt) on Debian 13's Python 3.13,
# in a container of the rig's image sinapum-rig/controller:trixie, runs sanity, unit and the local deploy
# (tests/controller-newest/inside.sh) against this machine's engine and registry. See README.md here.
# Needs tests/rig/up.sh to have run. Its virtualenv, pip cache and ansible-test's virtualenvs are kept in the rig's
# cache directory, so a second run installs nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../rig/lib.sh"

IMAGE=sinapum-rig/controller:trixie
SOCKET=/var/run/docker.sock # the rig's engine (tests/rig/engine.sh)
CONTAINER=sinapum-controller-newest-$$

image_exists "$IMAGE" || die "$IMAGE is missing: run tests/rig/up.sh first"
python=$(docker run --rm --network none "$IMAGE" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cache=$RIG_CACHE/controller-newest
mkdir -p "$cache/ansible-test" "$cache/pip"

# The checkout read-only at its own path (so paths in output match the host's), with the cached virtualenv over
# its .venv; a worktree's git directory lives outside it, and git is needed by ansible-test.
# The engine cannot create a mount point inside a read-only mount: .venv must exist, and where it is a link (a
# worktree's shared virtualenv) the mount goes where it points (and VENV names it: venv refuses a link).
venv=$REPO_DIR/.venv
if [[ -L $venv ]]; then
	venv=$(readlink -f "$venv")
elif [[ ! -e $venv ]]; then
	mkdir "$venv"
fi
# A virtualenv's scripts name the path it was made at, so there is one cached virtualenv per checkout path: a
# checkout elsewhere (CI's clone) gets its own rather than scripts whose interpreter is not there.
venv_cache=$cache/venv-python$python-$(printf '%s' "$venv" | sha256sum | cut -c1-12)
mkdir -p "$venv_cache"
mounts=(-v "$REPO_DIR:$REPO_DIR:ro" -v "$venv_cache:$venv")
# What the steps write (the unit tests' JUnit file) goes to a directory of this stage's own, writable, at its own
# path too: the first controller's files in tests/output stay its own.
output=$REPO_DIR/tests/output/newest
mkdir -p "$output"
mounts+=(-v "$output:$output")
# The directory that holds the e2e project's state directory, this machine's, at its own path: the role keeps there
# the rake task it bind-mounts into the prepare's one-off container (roles/chatwoot/files/admin.rake), and the engine
# that mounts it is this machine's.
state_root=$(dirname "$(sed -n 's/^chatwoot_state_dir: *//p' "$REPO_DIR/tests/e2e/vars.yml")")
[[ $state_root == /?* ]] || die "no chatwoot_state_dir in tests/e2e/vars.yml"
mkdir -p "$state_root"
mounts+=(-v "$state_root:$state_root")
git_common=$(git -C "$REPO_DIR" rev-parse --path-format=absolute --git-common-dir)
[[ $git_common == "$REPO_DIR"/* ]] || mounts+=(-v "$git_common:$git_common:ro")

trap 'docker rm -f "$CONTAINER" >/dev/null 2>&1 || true' EXIT
# Host network: the e2e tests reach the deployed Chatwoot on 127.0.0.1, and pip reaches PyPI as the host does.
docker run --rm --name "$CONTAINER" --network host \
	-v "$SOCKET:/var/run/docker.sock" \
	-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
	-v "$cache/ansible-test:/root/.ansible/test" -v "$cache/pip:/root/.cache/pip" \
	"${mounts[@]}" -w "$REPO_DIR" -e VENV="$venv" \
	-e CI -e HTTP_PROXY -e HTTPS_PROXY -e NO_PROXY -e http_proxy -e https_proxy -e no_proxy \
	-e NEWEST_STEPS -e NEWEST_OUTPUT="$output" "$IMAGE" tests/controller-newest/inside.sh "$@"
