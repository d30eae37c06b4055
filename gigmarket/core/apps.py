from django.apps import AppConfig

from . import plugins, wording


class GigmarketConfig(AppConfig):
    name = "gigmarket.core"
    # The label is the one the migrations, AUTH_USER_MODEL and the database tables know.
    label = "gigmarket"
    verbose_name = "平台基础"

    def __init__(self, app_name, app_module):
        super().__init__(app_name, app_module)
        # Here, not in ready(): django.contrib.admin comes first in INSTALLED_APPS and its
        # ready() (autodiscovery) already builds the auth admin's forms with their choices.
        wording.install()

    def ready(self):
        from . import audit_export_job, choice_cache, demo, export_jobs, schedule
        from .models import Division
        from .signals import connect_auth_audit
        from .sms import checks  # noqa: F401  (registers the SMS system checks)

        connect_auth_audit()
        choice_cache.connect(Division, "division")
        self._close_otp_device_admin()
        plugins.register(self, demo=demo.load, beat=schedule.BEAT_SCHEDULE)
        export_jobs.register(audit_export_job.KIND)

    @staticmethod
    def _close_otp_device_admin():
        """django-otp registers its devices in Django admin, where deleting one (a reset) would
        leave no business audit row. Resets go through 账号管理 or `manage.py two_factor_reset`."""
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
