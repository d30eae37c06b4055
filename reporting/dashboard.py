"""Home-page cards: the current period, and my status (county) or the laggards (市州 / 省)."""

from django.urls import reverse

from gigmarket.core.models import Role

from .models import Submission
from .selectors import awaiting_action, current_period, period_board, submissions_for_user


def dashboard_cards(user):
    period = current_period()
    if period is None or user.role == Role.CLERK:
        return []
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
    return cards
