#!/usr/bin/env bash
# The floor the collection is measured against: Chatwoot deployed by hand with plain Compose, on a server that
# already has Docker Engine and Compose v2, from the same .env and docker-compose.yml the role renders.
# Runs ON the server, as root:
#
#   raw_deploy.sh SRC_DIR [PROJECT_DIR]
#
# SRC_DIR holds .env and docker-compose.yml (bench/bench.py copies in the files the role rendered on another
# server). Environment: CHATWOOT_NETWORK (mcp_network), CHATWOOT_API_URL (http://127.0.0.1:3001/api),
# PROBE_TIMEOUT (300 seconds). No checks, no secrets handling, no health module: just the steps.
# Each step's duration goes to stderr as "raw-step NAME SECONDS".
set -euo pipefail

src=${1:?usage: raw_deploy.sh SRC_DIR [PROJECT_DIR]}
dir=${2:-/opt/chatwoot}
network=${CHATWOOT_NETWORK:-mcp_network}
api=${CHATWOOT_API_URL:-http://127.0.0.1:3001/api}
probe_timeout=${PROBE_TIMEOUT:-300}

step() {
	local name=$1 started=$EPOCHREALTIME
	shift
	"$@"
	printf 'raw-step %s %s\n' "$name" "$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')" >&2
}

write_files() {
	install -d -m 0750 "$dir"
	install -m 0600 "$src/.env" "$dir/.env"
	install -m 0640 "$src/docker-compose.yml" "$dir/docker-compose.yml"
}

# The compose file declares the network external (other services join it), so it must exist first.
create_network() {
	docker network inspect "$network" >/dev/null 2>&1 || docker network create "$network" >/dev/null
}

# /api answers 200 with data_services and queue_services "ok" once web reaches Postgres and Redis.
# python3 rather than curl: a bare Debian server has python3 (Ansible needs it) but not always curl.
probe_api() {
	python3 - "$api" "$probe_timeout" <<'EOF'
import json, sys, time, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
last = 'no answer'
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            body = json.loads(answer.read().decode())
            if answer.status == 200 and body.get('data_services') == 'ok' and body.get('queue_services') == 'ok':
                sys.exit(0)
            last = body
    except Exception as error:  # any failure means "not yet"
        last = error
    time.sleep(0.2)
sys.exit('%s not ok after %ss: %s' % (url, sys.argv[2], last))
EOF
}

step files write_files
cd "$dir"
step network create_network
step databases docker compose up -d --wait chatwoot_postgres chatwoot_redis
step prepare docker compose run --rm --no-deps -e POSTGRES_STATEMENT_TIMEOUT=600s chatwoot_rails \
	bundle exec rails db:chatwoot_prepare
step app docker compose up -d --wait
step probe probe_api
