"""The core's Celery beat entries (registered from GigmarketConfig.ready(), see plugins.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Expired sessions (idle 30 minutes or past 12 hours) are deleted from the table nightly.
    "gigmarket-clear-sessions": {
        "task": "gigmarket.core.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
}
