#!/bin/sh
# Test helper of molecule/topology, not part of the collection. Appends to $DIR/oneoff.log one line
# "<id> <service> <name> <command>" for every Compose one-off container (`docker compose run`, as db:chatwoot_prepare)
# this host's engine creates; the command is its Config.Cmd as JSON, read at once (Compose removes a one-off when it
# ends), "?" when the container was gone before it could be read. prepare.yml starts it before the engine is
# installed, so it first waits for one; systemd starts it again whenever the engine or the watch stops. --since (its
# first start) makes each start replay the events the engine still holds; a container already written down is not
# written again.
set -eu
DIR=/var/lib/molecule-topology
mkdir -p "$DIR"
# There from the start: a host whose engine never creates a one-off has an empty list, not none.
: >>"$DIR/oneoff.log"
[ -s "$DIR/since" ] || date +%s >"$DIR/since"
until docker info >/dev/null 2>&1; do
	sleep 1
done
docker events --since "$(cat "$DIR/since")" \
	--filter type=container --filter event=create --filter label=com.docker.compose.oneoff=True \
	--format '{{.ID}} {{index .Actor.Attributes "com.docker.compose.service"}} {{.Actor.Attributes.name}}' |
	while read -r id service name; do
		# A replayed event of a container already written down: its line stands (the container may be gone now).
		grep -q "^$id " "$DIR/oneoff.log" 2>/dev/null && continue
		cmd=$(docker inspect --format '{{json .Config.Cmd}}' "$id" 2>/dev/null) || cmd='?'
		printf '%s %s %s %s\n' "$id" "$service" "$name" "$cmd" >>"$DIR/oneoff.log"
	done
