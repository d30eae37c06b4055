"""Celery tasks of the core: thin wrappers that call services (scheduled in gigmarket/core/schedule.py)."""

from celery import shared_task

from .export_jobs import export_job_run, export_jobs_purge
from .services import sessions_clear_expired

# The SMS tasks live with the component; re-exported here so Celery's autodiscovery finds them.
from .sms.tasks import purge_sms as purge_sms
from .sms.tasks import send_due_sms as send_due_sms
from .sms.tasks import send_sms as send_sms


@shared_task
def clear_sessions():
    """Nightly: delete expired sessions (what `manage.py clearsessions` does; idempotent)."""
    return sessions_clear_expired()


@shared_task
def run_export_job(job_pk):
    """Write one background export (queued by `export_jobs.export_job_start`; runs once)."""
    job = export_job_run(job_pk)
    return job.pk if job else None


@shared_task
def purge_expired_exports():
    """Hourly: remove the files of exports past their download deadline."""
    return export_jobs_purge()
