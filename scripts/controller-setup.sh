#!/usr/bin/env bash
# Prepares the controller side of a checkout: a virtualenv with the pinned tools (tests/requirements.txt), shellcheck
# for the sanity tests, and the collection made resolvable as sinapum.chatwoot from the checkout itself.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
# The second controller (tests/controller-newest) installs tests/requirements-newest.txt instead.
requirements=${REQUIREMENTS:-tests/requirements.txt}
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
# A virtualenv's scripts name the path it was made at: one made elsewhere (a moved checkout, a cache mounted at
# another path) has tools that cannot start, so it is made again.
interpreter=
[ ! -f "$venv/bin/pip" ] || interpreter=$(head -n1 "$venv/bin/pip" | sed -n 's/^#!\([^ ]*\).*/\1/p')
if [ -n "$interpreter" ] && [ ! -x "$interpreter" ]; then
  echo "controller-setup.sh: $venv was made at another path; making it again" >&2
  python3 -m venv --clear "$venv"
  rm -f "$stamp"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi
# ansible-test sanity checks the shell scripts with shellcheck, a Debian package rather than a Python one.
if ! command -v shellcheck >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log=$(mktemp)
    apt_install() {
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends shellcheck
    }
    # Lists too old for the current package versions: one update, then again.
    if ! apt_install >"$log" 2>&1 && ! { apt-get -o DPkg::Lock::Timeout=600 update && apt_install; } >>"$log" 2>&1; then
      tail -n 20 "$log" >&2
      echo "controller-setup.sh: could not install shellcheck (apt-get install shellcheck)" >&2
      exit 1
    fi
    rm -f "$log"
  else
    echo "controller-setup.sh: shellcheck is missing; tests/run-sanity.sh needs it (apt-get install shellcheck)" >&2
  fi
fi
# ansible.cfg looks in .ansible/collections; a link there turns the checkout into sinapum.chatwoot.
link=.ansible/collections/ansible_collections/sinapum/chatwoot
mkdir -p "$(dirname "$link")"
[ -L "$link" ] || ln -sfn ../../../.. "$link"
