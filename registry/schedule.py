"""Registry's Celery beat entries, registered from RegistryConfig.ready() (gigmarket/core/plugins.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
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
    # 个性化就业援助: the owners of steps due or overdue today get their reminder in the morning.
    "registry-assistance-reminders": {
        "task": "registry.tasks.assistance_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
}
