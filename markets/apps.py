from django.apps import AppConfig

from gigmarket.core import plugins


class MarketsConfig(AppConfig):
    name = "markets"
    verbose_name = "零工市场"

    def ready(self):
        from . import dashboard, demo, receivers

        receivers.connect()

        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load)
