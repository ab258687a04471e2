# SPDX-License-Identifier: GPL-3.0-or-later
"""A fingerprint of a Chatwoot database: every table of the public schema (Chatwoot's own, Rails' schema_migrations
and ar_internal_metadata, and whatever a test added), its columns, indexes and extensions.

"Every row" means every table: a checksum of the test's own table alone would not see Chatwoot's rows or a migration
that committed. One implementation for the e2e tests (imported) and the Molecule scenarios (run on the server, where
it prints JSON):

    python3 pg_fingerprint.py CONTAINER USER DATABASE [COLUMNS_JSON]

With COLUMNS_JSON ({table: [column, ...]}, or the "columns" of an earlier fingerprint) the rows are checksummed on
those columns only: an upgrade that adds a column keeps every row that was there on the columns that were there.
"""
import json
import subprocess
import sys

SCHEMA = "public"
# Separators psql prints between fields and rows (-F, -R): neither occurs in names, types or checksums.
FIELD, RECORD = "\x1f", "\x1e"


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def docker_psql(container, user, database):
    """A run_sql for the Postgres container: psql over its local socket, unaligned, tuples only."""
    def run_sql(sql):
        proc = subprocess.run(["docker", "exec", "-i", container, "psql", "-U", user, "-d", database, "-X", "-q",
                               "-v", "ON_ERROR_STOP=1", "-tA", "-F", FIELD, "-R", RECORD, "-f", "-"],
                              input=sql, capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc.stdout
    return run_sql


def records(text):
    return [record.split(FIELD) for record in text.rstrip("\n").split(RECORD) if record.strip("\n")]


def fingerprint(run_sql, columns=None):
    """{"columns", "indexes", "extensions", "migrations", "rows"}: columns maps each table to {column: "type nullable
    default"}; rows maps each table to "count:md5" of its rows (their sorted texts on `columns`, default: every column
    now), or "missing" for a table or column no longer there."""
    now = {}
    for table, column, described in records(run_sql(
            "SELECT table_name, column_name, data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')"
            f" FROM information_schema.columns WHERE table_schema = {literal(SCHEMA)}"
            " AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = "
            f"{literal(SCHEMA)}) ORDER BY table_name, ordinal_position;")):
        now.setdefault(table, {})[column] = described
    # A dict of columns iterates over their names: an earlier fingerprint's "columns" serve as they are.
    wanted = now if columns is None else columns
    queries = []
    for table in sorted(wanted):
        if table not in now or set(wanted[table]) - set(now[table]):
            queries.append(f"SELECT {literal(table)}, 'missing'")
            continue
        # In the order of their names, whatever order the columns were given in (JSON may sort them).
        cols = ", ".join(ident(c) for c in sorted(wanted[table]))
        queries.append(
            f"SELECT {literal(table)}, (SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, E'\\n'"
            f" ORDER BY r::text)), '-') FROM (SELECT {cols} FROM {ident(SCHEMA)}.{ident(table)}) r)")
    rows = dict(records(run_sql(" UNION ALL ".join(queries) + ";"))) if queries else {}
    indexes = [r[0] for r in records(run_sql(
        f"SELECT indexdef FROM pg_indexes WHERE schemaname = {literal(SCHEMA)} ORDER BY indexname;"))]
    extensions = [r[0] for r in records(run_sql(
        "SELECT extname || ' ' || extversion FROM pg_extension ORDER BY extname;"))]
    migrations = [r[0] for r in records(run_sql(
        "SELECT version FROM schema_migrations ORDER BY version;"))] if "schema_migrations" in now else []
    return {"columns": now, "indexes": indexes, "extensions": extensions, "migrations": migrations, "rows": rows}


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    columns = json.loads(argv[4]) if len(argv) == 5 else None
    json.dump(fingerprint(docker_psql(*argv[1:4]), columns), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
