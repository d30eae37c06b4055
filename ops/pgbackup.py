#!/usr/bin/env python3
"""PostgreSQL backups for the portal, and a restore check that proves they work.

    pgbackup.py backup --dir /var/backups/gigmarket [--keep-days 30]
    pgbackup.py verify /var/backups/gigmarket/gigmarket-20260302-020000.dump

`backup` takes one consistent snapshot: it opens a REPEATABLE READ transaction,
exports its snapshot, counts the rows of every table in it, and runs
`pg_dump --format=custom --snapshot=...`, so the dump and the recorded counts describe
exactly the same moment even while the portal is busy. It writes
`<name>.dump` and `<name>.counts.json`, checks the dump with `pg_restore --list`, and
deletes dumps older than --keep-days (never the newest one).

`verify` restores a dump into a new scratch database on the same server, compares
every table's row count with the counts recorded at backup time, prints the
comparison, drops the scratch database and exits 1 on any difference.

The database comes from DATABASE_URL (postgres://user:password@host:port/name), or
--database-url. Credentials are passed to pg_dump/pg_restore in the environment,
never on the command line. Needs psycopg2 and the PostgreSQL client programs of the
server's major version (or newer).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

PREFIX = "gigmarket-"


def connection_params(url):
    """libpq keyword parameters from a postgres:// URL."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"not a postgres:// URL: scheme {parsed.scheme!r}")
    params = {
        "host": parsed.hostname or "",
        "port": str(parsed.port or 5432),
        "user": unquote(parsed.username or ""),
        "password": unquote(parsed.password or ""),
        "dbname": unquote(parsed.path.lstrip("/")),
    }
    params.update({key: values[-1] for key, values in parse_qs(parsed.query).items()})
    return {key: value for key, value in params.items() if value}


def libpq_env(params):
    """Environment for pg_dump/pg_restore/psql (keeps the password off the command line)."""
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
        "sslmode": "PGSSLMODE",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[key]: value for key, value in params.items() if key in names})
    return env


def connect(params, **overrides):
    return psycopg2.connect(**{**params, **overrides})


def table_counts(cursor):
    """{"schema.table": rows} for every ordinary and partitioned table outside the system schemas."""
    cursor.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
        ORDER BY 1, 2
        """
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def run(command, params, **kwargs):
    result = subprocess.run(command, env=libpq_env(params), capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({result.returncode}):\n{result.stderr.strip()}")
    return result


def backup(database_url, directory, keep_days):
    params = connection_params(database_url)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    dump = directory / f"{PREFIX}{stamp}.dump"
    sidecar = directory / f"{PREFIX}{stamp}.counts.json"
    partial = directory / f".{dump.name}.partial"

    conn = connect(params)
    try:
        conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor)
            # The snapshot stays valid while this transaction is open.
            run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"], params)
        conn.rollback()
    finally:
        conn.close()

    run(["pg_restore", "--list", str(partial)], params)
    manifest = {
        "database": params.get("dbname", ""),
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "tables": counts,
    }
    sidecar.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    partial.rename(dump)
    removed = prune(directory, keep_days)
    print(f"backup written: {dump} ({dump.stat().st_size} bytes, {len(counts)} tables)")
    for old in removed:
        print(f"removed old backup: {old}")
    return dump


def prune(directory, keep_days):
    """Delete dumps (and their counts) older than keep_days; always keep the newest."""
    dumps = sorted(Path(directory).glob(f"{PREFIX}*.dump"), key=lambda p: p.stat().st_mtime)
    cutoff = time.time() - keep_days * 86400
    removed = []
    for dump in dumps[:-1]:
        if dump.stat().st_mtime < cutoff:
            dump.unlink()
            dump.with_suffix(".counts.json").unlink(missing_ok=True)
            removed.append(dump)
    return removed


def restore(dump, params, target_db):
    """Create `target_db` and restore `dump` into it (owners and grants left to the target)."""
    admin = connect(params, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target_db)))
    admin.close()
    run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={target_db}", str(dump)],
        params,
    )


def drop_database(params, name):
    admin = connect(params, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def compare(expected, actual):
    """Lines describing every difference between two {table: rows} maps."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"{table}: missing after restore")
        elif table not in expected:
            problems.append(f"{table}: not in the backup's counts")
        elif expected[table] != actual[table]:
            problems.append(f"{table}: {expected[table]} rows at backup, {actual[table]} after restore")
    return problems


def verify(dump, server_url):
    dump = Path(dump)
    manifest = json.loads(dump.with_suffix(".counts.json").read_text(encoding="utf-8"))
    params = connection_params(server_url)
    scratch = f"gm_restore_check_{datetime.datetime.now():%Y%m%d%H%M%S}_{os.getpid()}"
    try:
        restore(dump, params, scratch)
        conn = connect(params, dbname=scratch)
        try:
            with conn.cursor() as cursor:
                actual = table_counts(cursor)
        finally:
            conn.close()
    finally:
        drop_database(params, scratch)
    problems = compare(manifest["tables"], actual)
    total = sum(actual.values())
    for problem in problems:
        print(f"MISMATCH {problem}")
    status = "FAILED" if problems else "OK"
    print(f"restore check {status}: {dump.name}, {len(actual)} tables, {total} rows")
    return not problems, actual


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    commands = parser.add_subparsers(dest="command", required=True)
    backup_cmd = commands.add_parser("backup", help="dump the database with its row counts")
    backup_cmd.add_argument("--dir", required=True)
    backup_cmd.add_argument("--keep-days", type=int, default=30)
    verify_cmd = commands.add_parser("verify", help="restore a dump into a scratch database and compare counts")
    verify_cmd.add_argument("dump")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or --database-url")
    if args.command == "backup":
        backup(args.database_url, args.dir, args.keep_days)
        return 0
    ok, _ = verify(args.dump, args.database_url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
