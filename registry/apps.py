from django.apps import AppConfig

from gigmarket.core import plugins


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "登记服务"

    def ready(self):
        from . import dashboard, demo, schedule

        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load, beat=schedule.BEAT_SCHEDULE)
