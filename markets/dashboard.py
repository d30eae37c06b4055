"""Home cards: markets in scope, operating, compliance with the provincial standard, and
the 整改 still open (how many past their deadline)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.scoping import scope_queryset

from .models import Rectification
from .selectors import markets_in_scope_for_check
from .standards import check_market


def rectification_card(user, *, today=None):
    """Open 整改 in scope and those past their deadline: one query."""
    today = today or timezone.localdate()
    counts = scope_queryset(Rectification.objects.filter(status=Rectification.Status.OPEN), user).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today))
    )
    url = reverse("markets:rectification_list")
    return {
        "title": "整改中",
        "value": counts["open"],
        "url": url + ("?status=open&overdue=on" if counts["overdue"] else "?status=open"),
        "note": f"已逾期 {counts['overdue']} 项" if counts["overdue"] else "没有逾期的整改",
    }


def dashboard_cards(user):
    markets = list(markets_in_scope_for_check(user))
    operating = [m for m in markets if m.status == m.Status.OPERATING]
    compliant = sum(1 for m in markets if check_market(m).compliant)
    rate = f"{round(100 * compliant / len(markets))}%" if markets else "—"
    return [
        {
            "title": "零工市场",
            "value": len(markets),
            "url": reverse("markets:list"),
            "note": "辖区内未撤销的零工市场（含零工驿站）",
        },
        {
            "title": "运营中",
            "value": len(operating),
            "url": reverse("markets:list") + "?status=operating",
            "note": "在公开名录中展示",
        },
        {
            "title": "建设标准达标率",
            "value": rate,
            "url": reverse("markets:compliance"),
            "note": f"全部达标 {compliant} 个",
        },
        rectification_card(user),
    ]
