#!/bin/sh
# TEST DOUBLE of chatwoot/chatwoot: docker/entrypoints/rails.sh, same behaviour as
# Chatwoot's: remove a stale server.pid, wait (forever) until Postgres answers
# pg_isready, then exec the command. No migration, no wait for Redis.

rm -f /app/tmp/pids/server.pid

# DATABASE_URL takes precedence over the POSTGRES_* variables.
if [ -n "$DATABASE_URL" ]; then
  eval "$(ruby /app/docker/entrypoints/helpers/pg_database_url.rb)"
fi

echo "Waiting for postgres to become ready...."
# Unquoted on purpose, as upstream: an unset POSTGRES_PORT breaks the command line.
# shellcheck disable=SC2086
until pg_isready -h $POSTGRES_HOST -p $POSTGRES_PORT -U $POSTGRES_USERNAME
do
  sleep 2
done
echo "Database ready to accept connections."

exec "$@"
