"""Home-page cards for 即时快招."""

from django.urls import reverse
from django.utils import timezone

from . import numbers, selectors
from .models import Placement, RightsCase


def dashboard_cards(user):
    today = timezone.localdate()
    _, total = numbers.day_numbers(user, today, "county")
    open_cases = selectors.rights_cases_for(user).filter(state__in=RightsCase.OPEN_STATES)
    wage_cases = open_cases.filter(kind=RightsCase.Kind.WAGES).count()
    due = selectors.placements_for(user).filter(status=Placement.Status.ACTIVE, next_follow_up__lte=today).count()
    queue = [card] if (card := online_queue_card(user)) is not None and user.role == "clerk" else []
    return [
        *queue,
        {
            "title": "今日对接",
            "value": total.matches,
            "url": reverse("matching:board"),
            "note": f"确认 {total.confirmations} 人次，到岗 {total.onboarded} 人次",
        },
        {
            "title": "未办结维权案件",
            "value": open_cases.count(),
            "url": reverse("matching:case_list"),
            "note": f"其中欠薪 {wage_cases} 件",
        },
        {
            "title": "公益性岗位待回访",
            "value": due,
            "url": reverse("matching:placement_list") + "?due=1",
            "note": "已到下次回访日期的安置",
        },
    ]


def online_queue_card(user):
    """A window clerk's card: the market's online queues (新报名, 预登记) waiting at the counter."""
    if not user.market_id:
        return None
    counts = selectors.market_queue_counts(user.market_id)
    return {
        "title": "线上报名待处理",
        "value": counts["applications"] + counts["preregistrations"],
        "url": reverse("jobs:queue"),
        "note": f"新报名 {counts['applications']} 人，预登记 {counts['preregistrations']} 人",
    }
