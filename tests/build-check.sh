#!/usr/bin/env bash
# The collection builds, and its tarball carries no test images, caches or virtualenvs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ansible-galaxy collection build --output-path "$out" . >/dev/null
tarball=$(ls "$out"/sinapum-chatwoot-*.tar.gz)
bad=$(tar -tzf "$tarball" | grep -E '(^|/)(\.venv|\.cache|\.ansible|\.git|__pycache__|tests/(rig|images|standin|output))(/|$)' || true)
if [ -n "$bad" ]; then
  echo "build-check: the tarball carries files it must not:" >&2
  echo "$bad" | head -20 >&2
  exit 1
fi
for needed in galaxy.yml MANIFEST.json README.md LICENSE plugins/modules/chatwoot_health.py roles/chatwoot/tasks/main.yml playbooks/site.yml; do
  tar -tzf "$tarball" | grep -qx "$needed" || { echo "build-check: $needed missing from $(basename "$tarball")" >&2; exit 1; }
done
echo "build-check: $(basename "$tarball") $(du -h "$tarball" | cut -f1), $(tar -tzf "$tarball" | wc -l) entries"
