"""The 附件1 rows from plain values() are the rows of the models, and the writer's plain-row
shortcut writes the same file as writing cell by cell."""

import datetime
import io
import re
import zipfile

import pytest

from gigmarket.core.exports import XlsxSheet
from markets.attachment1 import import_template, market_row, market_rows, write_attachment1
from markets.models import Market, OpeningPeriod, Trade
from markets.selectors import market_row_values, markets_for_rows
from tests.factories.core import division
from tests.factories.markets import MarketFactory, TradeFactory, complete_market


@pytest.fixture
def varied_markets(nanming, yunyan):
    """Every kind, nature and basis; several periods a day, the same days twice, none; trades
    out of their code order, none; hostile and multi-line text."""
    complete_market(county=nanming, basis=Market.Basis.PUBLIC_HR_MARKET, remarks="=1+1", operator="+86 运营")
    station = MarketFactory(
        county=nanming,
        kind=Market.Kind.STATION,
        industry="",
        township="花溪镇",
        nature=Market.Nature.COMMERCIAL,
        integrity_listed=True,
        status=Market.Status.SUSPENDED,
        remarks="第一行\n- 第二行",
        zone_waiting=True,
        fac_water=True,
    )
    for weekdays, opens, closes in (("67", (7, 0), (11, 0)), ("12345", (14, 0), (18, 0)), ("12345", (6, 0), (12, 0))):
        OpeningPeriod.objects.create(
            market=station, weekdays=weekdays, opens=datetime.time(*opens), closes=datetime.time(*closes)
        )
    station.trades.add(
        TradeFactory(code="ZZ-9", name="后排工种", sort_order=1), TradeFactory(code="AA-1", sort_order=9)
    )
    commercial = MarketFactory(county=yunyan, nature=Market.Nature.COMMERCIAL, basis=Market.Basis.GATHERING_POINT)
    commercial.trades.add(Trade.objects.get(code="JZ-01"))
    MarketFactory(county=division("520302"), status=Market.Status.CLOSED, closed_on=datetime.date(2026, 1, 5))


def test_rows_from_values_are_the_rows_of_the_models(varied_markets, django_assert_num_queries):
    qs = Market.objects.order_by("county__code", "name")
    expected = [market_row(m) for m in markets_for_rows(qs)]
    with django_assert_num_queries(3):  # markets, trades, opening periods: whatever the number
        rows = market_rows(market_row_values(qs))
    assert rows == expected
    assert {"零工驿站（花溪镇）", "市场化（诚信运营）", "暂停"} <= {v for r in rows for v in r.values()}
    assert any(r["trades"].startswith("后排工种、测试工种") for r in rows)  # Trade's order, not the codes'

    assert "周一至周五 06:00-12:00、14:00-18:00；周六、周日 07:00-11:00" in {r["hours"] for r in rows}


def test_a_sliced_queryset_gives_the_rows_of_its_slice(varied_markets):
    qs = Market.objects.order_by("-name")[:2]
    assert market_rows(market_row_values(qs)) == [market_row(m) for m in markets_for_rows(qs)]


def xlsx_parts(content):
    """Every part of the file, byte for byte, but the creation time in docProps/core.xml."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    parts = {name: archive.read(name) for name in archive.namelist()}
    parts["docProps/core.xml"] = re.sub(
        rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"", parts["docProps/core.xml"]
    )
    return parts


def test_the_plain_row_shortcut_writes_the_same_file_as_cell_by_cell(varied_markets, nanming, monkeypatch):
    rows = market_rows(market_row_values(Market.objects.order_by("county__code", "name")))
    rows.append({"name": "\t=1", "remarks": "王\x07敏", "address": "a\r\nb", "hours": "", "status": None})
    counties = [nanming]

    def files():
        return [
            write_attachment1(rows, title="贵州省零工市场名录"),
            write_attachment1([], title="空"),
            import_template(counties)[0],
        ]

    fast = files()
    monkeypatch.setattr(XlsxSheet, "_write_plain_row", lambda self, row, values, styles: False)
    careful = files()
    assert [xlsx_parts(content) for content in fast] == [xlsx_parts(content) for content in careful]
