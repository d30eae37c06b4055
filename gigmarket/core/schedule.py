"""The core's Celery beat entries (registered from GigmarketConfig.ready(), see plugins.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Expired sessions (idle 30 minutes or past 12 hours) are deleted from the table nightly.
    "gigmarket-clear-sessions": {
        "task": "gigmarket.core.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    # Background exports (gigmarket.core.export_jobs): files past their deadline removed hourly.
    "gigmarket-purge-expired-exports": {
        "task": "gigmarket.core.tasks.purge_expired_exports",
        "schedule": crontab(minute=15),
    },
    # SMS: due messages (after the quiet hours, retries, a broker outage) every minute;
    # outbox rows and codes past SMS_RETENTION_DAYS removed nightly.
    "sms-send-due": {
        "task": "gigmarket.core.sms.tasks.send_due_sms",
        "schedule": 60.0,
    },
    "sms-purge": {
        "task": "gigmarket.core.sms.tasks.purge_sms",
        "schedule": crontab(hour=3, minute=40),
    },
}
