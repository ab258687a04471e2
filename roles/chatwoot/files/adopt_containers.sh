# shellcheck shell=sh
# The old stack's containers during a takeover (tasks/adopt_*.yml). Volumes are never touched here.
#   move SUFFIX NAME...            stop each (the worker gets Sidekiq's 25 s to finish its jobs) and rename it NAME+SUFFIX
#   back SUFFIX PROJECT NAME...    remove NAME when the project PROJECT made it, then rename NAME+SUFFIX back to NAME
#   start NAME...                  start each, in the order given
#   remove NAME...                 remove each (docker rm: named volumes stay)
#   layer VOLUME IMAGE NAME...     copy the files each stopped container added under /app/storage in its own layer (a
#                                  worker run without the uploads volume) into VOLUME, never over a file there; prints them
# Prints one line per container acted on.
set -eu
what=$1
shift
case $what in
move)
	suffix=$1
	shift
	for name; do
		docker stop --time 30 "$name" >/dev/null
		docker rename "$name" "$name$suffix"
		echo "$name$suffix"
	done
	;;
back)
	suffix=$1 project=$2
	shift 2
	for name; do
		if [ "$(docker inspect --format '{{index .Config.Labels "com.docker.compose.project"}}' "$name" 2>/dev/null)" = "$project" ]; then
			docker rm --force "$name" >/dev/null
			echo "removed $name"
		fi
		if docker inspect --format '{{.Id}}' "$name$suffix" >/dev/null 2>&1; then
			docker rename "$name$suffix" "$name"
			echo "renamed $name"
		fi
	done
	;;
start)
	for name; do
		docker start "$name" >/dev/null
		echo "$name"
	done
	;;
remove)
	for name; do
		docker rm "$name" >/dev/null
		echo "$name"
	done
	;;
layer)
	volume=$1 image=$2
	shift 2
	for name; do
		added=$(docker diff "$name" | awk '($1 == "A" || $1 == "C") && index($2, "/app/storage/") == 1 { print substr($2, 14) }')
		[ -n "$added" ] || continue
		# shellcheck disable=SC2016 # expanded by the shell in the container
		docker cp "$name:/app/storage" - | docker run --rm -i --network none --log-driver none --volume "$volume:/data" \
			--env "ADDED=$added" --entrypoint sh "$image" -c '
				set -eu
				mkdir -p /tmp/layer
				tar -x -C /tmp/layer
				cd /tmp/layer/storage
				printf "%s\n" "$ADDED" | while IFS= read -r path; do
					[ -f "$path" ] && [ ! -e "/data/$path" ] || continue
					mkdir -p "$(dirname "/data/$path")"
					cp -p "$path" "/data/$path"
					echo "$path"
				done' | sed "s|^|$name /app/storage/|"
	done
	;;
*)
	echo "adopt_containers.sh: unknown action $what" >&2
	exit 2
	;;
esac
