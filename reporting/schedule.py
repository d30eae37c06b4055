"""The Celery beat schedule — the one place it is defined.

`gigmarket/celery.py` installs it as `app.conf.beat_schedule`; django-celery-beat's
DatabaseScheduler copies these entries into its PeriodicTask table when beat starts,
so they are also visible (and pausable) in the admin. Every task is idempotent, so
running more often than needed, or twice, does no harm.

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
    "reporting-rollup-stats": {
        "task": "reporting.tasks.rollup_stats",
        "schedule": crontab(minute=20),
    },
    # 分级服务: 大龄 and 待工时间长 follow the date; refresh the stored tiers just after midnight.
    "registry-refresh-tiers": {
        "task": "registry.tasks.refresh_tiers",
        "schedule": crontab(hour=0, minute=10),
    },
    # 用工需求 past 有效期至 leave the board and the public pages as 已过期 just after midnight.
    "registry-expire-postings": {
        "task": "registry.tasks.expire_postings",
        "schedule": crontab(hour=0, minute=5),
    },
    # Expired sessions (idle 30 minutes or past 12 hours) are deleted from the table nightly.
    "gigmarket-clear-sessions": {
        "task": "gigmarket.core.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=30),
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
