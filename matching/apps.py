from django.apps import AppConfig

from gigmarket.core import plugins


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "即时快招"

    def ready(self):
        from . import dashboard, demo

        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load)
