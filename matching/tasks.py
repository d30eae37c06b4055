"""Celery tasks of matching: thin wrappers that call services (scheduled in reporting/schedule.py)."""

from celery import shared_task

from .services import public_submissions_purge
from .settlement import wage_arrears_sweep


@shared_task
def open_wage_cases():
    """Daily: a completed match unpaid or short-paid past the deadline gets one 欠薪 case."""
    return len(wage_arrears_sweep())


@shared_task
def purge_public_submissions():
    """Daily: delete online applications and 扫码登记 pre-registrations never converted (PIPL retention)."""
    return public_submissions_purge()
