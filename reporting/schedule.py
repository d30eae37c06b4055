"""Reporting's Celery beat entries, registered from ReportingConfig.ready().

Each app registers its own entries (gigmarket/core/plugins.py) into the one beat
schedule that `gigmarket/celery.py` installs as `app.conf.beat_schedule`; django-celery-beat's
DatabaseScheduler copies them into its PeriodicTask table when beat starts, so they
are also visible (and pausable) in the admin. Every task is idempotent, so running
more often than needed, or twice, does no harm.

The reminder interval can be shortened with REPORTING_REMINDER_EVERY_SECONDS (used
to watch the embedded worker fire the schedule without waiting).
"""

import os

from celery.schedules import crontab

REMINDER_EVERY_SECONDS = float(os.environ.get("REPORTING_REMINDER_EVERY_SECONDS") or 15 * 60)

BEAT_SCHEDULE = {
    "reporting-generate-periods": {
        "task": "reporting.tasks.generate_periods",
        "schedule": crontab(hour=1, minute=5),
    },
    "reporting-send-reminders": {
        "task": "reporting.tasks.send_reminders",
        "schedule": REMINDER_EVERY_SECONDS,
    },
    "reporting-send-pending-emails": {
        "task": "reporting.tasks.send_pending_emails",
        "schedule": 5 * 60.0,
    },
    # Monday 07:30 Beijing (CELERY_TIMEZONE), after the 00:20-07:20 rollups of Sunday: the
    # week that just ended, once per 市州 (reporting.digest claims each 市州 and week).
    "reporting-city-digest": {
        "task": "reporting.tasks.send_city_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
    },
    "reporting-rollup-stats": {
        "task": "reporting.tasks.rollup_stats",
        "schedule": crontab(minute=20),
    },
}
