#!/usr/bin/env bash
# Every Molecule scenario (molecule/*/), or those named, one after the other, each to the end even when another failed.
# Each scenario's whole output goes to tests/output/molecule-<scenario>.log; the terminal gets its steps and plays as
# they start, any failure that no rescue takes over, and the end of the log of a scenario that failed. A failure a
# verify step provokes on purpose reads "rescued" in the log, not "fatal" (molecule/callback_plugins).
# The scenarios stay at the top of the repository (molecule/), where the project keeps them: MOLECULE_GLOB says so,
# which is also what spares the notice Molecule prints for a collection that does not keep them in extensions/molecule.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
export MOLECULE_GLOB='molecule/*/molecule.yml' ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 PYTHONUNBUFFERED=1
mkdir -p tests/output

scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
  for file in molecule/*/molecule.yml; do scenarios+=("$(basename "$(dirname "$file")")"); done
fi

# Lines worth seeing as they come: Molecule's steps, the plays, what failed for real, warnings.
progress='^INFO +\[[^]]+ > [a-z_]+\] (Executing|Executed: (Failed|Successful))|^PLAY \[|^fatal: |^failed: |^\[WARNING\]|^\[ERROR\]|^ERROR|^CRITICAL'

failed=()
for scenario in "${scenarios[@]}"; do
  log=tests/output/molecule-$scenario.log
  start=$SECONDS
  echo "molecule $scenario: molecule test -s $scenario (whole output: $log)"
  # The filters ignore Ctrl-C, so Molecule's own handling of it (and what it prints then) is not cut short.
  molecule test -s "$scenario" 2>&1 |
    (trap '' INT; tee "$log" | grep --line-buffered -E "$progress" | sed -u "s/^/  $scenario | /")
  status=${PIPESTATUS[0]}
  if ((status == 0)); then
    echo "molecule $scenario: passed in $((SECONDS - start)) s ($(wc -l <"$log") lines of output)"
  else
    failed+=("$scenario")
    echo "molecule $scenario: FAILED (exit $status) after $((SECONDS - start)) s; the last 80 lines of $log:"
    tail -n 80 "$log" | sed "s/^/  $scenario | /"
  fi
done
if ((${#failed[@]})); then
  echo "molecule: FAILED ${failed[*]}"
  exit 1
fi
echo "molecule: ${#scenarios[@]} scenarios passed"
