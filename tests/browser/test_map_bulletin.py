"""The map and the 省级通报 as Chromium draws and prints them (issue 17)."""

import pytest

from tests.browser.test_print_pages import A4_POINTS, assert_prints_on_a4_without_controls, page_sizes
from tests.factories.markets import MarketFactory, complete_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_map_draws_every_county_and_a_click_drills_down(open_session, province_user, nanming):
    from reporting.services import periods_generate

    periods_generate()
    complete_market(county=nanming, longitude="106.71", latitude="26.57")
    session = open_session()
    page = session.login(province_user.username)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/reporting/map/?figure=compliance")
    assert page.locator("svg[data-map] a.county").count() == 88
    assert page.locator("svg[data-map] circle[data-market]").count() == 1
    box = page.locator("svg[data-map]").bounding_box()
    assert box["width"] > 600  # the map has room beside its table
    session.screenshot("map-1366")
    page.locator('svg[data-map] a[data-county="520102"]').click()
    page.wait_for_url("**/reporting/monitoring/?county=520102*")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/reporting/map/?figure=timeliness")
    assert page.locator("svg[data-map]").bounding_box()["width"] <= 375
    session.screenshot("map-375")


def test_bulletin_prints_on_one_a4_page(open_session, province_user, nanming, honghuagang):
    from reporting.selectors import periods_for_listing
    from reporting.services import periods_generate

    periods_generate()
    for county in (nanming, honghuagang):
        for _ in range(15):  # long reality-check lists must not push the page over
            MarketFactory(county=county)
    period = periods_for_listing().first()
    session = open_session()
    page = session.login(province_user.username)
    page.goto(f"/reporting/periods/{period.pk}/bulletin/")
    assert page.locator("tr[data-city]").count() == 9
    assert_prints_on_a4_without_controls(page)
    sizes = page_sizes(page.pdf(prefer_css_page_size=True))
    assert sizes == [A4_POINTS], sizes
    session.screenshot("bulletin-print")
