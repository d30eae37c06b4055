"""Printable pages as Chromium prints them: A4 from the pages' own `@page`, no navigation,
filters or buttons in print, a print date and source line."""

import re

import pytest

from tests.factories.markets import complete_market
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_POINTS = (595, 842)


def page_sizes(pdf):
    """(width, height) in points of every page of a PDF Chromium wrote."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def assert_prints_on_a4_without_controls(page):
    page.emulate_media(media="print")
    for selector in ("nav.navbar", "footer", "form", ".btn"):
        assert all(not element.is_visible() for element in page.locator(selector).all()), selector
    assert page.locator(".print-source").is_visible()
    assert "打印时间" in page.locator(".print-source").inner_text()
    sizes = page_sizes(page.pdf(prefer_css_page_size=True))  # no format given: the CSS decides
    assert sizes and all(size == A4_POINTS for size in sizes), sizes


def test_agreement_monitoring_and_directory_print_on_a4_without_controls(open_session, clerk, province_user, nanming):
    from reporting.services import periods_generate

    periods_generate()
    market = complete_market(county=nanming)
    clerk.market = market
    clerk.save()
    match = make_match(posting=PostingFactory(market=market), by=clerk, state="confirmed")

    session = open_session()
    page = session.login(clerk.username)
    page.goto(f"/matching/matches/{match.pk}/agreement/")
    assert_prints_on_a4_without_controls(page)
    assert page.get_by_text("零工市场（盖章）").is_visible()

    session = open_session()
    page = session.login(province_user.username)
    page.goto("/reporting/monitoring/")
    page.emulate_media(media="screen")
    assert page.locator("form select[name=period]").is_visible()  # on screen the filters are there
    assert_prints_on_a4_without_controls(page)
    session.screenshot("monitoring-print")

    public = open_session()
    for url in ("/markets/directory/", f"/markets/directory/{market.pk}/"):
        public.page.goto(url)
        assert_prints_on_a4_without_controls(public.page)
