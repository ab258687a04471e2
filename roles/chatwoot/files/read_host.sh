# shellcheck shell=sh
# What a deploy needs to know about the host, in one remote call (every remote task costs a round trip): the
# record, the kept secrets, the checksums and modes of the files the role writes, the engine and Compose versions,
# the Postgres volume, the network, the containers and the local image IDs, and whether the password in .env opens
# the running database and finds it prepared. key=value lines, file contents in base64. Nothing is changed.
# Arguments: RECORD SECRETS STATE_DIR PROJECT_DIR ENV_FILE COMPOSE_FILE VOLUME NETWORK CONTAINER... -- IMAGE...
# Environment: PG_CONTAINER, PG_HOST (its service name), PG_USER, PG_DATABASE; CA_FILES, "KEY=PATH ..." of the private
# CAs' files and directories.
say() { printf '%s=%s\n' "$1" "$2"; }
file() { # KEY PATH [content]: mode and owner, checksum, and the content when asked
	[ -e "$2" ] || return 0
	say "stat_$1" "$(stat -c '%a %U %G' "$2" 2>/dev/null)"
	[ -f "$2" ] || return 0
	say "sha1_$1" "$(sha1sum <"$2" | cut -d' ' -f1)"
	[ -z "${3:-}" ] || say "content_$1" "$(base64 <"$2" | tr -d '\n')"
}
file record "$1" content
file secrets "$2" content
file state_dir "$3"
file project_dir "$4"
file env "$5"
file compose "$6"
for ca in ${CA_FILES:-}; do
	file "${ca%%=*}" "${ca#*=}"
done
env_file=$5 volume=$7 network=$8
shift 8
containers=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	containers="$containers $1"
	shift
done
[ $# -eq 0 ] || shift
if command -v docker >/dev/null 2>&1 && engine=$(docker version --format '{{.Server.Version}}' 2>/dev/null); then
	say engine "$engine"
	say compose "$(docker compose version --short 2>/dev/null)"
	say volume "$(docker volume inspect --format '{{.CreatedAt}}' "$volume" 2>/dev/null)"
	if docker network inspect --format '{{.Name}}' "$network" >/dev/null 2>&1; then say network yes; else say network no; fi
	# shellcheck disable=SC2086 # the container names are words
	[ -z "$containers" ] || docker inspect --type container \
		--format 'container {{slice .Name 1}}={{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.Image}}' \
		$containers 2>/dev/null
	# The proof databases.yml would make, over TCP with the password in .env (from the environment, never argv).
	if [ -n "${PG_CONTAINER:-}" ] && [ -r "$env_file" ] &&
		[ "$(docker inspect --format '{{.State.Running}}' "$PG_CONTAINER" 2>/dev/null)" = true ]; then
		# env.j2 writes it in single quotes, or in double quotes with \\, \" and \$ escaped when it holds a ' or ends with \.
		PGPASSWORD=$(sed -n "s/^POSTGRES_PASSWORD='\(.*\)'\$/\1/p" "$env_file")
		[ -n "$PGPASSWORD" ] ||
			PGPASSWORD=$(sed -n 's/^POSTGRES_PASSWORD="\(.*\)"$/\1/p' "$env_file" | sed 's/\\\(.\)/\1/g')
		export PGPASSWORD
		if answer=$(docker exec -e PGPASSWORD "$PG_CONTAINER" psql -h "$PG_HOST" -U "$PG_USER" -d "$PG_DATABASE" -tAc \
			"SELECT to_regclass('public.ar_internal_metadata') IS NOT NULL" 2>/dev/null); then
			say pg_answer "$answer"
		fi
		unset PGPASSWORD
	fi
	images=$(docker image ls --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2>/dev/null)
	for image in "$@"; do
		say "image $image" "$(printf '%s\n' "$images" | awk -v ref="$image" '$1 == ref { print $2; exit }')"
	done
else
	say engine ''
fi
exit 0
