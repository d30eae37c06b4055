"""Home-page cards: the current period, and my status (county) or the laggards (市州 / 省);
for every role, the trend of registrations and matches over the last 12 weeks in its scope."""

import datetime

from django.urls import reverse

from gigmarket.core.models import Role
from gigmarket.core.scoping import Level, user_scope

from .calendar import beijing_today
from .figures import trend
from .grains import buckets
from .models import Submission
from .rollups import M
from .selectors import awaiting_action, current_period, period_board, submissions_for_user

TREND_WEEKS = 12
HOME_SERIES = [(M.NEW_SEEKERS, "#198754"), (M.MATCHES, "#6f42c1")]


def _home_region(user):
    """(level, id) of the user's whole scope, as the monitoring page reads it; None without one."""
    scope = user_scope(user)
    if scope.level == Level.MARKET and scope.market_id:
        return "market", scope.market_id
    if scope.level == Level.COUNTY:
        return "county", scope.county_id
    if scope.level == Level.CITY:
        return "city", scope.city_id
    if scope.level == Level.PROVINCE:
        return "province", None
    return None


def trend_card(user, *, today=None):
    """Registrations and matches per week, the last 12 weeks (this one included), in one query."""
    region = _home_region(user)
    if region is None:
        return None
    today = today or beijing_today()
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = trend(user, region, buckets("week", monday - datetime.timedelta(weeks=TREND_WEEKS - 1), today))
    series = [{"name": str(m.label), "colour": c, "values": [f.get(m) for f in weeks]} for m, c in HOME_SERIES]
    labels = [f"{f.key.start:%m-%d}" for f in weeks]  # the Monday of each week
    return {
        "title": f"近{TREND_WEEKS}周趋势",
        "value": "",
        "url": reverse("reporting:monitoring") + f"?grain=week&start={weeks[0].key.start}&end={today}",
        "note": "新增求职登记与对接成功数，按周（周一起）统计",
        "chart": {
            "id": "home-trend",
            "data": {"labels": labels, "series": series, "title": ""},
            "headers": ["周（起始日）", *(s["name"] for s in series)],
            "rows": [[label, *values] for label, *values in zip(labels, *(s["values"] for s in series), strict=True)],
        },
    }


def dashboard_cards(user):
    chart = trend_card(user)
    period = current_period()
    if period is None or user.role == Role.CLERK:
        return [chart] if chart else []
    url = reverse("reporting:period_detail", args=[period.pk])
    cards = [
        {
            "title": "当前名录报送期",
            "value": period.name,
            "url": url,
            "note": f"截止日期 {period.due_date:%Y年%m月%d日}",
        }
    ]
    if user.role == Role.COUNTY:
        sub = Submission.objects.filter(period=period, county_id=user.division_id).first()
        cards.append(
            {
                "title": "本县区报送状态",
                "value": sub.get_status_display() if sub else "未报送",
                "url": reverse("reporting:period_review", args=[period.pk]),
                "note": f"退回原因：{sub.return_reason}" if sub and sub.return_reason else "",
            }
        )
    else:
        if user.is_superuser or user.role in (Role.CITY, Role.PROVINCE):
            waiting = awaiting_action(user, submissions_for_user(user)).count()
            cards.append(
                {
                    "title": "待审核",
                    "value": f"{waiting} 份",
                    "url": reverse("reporting:submission_list") + "?status=todo",
                    "note": "等待本级审核的名录报送" if waiting else "暂无待审核的报送",
                }
            )
        board = period_board(period, user)
        total = board["total"]
        names = "、".join(c.short_name for c, _ in total.laggards[:5])
        more = "等" if len(total.laggards) > 5 else ""
        cards.append(
            {
                "title": "本期已报送 / 应报县区",
                "value": f"{total.submitted} / {total.expected}",
                "url": url,
                "note": f"未报：{names}{more}" if names else "全部已报送",
            }
        )
    if chart:
        cards.append(chart)
    return cards
