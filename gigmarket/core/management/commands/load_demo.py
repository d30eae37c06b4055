"""Load demo accounts and demo data. Safe to run again: nothing is duplicated."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from gigmarket.core.models import Division, Role, User

DEMO_APPS = ["markets", "registry", "matching", "reporting", "gigmarket.core.sms"]

DEMO_ACCOUNTS = [
    # username, role, division code, full name
    ("demo_province", Role.PROVINCE, "520000", "省厅演示用户"),
    ("demo_auditor", Role.AUDITOR, "520000", "省级审计演示用户"),
    ("demo_city", Role.CITY, "520100", "贵阳市演示用户"),
    ("demo_county", Role.COUNTY, "520102", "南明区演示用户"),
    ("demo_county2", Role.COUNTY, "520103", "云岩区演示用户"),
]
DEMO_CLERK = ("demo_clerk", "南明区窗口演示用户")


def ensure_user(username, *, role, division, full_name, market=None):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "division": division, "full_name": full_name, "market": market},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
    # Demo accounts share a published password; each load dates it anew so `make run` never
    # stops at a forced password change (an expired or manager-reset demo account is freed).
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save()
    return user, created


class Command(BaseCommand):
    help = "加载演示账号和演示数据（可重复运行）。"

    def handle(self, *args, **options):
        with transaction.atomic():
            for username, role, code, full_name in DEMO_ACCOUNTS:
                ensure_user(username, role=role, division=Division.objects.get(code=code), full_name=full_name)
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.load()
                if app == "markets":
                    from markets.demo import clerk_market

                    market = clerk_market()
                    ensure_user(
                        DEMO_CLERK[0],
                        role=Role.CLERK,
                        division=market.county,
                        full_name=DEMO_CLERK[1],
                        market=market,
                    )
        self.print_accounts()

    def print_accounts(self):
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        for user in (
            User.objects.filter(username__startswith="demo_").select_related("division", "market").order_by("id")
        ):
            self.stdout.write(f"  {user.username:<14} {user.get_role_display():<10} {user.scope_label}")
        self.stdout.write("")
