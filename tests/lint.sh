#!/usr/bin/env bash
# ansible-lint with the production profile (.ansible-lint) over roles, playbooks, inventories and Molecule.
set -euo pipefail
cd "$(dirname "$0")/.."
ansible-lint --offline
