#!/bin/sh
# TEST DOUBLE of chatwoot/chatwoot: docker/entrypoints/rails.sh @ v4.15.1 (the same in v4.4.0 and v4.10.0),
# its behaviour step by step. Every command is traced on stderr (sh -x). It removes a stale server.pid and
# tmp/cache; ALWAYS runs helpers/pg_database_url.rb (relative to /app, the working directory) and runs what it
# prints, unquoted: DATABASE_URL's parts, or POSTGRES_PORT=5432 when unset; waits forever, every 2 s, for
# `pg_isready -h $POSTGRES_HOST -p $POSTGRES_PORT -U $POSTGRES_USERNAME` (word-split; libpq's PGSSL* variables
# apply); runs `bundle install` (its failure is ignored) and then waits forever, every 2 s, for `bundle check`
# (a gem the image lacks, e.g. on a host with no way to rubygems.org, stalls here); then execs the command.
# No migration, no wait for Redis.
set -x

rm -rf /app/tmp/pids/server.pid
rm -rf /app/tmp/cache/*

echo "Waiting for postgres to become ready...."
# The helper's output is a command line (an export), run as it comes.
# shellcheck disable=SC2046,SC2091
$(docker/entrypoints/helpers/pg_database_url.rb)
wait_for_postgres="pg_isready -h $POSTGRES_HOST -p $POSTGRES_PORT -U $POSTGRES_USERNAME"
# shellcheck disable=SC2086
until $wait_for_postgres; do
	sleep 2
done
echo "Database ready to accept connections."

bundle install
until bundle check; do
	sleep 2
done

exec "$@"
