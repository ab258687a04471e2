# shellcheck shell=sh
# Everything the docker_engine role needs to know about a host, in one remote call: key=value lines, values that
# may hold anything in base64. Nothing is changed. Run as: sh -c "$(cat probe.sh)" probe MARKER PACKAGE...
marker=$1
shift
say() { printf '%s=%s\n' "$1" "$2"; }
b64() { base64 | tr -d '\n'; }

# The slow questions (the Docker CLI, twice, and Python) run side by side in the background. Each prints short lines,
# one printf each, which reach the pipe whole; the rest is gathered first and printed once they are done, so no line
# is ever cut by another. Their order does not matter to the reader.
if command -v docker >/dev/null 2>&1; then
	say cli yes
	{
		if version=$(docker version --format '{{.Server.Version}}' 2>/dev/null); then
			say server "$version"
		else
			say server ''
			say server_error "$(docker version 2>&1 >/dev/null | head -c 400 | b64)"
		fi
	} &
	say compose "$(docker compose version --short 2>/dev/null)" &
else
	say cli no
	say server ''
	say compose ''
fi
{
	for python in /usr/bin/python3 python3; do
		if command -v "$python" >/dev/null 2>&1; then
			# Found, not imported: importing requests takes 0.13 s, finding it 0.01 s.
			if "$python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("requests") is None)' 2>/dev/null; then
				say requests yes
			else
				say requests no
			fi
			break
		fi
	done
} &
rest=$(
	for path in /usr/bin/dockerd /usr/sbin/dockerd /usr/local/bin/dockerd; do
		[ -x "$path" ] && say dockerd "$path" && break
	done
	if [ -e "$marker" ]; then say marker yes; else say marker no; fi
	[ -r /etc/docker/daemon.json ] && say daemon_json "$(b64 </etc/docker/daemon.json)"
	if [ -r /etc/os-release ]; then
		# Subshell: os-release's variables stay out of this script.
		say os "$(. /etc/os-release && printf '%s %s' "$ID" "$VERSION_ID")"
	fi
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		say service_manager systemd
		say unit_enabled "$(systemctl is-enabled docker.service 2>/dev/null)"
		say unit_state "$(systemctl show -p LoadState --value docker.service 2>/dev/null)"
	elif command -v service >/dev/null 2>&1 && [ -x /etc/init.d/docker ]; then
		say service_manager service
	fi
	if command -v dpkg-query >/dev/null 2>&1 && [ $# -gt 0 ]; then
		say packages "$(dpkg-query -W -f '${db:Status-Status} ${Package}\n' "$@" 2>/dev/null | sed -n 's/^installed //p' | tr '\n' ' ')"
	fi
)
wait
printf '%s\n' "$rest"
exit 0
