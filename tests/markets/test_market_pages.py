"""Staff pages: list, detail, create, edit, close — scoped, audited, with history."""

import datetime

import pytest
import time_machine

from gigmarket.core.models import AuditEvent
from markets.models import Market, MarketVersion, Trade
from markets.selectors import markets_as_of
from tests.factories.core import UserFactory, division
from tests.factories.markets import MarketFactory, complete_market


def form_data(**overrides):
    data = {
        "county": "",
        "kind": "general",
        "industry": "",
        "township": "",
        "nature": "public",
        "basis": "public_hr",
        "operator": "南明区就业局",
        "contact_person": "王敏",
        "contact_phone": "0851-85550101",
        "hotline": "12333",
        "address": "贵阳市南明区花果园大街1号",
        "status": "operating",
        "zone_service": "on",
        "zone_waiting": "on",
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "14",
        "hours-0-weekdays": ["1", "2", "3", "4", "5"],
        "hours-0-opens": "06:30",
        "hours-0-closes": "12:00",
    }
    data.update(overrides)
    return data


def test_county_staff_creates_a_market_with_hours_trades_history_and_audit(client, county_user, nanming):
    client.force_login(county_user)
    trade = Trade.objects.get(code="JZ-02")
    response = client.post("/markets/new/", form_data(county=nanming.pk, trades=[trade.pk]))
    market = Market.objects.get(county=nanming)
    assert response.status_code == 302
    assert market.name == "贵州省贵阳市南明区零工市场"
    assert list(market.trades.all()) == [trade]
    assert str(market.opening_periods.get()) == "周一至周五 06:30-12:00"
    version = market.versions.get()
    assert version.number == 1 and version.actor == county_user
    assert version.snapshot["row"]["hours"] == "周一至周五 06:30-12:00"
    assert AuditEvent.objects.filter(action="create", target_id=str(market.pk), county=nanming).exists()


def test_bad_input_keeps_typed_data_and_saves_nothing(client, county_user, nanming):
    client.force_login(county_user)
    data = form_data(county=nanming.pk, **{"hours-0-closes": "05:00"}, kind="industry", industry="")
    response = client.post("/markets/new/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间" in body
    assert "贵阳市南明区花果园大街1号" in body
    assert not Market.objects.exists()


def test_county_cannot_create_in_another_county(client, county_user, yunyan):
    client.force_login(county_user)
    response = client.post("/markets/new/", form_data(county=yunyan.pk))
    assert response.status_code == 400
    assert not Market.objects.exists()


def test_edit_keeps_history_of_who_changed_what(client, county_user, market):
    client.force_login(county_user)
    data = form_data(kind="industry", industry=market.industry, address="新地址8号")
    assert client.post(f"/markets/{market.pk}/edit/", data).status_code == 302
    market.refresh_from_db()
    assert market.address == "新地址8号"
    version = market.versions.get()
    assert version.actor == county_user
    assert "address" in version.changed_fields and "hours" in version.changed_fields
    audit = AuditEvent.objects.get(action="update", target_id=str(market.pk))
    assert audit.changes["address"] == ["测试地址1号", "新地址8号"]
    body = client.get(f"/markets/{market.pk}/").content.decode()
    assert "第1版" in body and "地址" in body


def test_saving_without_changes_writes_no_history(client, county_user, nanming):
    from markets import services

    market = services.market_create(county=nanming, data={"kind": "general", "address": "甲"}, by=county_user)
    services.market_update(market=market, data={"address": "甲"}, by=county_user)
    assert market.versions.count() == 1


def test_close_keeps_the_record_with_its_date(client, county_user, market):
    client.force_login(county_user)
    response = client.post(f"/markets/{market.pk}/close/", {"closed_on": "2024-03-01", "reason": "场地拆迁"})
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.status == Market.Status.CLOSED
    assert market.closed_on == datetime.date(2024, 3, 1)
    assert market.versions.get().action == MarketVersion.Action.CLOSE
    assert AuditEvent.objects.filter(action="transition", target_id=str(market.pk)).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/markets/{pk}/"),
        ("get", "/markets/{pk}/edit/"),
        ("post", "/markets/{pk}/edit/"),
        ("post", "/markets/{pk}/close/"),
        ("get", "/markets/{pk}/qr.svg"),
        ("get", "/markets/{pk}/versions/1/"),
    ],
)
def test_other_county_gets_404_and_nothing_changes(client, county2_user, market, method, path):
    from markets import services

    services.market_update(market=market, data={"address": "原地址"}, by=None)
    client.force_login(county2_user)
    data = {"closed_on": "2024-03-01", "reason": "x", **form_data(address="改了")}
    response = getattr(client, method)(path.format(pk=market.pk), data if method == "post" else None)
    assert response.status_code == 404
    market.refresh_from_db()
    assert market.address == "原地址" and market.status == Market.Status.OPERATING


@pytest.mark.parametrize("path", ["/markets/new/", "/markets/{pk}/edit/", "/markets/{pk}/close/", "/markets/import/"])
def test_auditor_and_clerk_get_403_on_writes(client, auditor, clerk, market, path):
    for user in (auditor, clerk):
        client.force_login(user)
        assert client.post(path.format(pk=market.pk), {"closed_on": "2024-03-01", "reason": "x"}).status_code == 403
    market.refresh_from_db()
    assert market.status == Market.Status.OPERATING


