"""`manage.py audit_archive`: rows past the retention are exported, verified, then deleted.

On PostgreSQL (CI) the deletion also passes the audit table's trigger, which lets only
rows older than 183 days go, and only while the command's transaction switch is on.
"""

import datetime
import gzip
import hashlib
import json
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from gigmarket.core.audit import audit_record
from gigmarket.core.audit_archive import ArchiveError, verify_export, write_checksum, write_export
from gigmarket.core.models import AuditEvent


def written_days_ago(days, user, **kwargs):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days), tick=False):
        return audit_record(actor=user, **kwargs)


@pytest.fixture
def history(county_user):
    """Audit rows 400, 300, 190 and 10 days old, and one from today."""
    return {
        days: written_days_ago(days, county_user, action=AuditEvent.Action.LOGIN, county=county_user.division)
        for days in (400, 300, 190, 10, 0)
    }


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def archive(before, out, **kwargs):
    call_command("audit_archive", "--before", before.isoformat(), "--out", str(out), **kwargs)


def archive_files(out):
    return sorted(path.name for path in out.iterdir()) if out.exists() else []


def test_old_rows_are_exported_checked_and_deleted_and_the_rest_stay(history, tmp_path, province_user):
    archive(days_ago(250), tmp_path, by="prov")

    assert not AuditEvent.objects.filter(pk__in=[history[400].pk, history[300].pk]).exists()
    kept = [history[d].pk for d in (190, 10, 0)]
    assert AuditEvent.objects.filter(pk__in=kept).count() == 3

    (export,) = tmp_path.glob("*.jsonl.gz")
    assert export.name.startswith(f"audit-before-{days_ago(250):%Y-%m-%d}-")
    assert oct(export.stat().st_mode & 0o777) == "0o600"
    with gzip.open(export, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    assert [line["id"] for line in lines] == [history[400].pk, history[300].pk]
    assert lines[0]["actor_username"] == "nm_county"
    assert lines[0]["action"] == "login"
    assert lines[0]["county_id"] == history[400].county_id

    checksum_file = tmp_path / f"{export.name}.sha256"
    checksum = hashlib.sha256(export.read_bytes()).hexdigest()
    assert checksum_file.read_text() == f"{checksum}  {export.name}\n"

    record = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE)
    assert record.actor == province_user
    assert record.changes["count"] == 2
    assert record.changes["file"] == export.name
    assert record.changes["sha256"] == checksum
    assert record.changes["first_id"] == history[400].pk
    assert record.changes["last_id"] == history[300].pk
    assert record.changes["before"] == days_ago(250).isoformat()
    assert record.changes["first_at"] < record.changes["last_at"]


def test_a_date_inside_the_retention_is_refused_and_nothing_is_written(history, tmp_path):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="至少保留 183 天"):
        archive(days_ago(100), tmp_path / "out")
    assert AuditEvent.objects.count() == before
    assert archive_files(tmp_path / "out") == []


def test_the_newest_allowed_date_is_exactly_the_retention(history, tmp_path):
    with pytest.raises(CommandError, match=f"最晚可为 {days_ago(183):%Y-%m-%d}"):
        archive(days_ago(182), tmp_path)
    archive(days_ago(183), tmp_path)
    assert AuditEvent.objects.filter(pk=history[190].pk).exists() is False
    assert AuditEvent.objects.filter(pk=history[10].pk).exists()


def test_a_longer_retention_setting_is_enforced(history, tmp_path, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    with pytest.raises(CommandError, match="至少保留 365 天"):
        archive(days_ago(300), tmp_path)
    assert AuditEvent.objects.filter(pk=history[400].pk).exists()


def test_a_bad_export_deletes_nothing_and_leaves_no_file(history, tmp_path, monkeypatch):
    from gigmarket.core import audit_archive as module

    real_write = module.write_export

    def write_and_lose_the_last_line(rows, path):
        summary = real_write(rows, path)
        with gzip.open(path, "rb") as handle:
            lines = handle.readlines()
        path.chmod(0o600)
        with gzip.open(path, "wb") as handle:
            handle.writelines(lines[:-1])
        return summary

    monkeypatch.setattr(module, "write_export", write_and_lose_the_last_line)
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="归档失败，未删除任何记录"):
        archive(days_ago(250), tmp_path)
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVE).exists()
    assert archive_files(tmp_path) == []


def test_nothing_to_archive_writes_no_file_and_no_row(history, tmp_path, capsys):
    archive(days_ago(1000), tmp_path)
    assert "无需归档" in capsys.readouterr().out
    assert archive_files(tmp_path) == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVE).exists()


def test_an_unknown_operator_account_is_refused(history, tmp_path):
    with pytest.raises(CommandError, match="账号 nobody 不存在"):
        archive(days_ago(250), tmp_path, by="nobody")
    assert archive_files(tmp_path) == []


def test_a_malformed_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit_archive", "--before", "2026/05/01", "--out", "/nonexistent")


def test_the_audit_page_shows_the_archive_row(history, tmp_path, client, province_user):
    archive(days_ago(250), tmp_path, by="prov")
    client.force_login(province_user)
    response = client.get("/audit/", {"action": "archive"})
    assert response.status_code == 200
    page = response.content.decode()
    (export,) = tmp_path.glob("*.jsonl.gz")
    first, last = (timezone.localtime(history[d].created_at) for d in (400, 300))
    assert f"审计日志 {first:%Y-%m-%d} 至 {last:%Y-%m-%d}" in page
    assert export.name in page


# The file format on its own ------------------------------------------------------------


def sample_rows():
    at = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    return [
        {
            "id": n,
            "created_at": at,
            "actor_id": None,
            "actor_username": "张三",
            "action": "update",
            "target_type": "markets.market",
            "target_id": str(n),
            "target_repr": "南明区零工市场",
            "county_id": 7,
            "city_id": 3,
            "changes": {"name": ["旧", "新"], "rows": 1.5},
            "ip_address": "10.0.0.1",
        }
        for n in (1, 2, 3)
    ]


def test_a_written_export_verifies(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    summary = write_export(sample_rows(), path)
    write_checksum(path)
    assert summary.count == 3
    assert (summary.first_id, summary.last_id) == (1, 3)
    assert verify_export(path, summary) == summary


def test_an_export_changed_after_writing_fails_verification_even_with_a_new_checksum(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    summary = write_export(sample_rows(), path)
    with gzip.open(path, "rb") as handle:
        text = handle.read().replace("南明区".encode(), "云岩区".encode())
    os.chmod(path, 0o600)
    with gzip.open(path, "wb") as handle:
        handle.write(text)
    write_checksum(path)
    with pytest.raises(ArchiveError):
        verify_export(path, summary)


def test_an_export_whose_checksum_file_differs_fails_verification(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    summary = write_export(sample_rows(), path)
    (tmp_path / "a.jsonl.gz.sha256").write_text("0" * 64 + "  a.jsonl.gz\n")
    with pytest.raises(ArchiveError, match="SHA-256"):
        verify_export(path, summary)


def test_a_truncated_gzip_fails_verification(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    summary = write_export(sample_rows(), path)
    path.write_bytes(path.read_bytes()[:-20])
    write_checksum(path)
    with pytest.raises(ArchiveError, match="无法完整读回"):
        verify_export(path, summary)


def test_an_existing_file_is_never_overwritten(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    path.write_text("earlier archive")
    with pytest.raises(FileExistsError):
        write_export(sample_rows(), path)
    assert path.read_text() == "earlier archive"


def test_a_retention_under_six_months_stops_start_up():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["AUDIT_RETENTION_DAYS"] = "90"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be 183" in result.stderr
