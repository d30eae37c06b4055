"""The 名录 as it stood on a past date: a page and a 附件1 export from the market history."""

import datetime
import io

import openpyxl
import time_machine

from gigmarket.core.models import AuditEvent
from markets import services
from markets.attachment1 import FIRST_DATA_ROW, HEADERS


def at(day, hour=9):
    return time_machine.travel(datetime.datetime(2023, *day, hour, tzinfo=datetime.UTC), tick=False)


def sheet(content):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    title = ws.cell(row=1, column=1).value
    rows = [
        [cell.value for cell in row][: len(HEADERS)]
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW)
        if row[1].value  # data rows carry a 市州
    ]
    return title, rows


def history(county_user, nanming, yunyan):
    with at((3, 10)):
        market = services.market_create(
            county=nanming, data={"kind": "general", "address": "旧址", "status": "operating"}, by=county_user
        )
    with at((5, 2)):
        services.market_update(market=market, data={"address": "新址", "industry": "改名"}, by=county_user)
        services.market_create(county=yunyan, data={"kind": "general", "address": "云岩"}, by=county_user)
    with at((7, 1)):
        services.market_close(market=market, closed_on=datetime.date(2023, 7, 1), reason="撤并", by=county_user)
    return market


def test_the_as_of_export_equals_the_export_taken_that_day(client, city_user, county_user, nanming, yunyan):
    client.force_login(city_user)
    with at((3, 10)):
        market = services.market_create(
            county=nanming, data={"kind": "general", "address": "旧址", "status": "operating"}, by=county_user
        )
        services.market_create(county=yunyan, data={"kind": "general", "address": "云岩1号"}, by=county_user)
    with at((3, 10), hour=12):
        that_day = client.get("/reporting/export/", {"city": "520100"})
    with at((5, 2)):
        services.market_update(market=market, data={"address": "新址"}, by=county_user)
        services.market_close(market=market, closed_on=datetime.date(2023, 5, 2), reason="撤并", by=county_user)
    with at((8, 1)):
        later = client.get("/reporting/registry-as-of/", {"date": "2023-03-10", "region": "520100", "format": "xlsx"})
    assert later.status_code == 200
    assert later["Content-Disposition"] == that_day["Content-Disposition"]
    then, now = sheet(that_day.content), sheet(later.content)
    assert then == now
    assert [row[7] for row in now[1]] == ["旧址", "云岩1号"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("-id").first()
    assert event.changes["source"] == "as_of" and event.changes["rows"] == 2


def test_the_page_shows_each_date_as_it_stood(client, county_user, city_user, nanming, yunyan):
    history(county_user, nanming, yunyan)
    client.force_login(city_user)
    with at((8, 1)):
        march = client.get("/reporting/registry-as-of/", {"date": "2023-03-31"}).content.decode()
        june = client.get("/reporting/registry-as-of/", {"date": "2023-06-30", "region": "520102"}).content.decode()
        july = client.get("/reporting/registry-as-of/", {"date": "2023-07-01"}).content.decode()
    assert "旧址" in march and "云岩" not in march.split("data-as-of")[1]
    assert "新址" in june and "（1 个市场）" in june
    assert "已撤销" in july and "（2 个市场）" in july


def test_out_of_scope_region_is_404_and_a_future_date_is_refused(client, county_user, nanming):
    client.force_login(county_user)
    assert client.get("/reporting/registry-as-of/", {"date": "2023-03-31", "region": "520302"}).status_code == 404
    assert client.get("/reporting/registry-as-of/", {"date": "2023-03-31", "region": "520103"}).status_code == 404
    with at((8, 1)):
        response = client.get("/reporting/registry-as-of/", {"date": "2023-09-01"})
    assert response.status_code == 400 and "只能查看今天及以前的名录" in response.content.decode()


def test_county_user_sees_only_own_county_by_default(client, county_user, nanming, yunyan):
    history(county_user, nanming, yunyan)
    client.force_login(county_user)
    with at((8, 1)):
        body = client.get("/reporting/registry-as-of/", {"date": "2023-06-30"}).content.decode()
    table = body.split("data-as-of")[1]
    assert "新址" in table and "云岩" not in table


def test_the_page_query_count_does_not_grow_with_markets(
    client, city_user, county_user, nanming, yunyan, django_assert_num_queries
):
    client.force_login(city_user)

    def count():
        with at((8, 1)), django_assert_num_queries(7) as ctx:  # issue 19: the menu's division comes with the user
            client.get("/reporting/registry-as-of/", {"date": "2023-07-31"})
        return len(ctx.captured_queries)

    with at((3, 10)):
        services.market_create(county=nanming, data={"kind": "general", "address": "一号"}, by=county_user)
    few = count()
    with at((3, 11)):
        for n in range(4):
            services.market_create(
                county=yunyan, data={"kind": "industry", "industry": f"行业{n}", "address": f"{n}号"}, by=county_user
            )
    assert count() == few
