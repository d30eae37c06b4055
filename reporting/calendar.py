"""The reporting calendar: pure date arithmetic, no database.

Notice 十三: quarterly reports until June 2023 (first due 2022-12-25, then the 5th day
after each quarter), half-yearly from July 2023. The rules themselves are rows
(`ReportingRule`); this module turns one rule into its periods.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import BEIJING, ReportingRule

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}

# The calendar of notice 十三, installed by migration 0002 and editable afterwards.
DEFAULT_RULES = [
    {
        "name": "首次报送（截至2022年第四季度）",
        "cadence": ReportingRule.Cadence.ONCE,
        "effective_from": datetime.date(2022, 10, 1),
        "effective_until": datetime.date(2022, 12, 31),
        "fixed_due_date": datetime.date(2022, 12, 25),
        "due_offset_days": 5,
    },
    {
        "name": "2023年6月前按季度报送",
        "cadence": ReportingRule.Cadence.QUARTERLY,
        "effective_from": datetime.date(2023, 1, 1),
        "effective_until": datetime.date(2023, 6, 30),
        "fixed_due_date": None,
        "due_offset_days": 5,
    },
    {
        "name": "2023年7月起每半年报送",
        "cadence": ReportingRule.Cadence.HALF_YEARLY,
        "effective_from": datetime.date(2023, 7, 1),
        "effective_until": None,
        "fixed_due_date": None,
        "due_offset_days": 5,
    },
]


@dataclass(frozen=True)
class PeriodSpec:
    name: str
    start: datetime.date
    end: datetime.date
    due_date: datetime.date


def beijing_today(now=None):
    """Today's date in Beijing, whatever the server's clock zone."""
    return (now or timezone.now()).astimezone(BEIJING).date()


def _add_months(day, months):
    month_index = day.month - 1 + months
    return day.replace(year=day.year + month_index // 12, month=month_index % 12 + 1, day=1)


def period_name(start, end):
    """2023年第一季度, 2023年下半年, 2023年, or a plain date span for anything else."""
    next_day = end + datetime.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        months = (next_day.year - start.year) * 12 + next_day.month - start.month
        if months == 3 and start.month in (1, 4, 7, 10):
            return f"{start.year}年{QUARTER_NAMES[(start.month - 1) // 3 + 1]}"
        if months == 6 and start.month in (1, 7):
            return f"{start.year}年{'上半年' if start.month == 1 else '下半年'}"
        if months == 12 and start.month == 1:
            return f"{start.year}年"
    return f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}"


def rule_periods(rule, *, until):
    """The periods `rule` defines that start on or before `until`."""
    if rule.cadence == ReportingRule.Cadence.ONCE:
        if rule.effective_from <= until:
            yield PeriodSpec(
                name=period_name(rule.effective_from, rule.effective_until),
                start=rule.effective_from,
                end=rule.effective_until,
                due_date=rule.fixed_due_date,
            )
        return
    months = 3 if rule.cadence == ReportingRule.Cadence.QUARTERLY else 6
    start = rule.effective_from.replace(day=1)
    while start <= until:
        end = _add_months(start, months) - datetime.timedelta(days=1)
        if rule.effective_until and end > rule.effective_until:
            return
        yield PeriodSpec(
            name=period_name(start, end),
            start=start,
            end=end,
            due_date=end + datetime.timedelta(days=rule.due_offset_days),
        )
        start = end + datetime.timedelta(days=1)
