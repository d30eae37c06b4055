"""The registry's exports that run as background jobs (gigmarket.core.export_jobs)."""

from django.utils import timezone

from gigmarket.core.export_jobs import ExportKind
from gigmarket.core.scoping import user_scope

from . import exports, selectors, services

WORKERS_CSV = "registry.workers_csv"


def export_county(user):
    """The division a worker export is recorded against: a county's or a clerk's own county."""
    return user.division if user_scope(user).county_id is not None else None


def workers_csv_filename(now=None):
    return f"workers-{timezone.localtime(now):%Y%m%d-%H%M}.csv"


def write_workers_csv(job, out, progress):
    """The worker list `job.owner` sees for the search `job.params["q"]` (never a personal
    term: those stay on the synchronous path), byte for byte what the request streams."""
    qs, _how = selectors.worker_search(job.owner, job.params.get("q", ""))
    rows = [0]

    def count(done):
        rows[0] = done
        progress(done)

    for part in exports.stream_workers_csv(qs, progress=count):
        out.write(part.encode("utf-8"))
    return workers_csv_filename(), rows[0]


def audit_workers_csv(job, rows):
    services.worker_export_audit(
        by=job.owner,
        row_count=rows,
        filters={"q": "***" if job.params.get("q") else "", "后台导出": job.pk},
        county=export_county(job.owner),
    )


KINDS = [ExportKind(name=WORKERS_CSV, title="零工名单(CSV)", write=write_workers_csv, audit=audit_workers_csv)]
