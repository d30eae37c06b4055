"""Celery tasks: thin wrappers that call services. Exactly-once lives in the services."""

import datetime
import logging

from celery import shared_task

from .calendar import beijing_today
from .digest import city_digests_send
from .rollups import rollup_days
from .services import notification_emails_send, periods_generate, reminders_send

log = logging.getLogger(__name__)


@shared_task
def generate_periods():
    created = periods_generate()
    log.info("reporting: generated %s new periods", created)
    return created


@shared_task
def send_reminders():
    sent = reminders_send()
    log.info("reporting: reminders run, sent %s", sent or "nothing new")
    return sent


@shared_task
def send_notification_emails(ids):
    return notification_emails_send(ids=ids)


@shared_task
def send_pending_emails():
    return notification_emails_send()


@shared_task
def rollup_stats(date=None):
    """Recompute yesterday's and today's monitoring rollups and their months (or one given ISO date)."""
    if date:
        days = [datetime.date.fromisoformat(date)]
    else:
        today = beijing_today()
        days = [today - datetime.timedelta(days=1), today]
    rollup_days(days=days)
    log.info("reporting: rolled up %s", ", ".join(str(d) for d in days))


@shared_task
def send_city_digests():
    sent = city_digests_send()
    log.info("reporting: weekly 市州 digests sent to %s 市州", sent)
    return sent
