#!/usr/bin/env bash
# The official postgres image's interface on Debian's packages: POSTGRES_USER / POSTGRES_PASSWORD /
# POSTGRES_DB (and their _FILE forms) initialise an empty PGDATA once; later starts only run the server.
set -Eeuo pipefail

# env_or_file VAR [DEFAULT]: VAR from itself or from the file named by VAR_FILE (secrets), never both.
env_or_file() {
	local var=$1 file_var=${1}_FILE value=${2:-}
	if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
		echo "error: both $var and $file_var are set; use one of them" >&2
		exit 1
	fi
	if [[ -n ${!var:-} ]]; then
		value=${!var}
	elif [[ -n ${!file_var:-} ]]; then
		value=$(<"${!file_var}")
	fi
	export "$var=$value"
	unset "$file_var"
}

# Arguments that only ask postgres something (help, version, a config value) need no data directory.
only_asks() {
	local arg
	for arg; do
		case $arg in -'?' | --help | --describe-config | -V | --version | -C) return 0 ;; esac
	done
	return 1
}

psql_init() {
	psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" "$@"
}

run_init_scripts() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case $f in
		*.sh)
			echo "$0: running $f"
			# shellcheck disable=SC1090  # the user's init scripts, known only at run time
			if [[ -x $f ]]; then "$f"; else . "$f"; fi
			;;
		*.sql) echo "$0: running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
		*.sql.gz) echo "$0: running $f"; gzip -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
		*) if [[ -e $f ]]; then echo "$0: ignoring $f"; fi ;;
		esac
	done
}

initialise() {
	env_or_file POSTGRES_PASSWORD
	env_or_file POSTGRES_USER postgres
	env_or_file POSTGRES_DB "$POSTGRES_USER"
	local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	if [[ -z $POSTGRES_PASSWORD && $auth != trust ]]; then
		cat >&2 <<-'EOM'
			Error: Database is uninitialized and superuser password is not specified.
			       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value,
			       for example "-e POSTGRES_PASSWORD=secret" on "docker run".
			       (POSTGRES_HOST_AUTH_METHOD=trust allows connections without any password;
			       never do that outside a test.)
		EOM
		exit 1
	fi

	local init_args=()
	read -r -a init_args <<<"${POSTGRES_INITDB_ARGS:-}"
	if [[ -n $POSTGRES_PASSWORD ]]; then
		local pwfile
		pwfile=$(mktemp)
		printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
		init_args+=(--pwfile="$pwfile")
	fi
	initdb --username="$POSTGRES_USER" "${init_args[@]}"
	rm -f "${pwfile:-}"

	# initdb already trusts local (socket) connections; every network client must authenticate.
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	# A private server (socket only) for the set-up, so no client sees a half-initialised database.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
	if [[ $POSTGRES_DB != postgres ]]; then
		psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
	run_init_scripts
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "$0: PostgreSQL init process complete; ready for start up."
}

if [[ ${1:-} == -* ]]; then
	set -- postgres "$@"
fi

if [[ ${1:-} == postgres ]] && ! only_asks "$@"; then
	if [[ $(id -u) == 0 ]]; then
		mkdir -p "$PGDATA" /var/run/postgresql
		chmod 3777 /var/run/postgresql
		# A fresh volume or a bind mount is owned by root: hand it to postgres before dropping root.
		find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
		chmod 0700 "$PGDATA"
		exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
	fi
	mkdir -p "$PGDATA"
	chmod 0700 "$PGDATA" 2>/dev/null || true
	if [[ ! -s $PGDATA/PG_VERSION ]]; then
		initialise
	else
		echo "$0: PGDATA holds a database already; skipping initialisation"
	fi
fi

exec "$@"
