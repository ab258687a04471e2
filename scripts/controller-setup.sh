#!/usr/bin/env bash
# Prepares the controller side of a checkout: a virtualenv with the pinned tools (tests/requirements.txt) and the
# collection made resolvable as sinapum.chatwoot from the checkout itself.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
stamp="$venv/.requirements.sha256"
want=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
  echo "$want" > "$stamp"
fi
# ansible.cfg looks in .ansible/collections; a link there turns the checkout into sinapum.chatwoot.
link=.ansible/collections/ansible_collections/sinapum/chatwoot
mkdir -p "$(dirname "$link")"
[ -L "$link" ] || ln -sfn ../../../.. "$link"
