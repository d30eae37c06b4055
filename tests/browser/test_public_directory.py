"""Journey 4: a member of the public finds a market in the 名录 by trade and county."""

import pytest
from playwright.sync_api import expect

from markets.models import Trade
from tests.factories.markets import complete_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_finds_a_market_in_the_directory_by_trade_and_county(open_session, nanming, yunyan, honghuagang):
    cleaning, building = Trade.objects.filter(is_active=True).order_by("sort_order", "code")[:2]
    wanted = complete_market(county=nanming, kind="industry", industry="家政", address="南明区花果园大街8号")
    wanted.trades.set([cleaning])
    other_county = complete_market(county=yunyan, kind="industry", industry="家政")
    other_county.trades.set([cleaning])
    other_trade = complete_market(county=nanming, kind="industry", industry="建筑")
    other_trade.trades.set([building])
    other_city = complete_market(county=honghuagang, kind="industry", industry="家政")
    other_city.trades.set([cleaning])

    session = open_session()
    page = session.page
    page.goto("/")
    page.get_by_role("link", name="零工市场名录").first.click()
    expect(page.get_by_role("heading", name="贵州省零工市场名录")).to_be_visible()
    for market in (wanted, other_county, other_trade, other_city):
        expect(page.get_by_role("link", name=market.name)).to_be_visible()

    page.get_by_label("市州").select_option(label=nanming.parent.name)
    # Choosing a 市州 narrows the county list to its counties.
    county_option = f"{nanming.parent.short_name} {nanming.name}"
    county_select = page.get_by_label("县区")
    expect(county_select.locator("option:not([hidden])", has_text=honghuagang.name)).to_have_count(0)
    expect(county_select.locator("option:not([hidden])", has_text=yunyan.name)).to_have_count(1)
    county_select.select_option(label=county_option)
    page.get_by_label("工种").select_option(label=cleaning.name)
    page.get_by_role("button", name="查询").click()

    results = page.locator(".directory .list-group-item")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(wanted.name)
    expect(results).to_contain_text("南明区花果园大街8号")
    expect(results).to_contain_text(cleaning.name)
    # The search is kept in the form.
    expect(page.get_by_label("工种")).to_have_value(str(cleaning.pk))
    expect(page.get_by_label("县区")).to_have_value(str(nanming.pk))

    results.get_by_role("link", name=wanted.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(wanted.name)
    expect(page.locator("dl")).to_contain_text("南明区花果园大街8号")
    expect(page.locator(".qr-box svg")).to_be_visible()
    session.screenshot("journey4-public-directory")
