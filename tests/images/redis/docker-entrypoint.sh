#!/bin/sh
# The official redis image's interface on Debian's redis-server: no config file unless one is given,
# data in /data, the server run as the redis user.
set -eu

# Options or a config file as first argument mean "redis-server with these".
case "${1:-}" in
-* | *.conf) set -- redis-server "$@" ;;
esac

if [ "${1:-}" = redis-server ] && [ "$(id -u)" = 0 ]; then
	find /data \! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --clear-groups -- "$0" "$@"
fi

if [ "${1:-}" = redis-server ]; then
	# Files written by the server (dump, AOF) are readable by no one else.
	[ "$(umask)" != 0022 ] || umask 0077
	# The official image is built with protected mode off, so other containers reach even a server
	# without a password; Debian's build keeps upstream's default (on). Same default here, unless the
	# caller passed a config file (which then decides) or the option itself.
	case " $* " in
	*" --protected-mode "*) ;;
	*)
		if [ $# -lt 2 ] || [ "${2#-}" != "$2" ]; then
			shift
			set -- redis-server --protected-mode no "$@"
		fi
		;;
	esac
fi

exec "$@"
