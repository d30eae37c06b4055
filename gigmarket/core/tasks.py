"""Celery tasks of the core: thin wrappers that call services (scheduled in gigmarket/core/schedule.py)."""

from celery import shared_task

from .services import sessions_clear_expired


@shared_task
def clear_sessions():
    """Nightly: delete expired sessions (what `manage.py clearsessions` does; idempotent)."""
    return sessions_clear_expired()
