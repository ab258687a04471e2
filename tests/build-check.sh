#!/usr/bin/env bash
# The collection builds, and its tarball carries no test images, caches or virtualenvs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ansible-galaxy collection build --output-path "$out" . >/dev/null
tarball=$(ls "$out"/sinapum-chatwoot-*.tar.gz)
entries=$(tar -tzf "$tarball")
bad=$(echo "$entries" | grep -E '(^|/)(\.venv|\.cache|\.ansible|\.git|__pycache__|tests/(rig|images|standin|output))(/|$)' || true)
if [ -n "$bad" ]; then
  echo "build-check: the tarball carries files it must not:" >&2
  echo "$bad" | head -20 >&2
  exit 1
fi
for needed in MANIFEST.json README.md LICENSE plugins/modules/chatwoot_health.py roles/chatwoot/tasks/main.yml playbooks/site.yml; do
  grep -qx "$needed" <<<"$entries" || { echo "build-check: $needed missing from $(basename "$tarball")" >&2; exit 1; }
done
echo "build-check: $(basename "$tarball") $(du -h "$tarball" | cut -f1), $(wc -l <<<"$entries") entries"
