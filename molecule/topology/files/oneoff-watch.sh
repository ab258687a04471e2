#!/bin/sh
# Test helper of molecule/topology, not part of the collection. Appends to $DIR/oneoff.log one line
# "<id> <service> <name>" for every Compose one-off container (`docker compose run`, as db:chatwoot_prepare) this
# host's engine creates. prepare.yml starts it before the engine is installed, so it first waits for one; systemd
# starts it again whenever the engine restarts. --since (its first start) makes each start replay the events the
# engine still holds, so a line may be written twice: count distinct lines.
set -eu
DIR=/var/lib/molecule-topology
mkdir -p "$DIR"
[ -s "$DIR/since" ] || date +%s >"$DIR/since"
until docker info >/dev/null 2>&1; do
	sleep 1
done
exec docker events --since "$(cat "$DIR/since")" \
	--filter type=container --filter event=create --filter label=com.docker.compose.oneoff=True \
	--format '{{.ID}} {{index .Actor.Attributes "com.docker.compose.service"}} {{.Actor.Attributes.name}}' \
	>>"$DIR/oneoff.log"
