"""Celery tasks of the SMS component: thin wrappers around the services."""

from celery import shared_task

from .services import sms_dispatch, sms_dispatch_due, sms_purge


@shared_task
def send_sms(pk):
    return sms_dispatch(pk=pk)


@shared_task
def send_due_sms():
    """Every minute: due messages (after quiet hours, retries, a broker outage)."""
    return sms_dispatch_due()


@shared_task
def purge_sms():
    return sms_purge()
