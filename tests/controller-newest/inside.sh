#!/usr/bin/env bash
# Runs in the newest-Ansible controller (started by run.sh): sets up the virtualenv, then sanity, unit and the local
# deploy's e2e tests, each to the end; exits non-zero when any failed. Arguments replace the e2e selection (-k ...);
# NEWEST_STEPS="unit deploy" runs only those steps.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

REQUIREMENTS=tests/requirements-newest.txt scripts/controller-setup.sh || exit 2
export PATH=${VENV:-$PWD/.venv}/bin:$PATH PYTHONDONTWRITEBYTECODE=1
# The first controller's records are the report's; this run's results are its exit status.
SINAPUM_RELIABILITY_DIR=$(mktemp -d)
# The checkout is read-only here: the unit tests' JUnit file goes to this stage's own directory (run.sh).
SINAPUM_UNIT_JUNIT=${NEWEST_OUTPUT:-$(mktemp -d)}/unit-junit.xml
export SINAPUM_RELIABILITY_DIR SINAPUM_UNIT_JUNIT
python - <<'PY'
import importlib.metadata, json, pathlib, platform
import ansible_collections.community.docker as docker
manifest = json.loads((pathlib.Path(docker.__path__[0]) / "MANIFEST.json").read_text())
print(f"controller: Python {platform.python_version()}, ansible {importlib.metadata.version('ansible')}, "
      f"ansible-core {importlib.metadata.version('ansible-core')}, community.docker {manifest['collection_info']['version']}")
PY

# The deploy's first run, its pull, its idempotence, check mode with diff, no secret at -vvv, and the health module
# and Day-2 playbook healing a stopped worker: what a newer ansible-core or community.docker could break.
E2E=(-k "first_run or second_run or check_mode or no_secret or stopped_worker")
(($#)) && E2E=("$@")

# What the deploy step made goes with it (the deploy stage of the first controller starts from nothing anyway).
e2e_deploy() {
  trap '(cd tests/e2e && python -c "import conftest; conftest.remove_project()")' EXIT
  pytest -q -p no:cacheprovider tests/e2e/test_local_deploy.py "$@"
}

ran=() failed=()
step() {
  local name=$1 start=$SECONDS
  shift
  echo "--- $name: $*"
  ran+=("$name")
  "$@" || failed+=("$name")
  echo "--- $name: $((SECONDS - start))s"
}
steps=" ${NEWEST_STEPS:-sanity unit deploy} "
[[ $steps != *" sanity "* ]] || step sanity tests/run-sanity.sh
[[ $steps != *" unit "* ]] || step unit tests/run-unit.sh
[[ $steps != *" deploy "* ]] || step deploy e2e_deploy "${E2E[@]}"

((${#failed[@]} == 0)) || { echo "controller-newest: FAILED: ${failed[*]}"; exit 1; }
((${#ran[@]})) || { echo "controller-newest: no step in NEWEST_STEPS='${NEWEST_STEPS:-}'" >&2; exit 2; }
echo "controller-newest: passed: ${ran[*]}"
