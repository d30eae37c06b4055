"""Quiet hours: no message but a code between SMS_QUIET_START and SMS_QUIET_END (Beijing time)."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

BEIJING = ZoneInfo("Asia/Shanghai")


def quiet_until(now):
    """The end of the quiet hours `now` falls in (an aware datetime), or None outside them."""
    start, end = settings.SMS_QUIET_START, settings.SMS_QUIET_END
    if start == end:
        return None
    local = now.astimezone(BEIJING)
    hour = local.hour
    in_quiet = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not in_quiet:
        return None
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning = (local + datetime.timedelta(days=1)).replace(hour=end, minute=0, second=0, microsecond=0)
    return morning
