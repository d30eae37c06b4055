from django.apps import AppConfig

from gigmarket.core import plugins


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "即时快招"

    def ready(self):
        from . import dashboard, demo, schedule  # noqa: PLC0415 - app modules load after the app registry

        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load, beat=schedule.BEAT_SCHEDULE)
