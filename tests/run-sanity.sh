#!/usr/bin/env bash
# ansible-test sanity for the whole collection, offline-capable, from any checkout.
# ansible-test insists on running from .../ansible_collections/sinapum/chatwoot inside a git repository, so
# the files git knows of (tracked, plus untracked ones that are not ignored) are copied into a temporary
# tree of that shape, committed there, and tested. Extra arguments go to ansible-test (e.g. --test pylint).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

VENV=${VENV:-.venv}
[[ $VENV = /* ]] || VENV=$REPO/$VENV
ANSIBLE_TEST=$VENV/bin/ansible-test
PYTHON=$VENV/bin/python
[[ -x $ANSIBLE_TEST ]] || { echo "run-sanity.sh: no ansible-test in $VENV (set VENV)" >&2; exit 2; }
# Without it ansible-test only warns and skips the shell scripts' check, and the run still passes.
command -v shellcheck >/dev/null ||
  { echo "run-sanity.sh: shellcheck not found; scripts/controller-setup.sh installs it (as root)" >&2; exit 2; }

# ansible-test bootstraps pip in each sanity virtualenv with a script it downloads from a host this
# machine cannot reach; it uses a cached copy first. ensurepip does the same job offline.
pip_version=$("$PYTHON" - <<'PY'
import os, re
import ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
print(re.search(r"pip='([0-9.]+)'", open(path).read()).group(1))
PY
)
cache=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
if [[ ! -s $cache ]]; then
  mkdir -p "$(dirname "$cache")"
  printf 'import ensurepip\nensurepip.bootstrap(upgrade=True)\n' >"$cache"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sinapum-sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/sinapum/chatwoot
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
  tar -c --null -T - -f - | tar -x -C "$dest" -f -
(
  cd "$dest"
  git init -q
  git add -A
  git -c user.name=sanity -c user.email=sanity@localhost commit -q -m snapshot --no-verify
)

cd "$dest"
# ansible-test's shellcheck looks at *.sh only: the shell scripts without that suffix (tests/run, bench/run, ...)
# are checked here, with ansible-test's own exclusions.
mapfile -t scripts < <(git ls-files | while IFS= read -r f; do
  [[ $f != *.sh && $f != *.j2 ]] && head -n1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh$' && printf '%s\n' "$f"
done)
if ((${#scripts[@]})); then
  excludes=$("$PYTHON" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
  excludes=$(paste -sd, "$excludes/_util/controller/sanity/shellcheck/exclude.txt")
  shellcheck -e "$excludes" "${scripts[@]}"
  echo "shellcheck: ${#scripts[@]} scripts without .sh passed (${scripts[*]})"
fi

export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0
# The virtualenv's own Python (3.11 here, 3.13 on the newest-Ansible controller, tests/controller-newest).
python_version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
"$ANSIBLE_TEST" sanity --python "$python_version" --color no "$@"
