"""The audit log's XLSX export: the rows the list shows, with its filters (newest first, at
most AUDIT_EXPORT_MAX_ROWS), written in the request for a small scope and by a background
job (gigmarket.core.export_jobs) above EXPORT_SYNC_MAX_ROWS rows."""

from django.utils import timezone

from . import services
from .audit_display import audit_workbook
from .export_jobs import ExportKind
from .forms import AuditFilterForm
from .selectors import audit_events_for, audit_target_types, filter_audit_events

AUDIT_EXPORT_MAX_ROWS = 50_000
AUDIT_XLSX = "gigmarket.audit_xlsx"


def filtered_audit_events(user, data):
    """`user`'s audit rows with the list's filters `data` (a QueryDict or dict): (form, queryset)."""
    qs = audit_events_for(user)
    form = AuditFilterForm(data or None, target_types=audit_target_types())
    if form.is_valid():
        qs = filter_audit_events(qs, form.cleaned_data)
    return form, qs


def capped_count(qs, cap):
    """The number of rows, counting at most `cap + 1` (the province's log has millions)."""
    return qs[: cap + 1].count()


def write_audit_xlsx(form, qs, out, progress=None):
    """Write the rows of `qs` (filtered by `form`) as XLSX into the binary file `out`;
    returns (filename, rows, filter labels, truncated)."""
    more = qs[AUDIT_EXPORT_MAX_ROWS : AUDIT_EXPORT_MAX_ROWS + 1].exists()
    now = timezone.localtime()
    # Streamed from the database in chunks into a write-only sheet: memory stays flat.
    events = qs[:AUDIT_EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    if progress is not None:
        events = _counted(events, progress)
    workbook, count = audit_workbook(events, title=f"审计日志（{now:%Y年%m月%d日 %H:%M} 导出）", more=more)
    workbook.save(out)
    return f"审计日志-{now:%Y%m%d-%H%M}.xlsx", count, form.filter_labels(), more


def _counted(events, progress, every=500):
    done = 0
    for event in events:
        yield event
        done += 1
        if done % every == 0:
            progress(done)
    progress(done)


def _job_write(job, out, progress):
    form, qs = filtered_audit_events(job.owner, job.params)
    filename, count, labels, more = write_audit_xlsx(form, qs, out, progress)
    job.audit_details = (labels, more)  # read by _job_audit, in the same run
    return filename, count


def _job_audit(job, rows):
    labels, more = job.audit_details
    services.audit_log_export_record(
        by=job.owner, row_count=rows, filters={**labels, "后台导出": job.pk}, truncated=more
    )


KIND = ExportKind(name=AUDIT_XLSX, title="审计日志(XLSX)", write=_job_write, audit=_job_audit)
