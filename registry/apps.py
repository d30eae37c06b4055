from django.apps import AppConfig

from gigmarket.core import plugins


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "登记服务"

    def ready(self):
        from gigmarket.core import export_jobs as core_export_jobs

        from . import dashboard, demo, export_jobs, schedule

        plugins.register(self, dashboard=dashboard.dashboard_cards, demo=demo.load, beat=schedule.BEAT_SCHEDULE)
        for kind in export_jobs.KINDS:
            core_export_jobs.register(kind)
