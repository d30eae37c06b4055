"""Load demo accounts and demo data. Safe to run again: nothing is duplicated."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from gigmarket.core import plugins
from gigmarket.core.models import User


class Command(BaseCommand):
    help = "加载演示账号和演示数据（可重复运行）。"

    def handle(self, *args, **options):
        # Every app registers its own loader (gigmarket/core/plugins.py), in INSTALLED_APPS order.
        with transaction.atomic():
            for load in plugins.demo_loaders():
                load()
        self.print_accounts()

    def print_accounts(self):
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        for user in (
            User.objects.filter(username__startswith="demo_").select_related("division", "market").order_by("id")
        ):
            self.stdout.write(f"  {user.username:<14} {user.get_role_display():<10} {user.scope_label}")
        self.stdout.write("")
