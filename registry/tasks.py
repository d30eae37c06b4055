"""Celery tasks of the registry: thin wrappers that call services (scheduled in registry/schedule.py)."""

from celery import shared_task

from .assistance import assistance_reminders_send
from .services import posting_expire_due, refresh_worker_tiers


@shared_task
def refresh_tiers():
    """Nightly: the stored 分级服务 tier follows the date (大龄, 待工时间长)."""
    return refresh_worker_tiers()


@shared_task
def expire_postings():
    """Daily: open postings whose validity has ended become 已过期 (idempotent: each row is claimed)."""
    return posting_expire_due()


@shared_task
def assistance_reminders():
    """Daily: e-mail owners their 就业援助 steps due or overdue today (once per step and day)."""
    return assistance_reminders_send()
