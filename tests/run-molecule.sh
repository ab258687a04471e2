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

# Each real failure (not a rescued one) as "molecule <scenario>: FAILED in TASK [...]: <the first line of its msg>".
# The result is YAML (callback_result_format): the msg is a "msg:" line, or the first line of its block after it.
# shellcheck disable=SC2016 # an awk program: its $0 is awk's
what_failed='
/^TASK \[/ { task = $0; sub(/ \*+$/, "", task) }
/^(fatal|failed): / { pending = 1; block = 0; seen = 0; next }
pending {
  seen++
  line = $0
  if (block) { sub(/^ +/, "", line); report(line); next }
  if (line ~ /^    msg: [|>]/) { block = 1; next }
  if (line ~ /^    msg: /) { sub(/^    msg: /, "", line); report(line); next }
  if (line !~ /^ / || seen > 80) report("(its message is in the log)")
}
function report(msg) { printf "molecule %s: FAILED in %s: %s\n", scenario, task, substr(msg, 1, 400); pending = 0 }'

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
    # The summary of tests/run keeps only single lines: each failure's task and message on one.
    awk -v scenario="$scenario" "$what_failed" "$log"
    echo "molecule $scenario: FAILED (exit $status) after $((SECONDS - start)) s; the last 80 lines of $log:"
    tail -n 80 "$log" | sed "s/^/  $scenario | /"
  fi
done
if ((${#failed[@]})); then
  echo "molecule: FAILED ${failed[*]}"
  exit 1
fi
echo "molecule: ${#scenarios[@]} scenarios passed"
