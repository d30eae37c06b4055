"""Grains of time for monitoring (notice 九): a date range cut into day, week, month,
quarter, half-year or reporting-period buckets. Pure date arithmetic, no database.

Every bucket is clipped to the chosen range, so the buckets of any grain cover exactly the
same days: their flow sums add up to the range's total whatever the grain.
"""

import datetime
from dataclasses import dataclass

from .calendar import QUARTER_NAMES, _add_months


@dataclass(frozen=True)
class Grain:
    value: str
    label: str
    max_buckets: int  # the range cap: a chart and table this long stay readable and fast


GRAINS = [
    Grain("day", "日", 400),
    Grain("week", "周", 160),
    Grain("month", "月", 120),
    Grain("quarter", "季度", 60),
    Grain("half", "半年", 40),
    Grain("period", "报送期", 40),
]
BY_VALUE = {g.value: g for g in GRAINS}
DEFAULT_GRAIN = "month"


@dataclass(frozen=True)
class Bucket:
    name: str
    start: datetime.date
    end: datetime.date


def _unit_start(grain, day):
    if grain == "day":
        return day
    if grain == "week":
        return day - datetime.timedelta(days=day.weekday())  # weeks start on Monday
    months = {"month": 1, "quarter": 3, "half": 6}[grain]
    return day.replace(month=(day.month - 1) // months * months + 1, day=1)


def _unit_after(grain, start):
    if grain == "day":
        return start + datetime.timedelta(days=1)
    if grain == "week":
        return start + datetime.timedelta(days=7)
    return _add_months(start, {"month": 1, "quarter": 3, "half": 6}[grain])


def _unit_name(grain, start):
    if grain == "day":
        return f"{start:%Y-%m-%d}"
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}年第{week}周"
    if grain == "month":
        return f"{start.year}年{start.month}月"
    if grain == "quarter":
        return f"{start.year}年{QUARTER_NAMES[(start.month - 1) // 3 + 1]}"
    return f"{start.year}年{'上半年' if start.month == 1 else '下半年'}"


def count_buckets(grain, start, end, periods=()):
    """How many buckets [start, end] has at this grain (cheap: no list is built)."""
    if grain == "period":
        return sum(1 for p in periods if p.start <= end and p.end >= start)
    if grain == "day":
        return (end - start).days + 1
    if grain == "week":
        return (_unit_start("week", end) - _unit_start("week", start)).days // 7 + 1
    months = {"month": 1, "quarter": 3, "half": 6}[grain]
    a, b = _unit_start(grain, start), _unit_start(grain, end)
    return ((b.year - a.year) * 12 + b.month - a.month) // months + 1


def buckets(grain, start, end, periods=()):
    """[Bucket] covering [start, end] at this grain, oldest first, each clipped to the range.

    `periods` (objects with name, start, end) are the buckets of the "period" grain."""
    if grain == "period":
        chosen = sorted((p for p in periods if p.start <= end and p.end >= start), key=lambda p: p.start)
        return [Bucket(p.name, max(p.start, start), min(p.end, end)) for p in chosen]
    out = []
    unit = _unit_start(grain, start)
    while unit <= end:
        after = _unit_after(grain, unit)
        out.append(Bucket(_unit_name(grain, unit), max(unit, start), min(after - datetime.timedelta(days=1), end)))
        unit = after
    return out
