"""Celery tasks of the SMS component: thin wrappers around the services."""

from celery import shared_task


@shared_task
def send_sms(pk):
    from .services import sms_dispatch  # noqa: PLC0415

    return sms_dispatch(pk=pk)


@shared_task
def send_due_sms():
    """Every minute: due messages (after quiet hours, retries, a broker outage)."""
    from .services import sms_dispatch_due  # noqa: PLC0415

    return sms_dispatch_due()


@shared_task
def purge_sms():
    from .services import sms_purge  # noqa: PLC0415

    return sms_purge()
