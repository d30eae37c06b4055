"""Backups restore: dump a migrated portal database with rows, restore it, compare counts.

The dump and restore tests need a PostgreSQL server: they run against the one DATABASE_URL
points at (CI does) and show as skipped on SQLite runs (the `postgres` marker,
tests/conftest.py); retention and URL parsing run everywhere. Uses the same
`ops/pgbackup.py` an operator runs nightly.
"""

import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
SCRIPT = BASE_DIR / "ops" / "pgbackup.py"

spec = importlib.util.spec_from_file_location("pgbackup", SCRIPT)
pgbackup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pgbackup)


def server_url():
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"


def url_for(name):
    return server_url().rsplit("/", 1)[0] + "/" + name


def manage(*args, database_url):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DATABASE_URL": database_url, "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "1"})
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


ADD_ROWS = """
from gigmarket.core import services
from gigmarket.core.models import Division, User
province = Division.objects.get(code="520000")
nanming = Division.objects.get(code="520102")
boss = services.user_create(data={"username": "ops_prov", "role": "province", "division": province},
                            password="Ops-check-2026", by=None)
for n in range(3):
    u = services.user_create(data={"username": f"ops_county{n}", "role": "county", "division": nanming,
                                   "phone": "13985012345"}, password="Ops-check-2026", by=boss)
    services.user_update(user=u, data={"full_name": f"县级{n}"}, by=boss)
print(User.objects.count())
"""


@pytest.fixture(scope="module")
def source_db():
    """A scratch database with the portal's full schema (all migrations) and some rows."""
    name = f"gm_ops_src_{uuid.uuid4().hex[:10]}"
    params = pgbackup.connection_params(server_url())
    admin = pgbackup.connect(params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        manage("migrate", "--noinput", database_url=url_for(name))
        manage("shell", "-c", ADD_ROWS, database_url=url_for(name))
        yield url_for(name)
    finally:
        pgbackup.drop_database(params, name)


def counts_of(url):
    conn = pgbackup.connect(pgbackup.connection_params(url))
    try:
        with conn.cursor() as cursor:
            return pgbackup.table_counts(cursor)
    finally:
        conn.close()


@pytest.mark.postgres
def test_backup_restores_with_every_table_and_row(source_db, tmp_path):
    source_counts = counts_of(source_db)
    assert source_counts["public.gigmarket_user"] == 4
    assert source_counts["public.gigmarket_division"] == 98
    assert source_counts["public.gigmarket_auditevent"] >= 7
    assert source_counts["public.django_migrations"] > 10

    dump = pgbackup.backup(source_db, tmp_path, keep_days=30)
    manifest = json.loads(dump.with_suffix(".counts.json").read_text())
    assert manifest["tables"] == source_counts

    # Restore into a second database and compare every table's rows with the source.
    restored = f"gm_ops_restored_{uuid.uuid4().hex[:10]}"
    params = pgbackup.connection_params(server_url())
    try:
        pgbackup.restore(dump, params, restored)
        assert counts_of(url_for(restored)) == source_counts
        conn = pgbackup.connect(params, dbname=restored)
        with conn.cursor() as cursor:
            cursor.execute("SELECT username, phone FROM gigmarket_user ORDER BY username")
            assert cursor.fetchall()[0] == ("ops_county0", "13985012345")
        conn.close()
    finally:
        pgbackup.drop_database(params, restored)


@pytest.mark.postgres
def test_the_command_line_backup_and_verify_pass(source_db, tmp_path):
    env = {**os.environ, "DATABASE_URL": source_db}
    backup = subprocess.run(
        [sys.executable, str(SCRIPT), "backup", "--dir", str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    (dump,) = tmp_path.glob("gigmarket-*.dump")
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format

    verify = subprocess.run([sys.executable, str(SCRIPT), "verify", str(dump)], env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "restore check OK" in verify.stdout
    assert "MISMATCH" not in verify.stdout
    conn = pgbackup.connect(pgbackup.connection_params(server_url()))
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'gm_restore_check_%%'")
        assert cursor.fetchone()[0] == 0  # the scratch database was dropped
    conn.close()


@pytest.mark.postgres
def test_verify_fails_when_the_restore_lacks_rows(source_db, tmp_path):
    dump = pgbackup.backup(source_db, tmp_path, keep_days=30)
    sidecar = dump.with_suffix(".counts.json")
    manifest = json.loads(sidecar.read_text())
    manifest["tables"]["public.gigmarket_user"] += 1  # the dump holds one user fewer than recorded
    sidecar.write_text(json.dumps(manifest))
    ok, _ = pgbackup.verify(dump, source_db)
    assert not ok


@pytest.mark.postgres
def test_verify_fails_on_a_damaged_dump(source_db, tmp_path):
    dump = pgbackup.backup(source_db, tmp_path, keep_days=30)
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 3])
    with pytest.raises(SystemExit) as excinfo:
        pgbackup.verify(dump, source_db)
    assert "pg_restore failed" in str(excinfo.value)


def test_retention_removes_old_dumps_but_keeps_the_newest(tmp_path):
    old_time = time.time() - 40 * 86400
    for stamp in ["20260101-020000", "20260102-020000"]:
        dump = tmp_path / f"gigmarket-{stamp}.dump"
        dump.write_bytes(b"PGDMP")
        dump.with_suffix(".counts.json").write_text("{}")
        os.utime(dump, (old_time, old_time))
    fresh = tmp_path / "gigmarket-20260301-020000.dump"
    fresh.write_bytes(b"PGDMP")
    removed = pgbackup.prune(tmp_path, keep_days=30)
    assert sorted(p.name for p in removed) == ["gigmarket-20260101-020000.dump", "gigmarket-20260102-020000.dump"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gigmarket-20260301-020000.dump"]

    # Even when every dump is old, the newest one stays.
    os.utime(fresh, (old_time, old_time))
    assert pgbackup.prune(tmp_path, keep_days=30) == []
    assert fresh.exists()


def test_connection_url_is_split_for_libpq_and_password_stays_off_the_command_line():
    params = pgbackup.connection_params("postgres://gm:s%40cret@db.example:5433/gigmarket?sslmode=require")
    assert params == {
        "host": "db.example",
        "port": "5433",
        "user": "gm",
        "password": "s@cret",
        "dbname": "gigmarket",
        "sslmode": "require",
    }
    env = pgbackup.libpq_env(params)
    assert env["PGPASSWORD"] == "s@cret" and env["PGSSLMODE"] == "require"
