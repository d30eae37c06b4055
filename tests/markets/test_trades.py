"""Province staff extend the shared trade list; others only read it."""

from gigmarket.core.models import AuditEvent
from markets.models import Trade


def test_province_adds_edits_and_deactivates_a_trade(client, province_user):
    client.force_login(province_user)
    data = {"code": "XX-01", "name": "无人机飞手", "category": "新职业", "sort_order": "500", "is_active": "on"}
    assert client.post("/markets/trades/new/", data).status_code == 302
    trade = Trade.objects.get(code="XX-01")
    assert AuditEvent.objects.filter(action="create", target_id=str(trade.pk)).exists()
    assert client.post(f"/markets/trades/{trade.pk}/", {**data, "name": "无人机驾驶员"}).status_code == 302
    assert client.post(f"/markets/trades/{trade.pk}/toggle/").status_code == 302
    trade.refresh_from_db()
    assert trade.name == "无人机驾驶员" and not trade.is_active
    assert "无人机驾驶员" in client.get("/markets/trades/").content.decode()


def test_duplicate_trade_name_is_refused_in_chinese(client, province_user):
    client.force_login(province_user)
    data = {"code": "XX-02", "name": "木工", "sort_order": "1"}
    body = client.post("/markets/trades/new/", data).content.decode()
    assert "已存在" in body
    assert not Trade.objects.filter(code="XX-02").exists()


def test_county_city_and_auditor_cannot_change_the_trade_list(client, county_user, city_user, auditor):
    trade = Trade.objects.get(code="JZ-01")
    for user in (county_user, city_user, auditor):
        client.force_login(user)
        assert client.get("/markets/trades/").status_code == 200
        assert client.post("/markets/trades/new/", {"code": "XX-03", "name": "x", "sort_order": "1"}).status_code == 403
        assert client.post(f"/markets/trades/{trade.pk}/toggle/").status_code == 403
    trade.refresh_from_db()
    assert trade.is_active and not Trade.objects.filter(code="XX-03").exists()


def test_deactivated_trade_is_not_offered_on_new_markets_nor_in_public_search(client, county_user):
    trade = Trade.objects.get(code="JZ-01")
    trade.is_active = False
    trade.save()
    client.force_login(county_user)
    assert trade.name not in client.get("/markets/new/").content.decode()
