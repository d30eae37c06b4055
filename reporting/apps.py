from django.apps import AppConfig

from gigmarket.core import plugins


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "名录报送与监测"

    def ready(self):
        from . import dashboard, demo, receivers, schedule

        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load, beat=schedule.BEAT_SCHEDULE)
        receivers.connect()
