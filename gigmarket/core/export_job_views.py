"""我的导出: the signed-in user's background exports (gigmarket.core.export_jobs)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .export_jobs import export_job_expire, export_job_mark_downloaded
from .exports import download_disposition
from .models import ExportJob

LISTED = 50


@require_GET
@login_required
@never_cache
def export_job_list(request):
    jobs = list(ExportJob.objects.filter(owner=request.user)[:LISTED])
    ready = [job for job in jobs if job.state == ExportJob.State.DONE and job.downloaded_at is None]
    return render(
        request,
        "gigmarket/export_job_list.html",
        {
            "jobs": jobs,
            "ready": ready,
            "refresh": any(job.pending for job in jobs),
            "ttl_hours": settings.EXPORT_JOB_TTL_HOURS,
        },
    )


@require_GET
@login_required
@never_cache
def export_job_download(request, pk):
    """The job's file, for its owner only (anyone else: 404); past its deadline 410, file removed."""
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    if job.state == ExportJob.State.EXPIRED or (job.state == ExportJob.State.DONE and job.is_expired()):
        export_job_expire(job)
        return render(request, "gigmarket/export_job_gone.html", {"job": job}, status=410)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404("导出尚未完成")
    export_job_mark_downloaded(job)
    response = FileResponse(default_storage.open(job.file, "rb"), content_type=_content_type(job.filename))
    response["Content-Disposition"] = download_disposition(job.filename)
    response["Cache-Control"] = "no-store"
    return response


def _content_type(filename):
    if filename.endswith(".csv"):
        return "text/csv; charset=utf-8"
    if filename.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/octet-stream"
