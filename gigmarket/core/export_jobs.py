"""Exports off the request (issue 19): a large export runs as a Celery job.

An app registers each export that can outgrow a request as a kind, from its `ready()`:

    export_jobs.register(ExportKind(name="registry.workers_csv", title="零工名单(CSV)",
                                    write=write_workers_csv, audit=audit_workers_csv))

- `write(job, out, progress) -> (filename, rows)` writes the file into the binary file
  `out` from `job.params` (the filters, never personal data), as `job.owner` sees it,
  and calls `progress(rows_done)` as it goes;
- `audit(job, rows)` writes the export's audit row (the same row as the synchronous path).

The view asks `needs_job(total)`: up to `EXPORT_SYNC_MAX_ROWS` rows keep the synchronous
fast path; above it `export_job_start(...)` records an `ExportJob` and queues
`gigmarket.core.tasks.run_export_job` after the commit. The job writes the file to
`default_storage` (shared storage when there are several nodes), marks the job done and
writes the audit row in one transaction. The owner alone downloads it (others get 404)
until `expires_at` (`EXPORT_JOB_TTL_HOURS`); past it the link answers 410 and the file is
removed, as the nightly `purge_expired_exports` removes every expired file.
"""

import datetime
import logging
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import ExportJob

log = logging.getLogger(__name__)

PROGRESS_EVERY = 2000  # rows between two progress writes


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: str
    write: Callable
    audit: Callable


KINDS: dict[str, ExportKind] = {}


def register(kind):
    """Record an export kind (registering it again, the app registry populated anew, replaces it)."""
    KINDS[kind.name] = kind


def needs_job(total):
    """Whether an export of `total` rows goes to the background (more than EXPORT_SYNC_MAX_ROWS)."""
    return total > settings.EXPORT_SYNC_MAX_ROWS


def export_job_start(*, kind, params, by, total):
    """Record a queued export of `kind` for `by` and queue it once the transaction commits."""
    from .tasks import run_export_job  # noqa: PLC0415 - cycle: tasks.py calls export_job_run

    spec = KINDS[kind]
    with transaction.atomic():
        job = ExportJob.objects.create(owner=by, kind=kind, title=spec.title, params=params, rows_total=total)
        transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def _storage_name(job, filename):
    suffix = filename.rpartition(".")[2] if "." in filename else "bin"
    return f"exports/{job.owner_id}/{job.pk}-{uuid.uuid4().hex}.{suffix}"


def export_job_run(job_pk):
    """Write job `job_pk`'s file (once: the job is claimed with a conditional update)."""
    claimed = ExportJob.objects.filter(pk=job_pk, state=ExportJob.State.QUEUED).update(state=ExportJob.State.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_pk)
    spec = KINDS[job.kind]
    last = [0]

    def progress(rows_done):
        if rows_done - last[0] >= PROGRESS_EVERY or rows_done >= job.rows_total:
            last[0] = rows_done
            ExportJob.objects.filter(pk=job.pk).update(rows_done=rows_done)

    name = ""
    try:
        with tempfile.TemporaryFile() as out:
            filename, rows = spec.write(job, out, progress)
            out.seek(0)
            name = default_storage.save(_storage_name(job, filename), File(out))
        now = timezone.now()
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                state=ExportJob.State.DONE,
                rows_done=rows,
                rows_total=rows,
                file=name,
                filename=filename,
                finished_at=now,
                expires_at=now + datetime.timedelta(hours=settings.EXPORT_JOB_TTL_HOURS),
            )
            spec.audit(job, rows)
    except Exception as exc:
        log.exception("export job %s failed", job.pk)
        if name:
            default_storage.delete(name)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, finished_at=timezone.now(), error=str(exc)[:300]
        )
        return None
    job.refresh_from_db()
    return job


def export_job_expire(job):
    """Remove an expired job's file and mark it expired (idempotent)."""
    if job.file:
        default_storage.delete(job.file)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.EXPIRED, file="")
    job.state, job.file = ExportJob.State.EXPIRED, ""


def export_jobs_purge(now=None):
    """Remove the files of every job past its expiry; returns how many were removed."""
    expired = ExportJob.objects.filter(expires_at__lte=now or timezone.now()).exclude(state=ExportJob.State.EXPIRED)
    count = 0
    for job in expired.iterator():
        export_job_expire(job)
        count += 1
    return count


def export_job_mark_downloaded(job):
    if job.downloaded_at is None:
        job.downloaded_at = timezone.now()
        ExportJob.objects.filter(pk=job.pk, downloaded_at=None).update(downloaded_at=job.downloaded_at)
