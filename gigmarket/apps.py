from django.apps import AppConfig


class GigmarketConfig(AppConfig):
    name = "gigmarket"
    verbose_name = "平台基础"

    def __init__(self, app_name, app_module):
        super().__init__(app_name, app_module)
        from . import wording

        # Here, not in ready(): django.contrib.admin comes first in INSTALLED_APPS and its
        # ready() (autodiscovery) already builds the auth admin's forms with their choices.
        wording.install()

    def ready(self):
        from .signals import connect_auth_audit

        connect_auth_audit()
