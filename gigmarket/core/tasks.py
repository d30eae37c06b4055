"""Celery tasks of the core: thin wrappers that call services (scheduled in gigmarket/core/schedule.py)."""

from celery import shared_task

from .services import sessions_clear_expired


@shared_task
def clear_sessions():
    """Nightly: delete expired sessions (what `manage.py clearsessions` does; idempotent)."""
    return sessions_clear_expired()


# The SMS tasks live with the component; imported here so Celery's autodiscovery finds them.
from .sms.tasks import purge_sms, send_due_sms, send_sms  # noqa: E402, F401
