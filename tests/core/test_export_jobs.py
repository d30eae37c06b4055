"""Large exports run as background jobs (issue 19): the file equals the synchronous export,
only its owner downloads it, it expires and is removed, progress is recorded."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from gigmarket.core import export_jobs
from gigmarket.core.models import AuditEvent, ExportJob
from gigmarket.core.tasks import purge_expired_exports
from registry import exports as registry_exports
from tests.factories.markets import TradeFactory
from tests.factories.registry import WorkerFactory

EXPORT = reverse("registry:worker_export")
LIST = reverse("export_job_list")


def download(job):
    return reverse("export_job_download", args=[job.pk])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def jobs_run(django_capture_on_commit_callbacks):
    """Run the Celery jobs queued after the commit (eager in tests) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def workers(market):
    trade = TradeFactory()
    return [WorkerFactory(registered_market=market, trades=[trade]) for _ in range(5)]


def sync_export(client):
    response = client.get(EXPORT)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def test_small_scope_keeps_the_synchronous_download(client, county_user, workers, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 5
    client.force_login(county_user)
    sync_export(client)
    assert not ExportJob.objects.exists()


def test_large_scope_becomes_a_job_whose_file_equals_the_synchronous_export(
    client, county_user, workers, settings, jobs_run
):
    client.force_login(county_user)
    expected = sync_export(client)
    settings.EXPORT_SYNC_MAX_ROWS = 4
    with jobs_run():
        response = client.get(EXPORT)
    assert response.status_code == 302 and response["Location"] == LIST
    job = ExportJob.objects.get()
    assert job.owner == county_user and job.state == ExportJob.State.DONE
    assert (job.rows_done, job.rows_total) == (5, 5)
    assert job.params == {"q": ""}
    page = client.get(LIST).content.decode()
    assert "已生成（5 行），可以下载" in page and download(job) in page
    got = client.get(download(job))
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith('attachment; filename="workers-')
    assert b"".join(got.streaming_content) == expected
    assert "已生成（5 行）" not in client.get(LIST).content.decode()  # the notice goes once downloaded
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
    assert event.actor == county_user and event.changes["rows"] == 5
    assert event.changes["filters"]["后台导出"] == str(job.pk)


def test_personal_search_term_never_goes_to_a_job(client, county_user, workers, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    client.force_login(county_user)
    response = client.post(EXPORT, {"q": workers[0].mobile})
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()  # the 手机号 is never stored in a job's params


def test_another_user_gets_404(client, county_user, county2_user, province_user, workers, settings, jobs_run):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client.force_login(county_user)
    with jobs_run():
        client.get(EXPORT)
    job = ExportJob.objects.get()
    for other in (county2_user, province_user):
        client.force_login(other)
        assert client.get(download(job)).status_code == 404
        assert job.title not in client.get(LIST).content.decode()


def test_expired_link_answers_410_and_the_file_is_removed(client, county_user, workers, settings, jobs_run):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client.force_login(county_user)
    with jobs_run():
        client.get(EXPORT)
    job = ExportJob.objects.get()
    assert default_storage.exists(job.file)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(download(job))
    assert response.status_code == 410
    assert "下载期限已过" in response.content.decode()
    assert not default_storage.exists(job.file)
    job.refresh_from_db()
    assert job.state == ExportJob.State.EXPIRED and job.file == ""


def test_the_beat_task_removes_expired_files_only(county_user, workers, settings, jobs_run):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    jobs = []
    for _ in range(2):
        with jobs_run():
            with_file = export_jobs.export_job_start(
                kind="registry.workers_csv", params={"q": ""}, by=county_user, total=len(workers)
            )
        jobs.append(ExportJob.objects.get(pk=with_file.pk))
    old, fresh = jobs
    assert old.state == fresh.state == ExportJob.State.DONE
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    assert purge_expired_exports() == 1
    assert not default_storage.exists(old.file)
    assert default_storage.exists(fresh.file)
    assert ExportJob.objects.get(pk=old.pk).state == ExportJob.State.EXPIRED


def test_progress_is_recorded_while_the_job_writes(county_user, workers, monkeypatch, jobs_run):
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)
    seen = []
    real = registry_exports.stream_workers_csv

    def small_chunks(qs, chunk_size=2000, progress=None):
        def spy(done):
            progress(done)
            seen.append(ExportJob.objects.get().rows_done)

        return real(qs, chunk_size=2, progress=spy)

    monkeypatch.setattr(registry_exports, "stream_workers_csv", small_chunks)
    with jobs_run():
        job = export_jobs.export_job_start(kind="registry.workers_csv", params={"q": ""}, by=county_user, total=5)
    assert seen == [2, 4, 5]  # written to the job row after each chunk
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.percent == 100


def test_a_failed_job_says_so_and_leaves_no_file(county_user, workers, monkeypatch, media, jobs_run):
    def boom(qs, chunk_size=2000, progress=None):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(registry_exports, "stream_workers_csv", boom)
    with jobs_run():
        job = export_jobs.export_job_start(kind="registry.workers_csv", params={"q": ""}, by=county_user, total=5)
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED and "磁盘已满" in job.error
    assert not list(media.rglob("*.csv"))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_pending_jobs_refresh_the_page(client, county_user):
    ExportJob.objects.create(owner=county_user, kind="registry.workers_csv", title="零工名单(CSV)", rows_total=10)
    client.force_login(county_user)
    page = client.get(LIST).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "排队中" in page


AUDIT_EXPORT = reverse("audit_export")


def test_a_large_audit_log_export_becomes_a_job_with_the_same_rows(client, province_user, settings, jobs_run):
    for n in range(4):
        AuditEvent.objects.create(action=AuditEvent.Action.UPDATE, target_repr=f"对象{n}", actor=province_user)
    client.force_login(province_user)
    sync = client.get(AUDIT_EXPORT, {"action": "update"})
    assert sync.status_code == 200
    settings.EXPORT_SYNC_MAX_ROWS = 3
    with jobs_run():
        response = client.get(AUDIT_EXPORT, {"action": "update"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.params == {"action": "update"} and job.state == ExportJob.State.DONE and job.rows_done == 4
    got = client.get(download(job))
    assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")

    def rows(content):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return list(sheet.iter_rows(min_row=2, values_only=True))

    assert rows(b"".join(got.streaming_content)) == rows(sync.content)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
    assert event.actor == province_user and event.changes["rows"] == 4
