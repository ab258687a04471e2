# shellcheck shell=sh
# The proof that a move kept every row and file: a line per table of Chatwoot's database (its rows counted, and summed
# by checksum so that their order does not matter), and lines for the uploads volume (every file's content; every
# path's mode and owner). Only reads: psql over the container's local socket, the volume mounted read-only.
# Arguments: PG_CONTAINER PG_USER PG_DATABASE STORAGE_VOLUME IMAGE
set -eu
pg=$1 user=$2 database=$3 volume=$4 image=$5
# query_to_xml runs each table's own query from one statement, so one psql call reads them all.
sql="SELECT 'table ' || c.oid::regclass || ' ' || (xpath('/row/f/text()', query_to_xml(format(
  'SELECT count(*) || '':'' || coalesce(sum((''x'' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)
   || '':'' || coalesce(sum((''x'' || substr(md5(t::text), 16, 15))::bit(60)::bigint), 0) AS f FROM %s AS t',
  c.oid::regclass), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
ORDER BY 1"
docker exec "$pg" psql --username="$user" --dbname="$database" --no-psqlrc -v ON_ERROR_STOP=1 -tA -c "$sql"
# shellcheck disable=SC2016 # expanded by the shell in the container
docker run --rm --network none --log-driver none --volume "$volume:/s:ro" --entrypoint sh "$image" -c '
	cd /s
	echo "files $(find . -type f | wc -l) $(find . -type f -exec sha256sum {} + | LC_ALL=C sort -k 2 | sha256sum | cut -c 1-64)"
	echo "tree $(find . -exec stat -c "%a %u %g %n" {} + | LC_ALL=C sort -k 4 | sha256sum | cut -c 1-64)"'
