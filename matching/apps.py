from django.apps import AppConfig

from gigmarket.core import plugins


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "即时快招"

    def ready(self):
        # App modules load after the app registry; `receivers` connects registry's signals.
        from . import dashboard, demo, receivers, schedule

        receivers.connected()
        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load, beat=schedule.BEAT_SCHEDULE)
