"""Home cards: markets in scope, operating, and compliance with the provincial standard."""

from django.urls import reverse

from .selectors import markets_in_scope_for_check
from .standards import check_market


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
    ]
