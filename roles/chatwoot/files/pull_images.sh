# shellcheck shell=sh
# Pulls the images given, all at once, and prints "image REF=ID" for each; exits non-zero when any pull failed
# (its error is on stderr).
rc=0 pids=
for image in "$@"; do
	docker pull --quiet "$image" >/dev/null &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid" || rc=1
done
for image in "$@"; do
	printf 'image %s=%s\n' "$image" "$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null)"
done
exit $rc
