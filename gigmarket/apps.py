from django.apps import AppConfig


class GigmarketConfig(AppConfig):
    name = "gigmarket"
    verbose_name = "平台基础"

    def ready(self):
        from .signals import connect_auth_audit

        connect_auth_audit()
