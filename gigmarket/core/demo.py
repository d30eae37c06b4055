"""The demo accounts of the core: one per role above the window (registered in apps.py).

Product apps add theirs with `ensure_user` from their own demo loader (markets adds
demo_clerk at its demo market). `manage.py load_demo` runs every registered loader.
"""

from django.conf import settings
from django.utils import timezone

from .models import Division, Role, User
from .sms import demo as sms_demo

DEMO_ACCOUNTS = [
    # username, role, division code, full name
    ("demo_province", Role.PROVINCE, "520000", "省厅演示用户"),
    ("demo_auditor", Role.AUDITOR, "520000", "省级审计演示用户"),
    ("demo_city", Role.CITY, "520100", "贵阳市演示用户"),
    ("demo_county", Role.COUNTY, "520102", "南明区演示用户"),
    ("demo_county2", Role.COUNTY, "520103", "云岩区演示用户"),
]


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


def load():
    for username, role, code, full_name in DEMO_ACCOUNTS:
        ensure_user(username, role=role, division=Division.objects.get(code=code), full_name=full_name)
    sms_demo.load()