def test_city_sees_its_counties_and_province_sees_all(client, city_user, province_user, market, market2, zunyi_market):
    client.force_login(city_user)
    body = client.get("/markets/").content.decode()
    assert market.name in body and market2.name in body and zunyi_market.name not in body
    assert client.get(f"/markets/{zunyi_market.pk}/").status_code == 404
    client.force_login(province_user)
    body = client.get("/markets/").content.decode()
    assert zunyi_market.name in body


def test_city_staff_edit_markets_in_their_scope(client, city_user, market2):
    client.force_login(city_user)
    data = form_data(kind="industry", industry=market2.industry, address="市里改的地址")
    assert client.post(f"/markets/{market2.pk}/edit/", data).status_code == 302
    market2.refresh_from_db()
    assert market2.address == "市里改的地址"


def test_list_filters(client, province_user, nanming, yunyan):
    operating = complete_market(county=nanming)
    MarketFactory(county=yunyan, status=Market.Status.PLANNING, nature="commercial")
    client.force_login(province_user)
    trade = Trade.objects.get(code="JZ-01")
    body = client.get(f"/markets/?trade={trade.pk}").content.decode()
    assert operating.name in body and "云岩区" not in body.split("<tbody>")[1]
    body = client.get("/markets/?status=planning&nature=commercial").content.decode()
    assert operating.name not in body and "贵州省贵阳市云岩区" in body
    body = client.get(f"/markets/?county={nanming.pk}&q=南明").content.decode()
    assert operating.name in body
    body = client.get("/markets/?kind=station").content.decode()
    assert "没有符合条件的零工市场" in body


def test_list_query_count_does_not_grow_with_rows(client, province_user, nanming, django_assert_num_queries):
    client.force_login(province_user)
    complete_market(county=nanming)
    client.get("/markets/")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/markets/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(15):
        complete_market(county=division("520103"), kind="industry", industry=f"行{_}")
    assert count() == few
    with django_assert_num_queries(few):
        client.get("/markets/")


def test_detail_shows_the_standard_check(client, county_user, market):
    client.force_login(county_user)
    body = client.get(f"/markets/{market.pk}/").content.decode()
    assert "全省统一建设标准核查" in body
    assert "未悬挂统一标识" in body


def test_registry_as_it_stood_on_a_date(county_user, nanming, yunyan):
    from markets import services

    with time_machine.travel(datetime.datetime(2023, 3, 10, 9, tzinfo=datetime.UTC)):
        market = services.market_create(
            county=nanming, data={"kind": "general", "address": "旧址", "status": "operating"}, by=county_user
        )
    with time_machine.travel(datetime.datetime(2023, 5, 2, 9, tzinfo=datetime.UTC)):
        services.market_update(market=market, data={"address": "新址"}, by=county_user)
        services.market_create(county=yunyan, data={"kind": "general", "address": "云岩"}, by=county_user)
    with time_machine.travel(datetime.datetime(2023, 7, 1, 9, tzinfo=datetime.UTC)):
        services.market_close(market=market, closed_on=datetime.date(2023, 7, 1), reason="撤并", by=county_user)

    counties = [nanming, yunyan]
    assert [v.snapshot["row"]["address"] for v in markets_as_of(datetime.date(2023, 3, 31), counties)] == ["旧址"]
    june = list(markets_as_of(datetime.date(2023, 6, 30), counties))
    assert [(v.county.name, v.snapshot["row"]["address"]) for v in june] == [("南明区", "新址"), ("云岩区", "云岩")]
    july = {v.county.name: v.status for v in markets_as_of(datetime.date(2023, 7, 1), counties)}
    assert july == {"南明区": "closed", "云岩区": "planning"}
    assert list(markets_as_of(datetime.date(2023, 3, 31), [yunyan])) == []


def test_clerk_sees_only_own_market(client, clerk, market, market2):
    client.force_login(clerk)
    body = client.get("/markets/").content.decode()
    assert market.name in body and market2.name not in body
    assert client.get(f"/markets/{market2.pk}/").status_code == 404


def test_dashboard_shows_market_cards(client, county_user, market):
    client.force_login(county_user)
    body = client.get("/").content.decode()
    assert "建设标准达标率" in body and "运营中" in body


def test_another_county_user_cannot_be_made_to_write_outside(client, db, market):
    stray = UserFactory(role="county", division=division("520302"), username="zy_county")
    client.force_login(stray)
    assert client.get(f"/markets/{market.pk}/edit/").status_code == 404


def test_list_shows_how_many_items_a_market_meets_and_names_the_missed_ones(client, province_user, nanming):
    complete = complete_market(county=nanming)
    bare = MarketFactory(county=nanming)
    client.force_login(province_user)
    body = client.get("/markets/").content.decode()
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in body.split("<tr>")[2:]}
    assert "全部达标" in rows[complete.name]
    assert 'title="统一标识、功能区域、' in rows[bare.name] and "运行时间、联系方式、服务工种" in rows[bare.name]
    assert "全部达标" not in rows[bare.name]
