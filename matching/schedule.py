"""Matching's Celery beat entries (registered from MatchingConfig.ready(), see gigmarket/core/plugins.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # 工资结算: wages unpaid or short-paid past WAGE_PAYMENT_DAYS open one 欠薪 case each.
    "matching-open-wage-cases": {
        "task": "matching.tasks.open_wage_cases",
        "schedule": crontab(hour=0, minute=20),
    },
    # Online applications and 扫码登记 never converted are deleted after PUBLIC_SUBMISSION_RETENTION_DAYS.
    "matching-purge-public-submissions": {
        "task": "matching.tasks.purge_public_submissions",
        "schedule": crontab(hour=2, minute=40),
    },
}
