"""Journey 5: a county user typing another county's addresses gets 404 pages, and nothing changes."""

import pytest
from playwright.sync_api import expect

from markets.models import Market
from reporting.selectors import current_period
from reporting.services import submission_submit
from tests.factories.registry import WorkerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_gets_404_for_another_countys_market_worker_and_submission(
    open_session, county_user, county2_user, market, market2
):
    own_worker = WorkerFactory(registered_market=market)
    other_worker = WorkerFactory(registered_market=market2)
    other_submission = submission_submit(period=current_period(), county=market2.county, by=county2_user)
    before = Market.objects.values().get(pk=market2.pk)

    session = open_session()
    page = session.login(county_user.username)

    # Own county: the pages open (so a 404 below is about scope, not a broken address).
    for url in (f"/markets/{market.pk}/", f"/registry/workers/{own_worker.pk}/"):
        response = page.goto(url)
        assert response.status == 200, url

    other_county = [
        f"/markets/{market2.pk}/",
        f"/markets/{market2.pk}/edit/",
        f"/registry/workers/{other_worker.pk}/",
        f"/registry/workers/{other_worker.pk}/edit/",
        f"/reporting/submissions/{other_submission.pk}/",
    ]
    for url in other_county:
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
        expect(page.get_by_text("不在您的管理范围内")).to_be_visible()
        # Nothing of the other county leaks into the 404 page.
        expect(page.locator("main")).not_to_contain_text(market2.name)
        expect(page.locator("main")).not_to_contain_text(other_worker.name)
    session.screenshot("journey5-other-county-404")

    assert Market.objects.values().get(pk=market2.pk) == before
