#!/usr/bin/env bash
# Brings the whole test rig up (host packages, Compose, engine, images, registry); every step is
# idempotent, so a second run only checks. Prints one line per step with its duration.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STEPS=(host-packages compose-plugin engine base-image build-images registry)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

# The test and deploy commands may both call this at once: one run at a time, the other then only checks.
mkdir -p "$RIG_STATE"
exec 9>"$RIG_STATE/up.lock"
flock -w 1800 9 || die "another up.sh still holds $RIG_STATE/up.lock after 30 minutes"

total_start=$(now)
for step in "${STEPS[@]}"; do
	start=$(now)
	status=0
	# 9>&-: a daemon started by a step (dockerd) must not inherit, and so keep holding, the lock.
	summary=$("$RIG_DIR/$step.sh" 9>&-) || status=$?
	if ((status != 0)); then
		printf 'rig: %-15s FAILED after %ss (exit %d)\n' "$step" "$(elapsed "$start" "$(now)")" "$status" >&2
		exit "$status"
	fi
	printf 'rig: %-15s %6ss  %s\n' "$step" "$(elapsed "$start" "$(now)")" "${summary##*$'\n'}"
done
printf 'rig: %-15s %6ss\n' total "$(elapsed "$total_start" "$(now)")"
