"""The charts drawn by Chart.js in a real browser: the monitoring trend at every width, the
home trend and the completeness history; no CSP or script error; charts still there in print.
Screenshots at 1366 and 375 px under test-artifacts/browser/."""

import pytest

from reporting.calendar import beijing_today
from reporting.demo import _history
from reporting.services import periods_generate
from tests.factories.markets import MarketFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _drawn(page, selector):
    """True when the canvas has a chart and some non-blank pixels."""
    return page.eval_on_selector(
        selector,
        """c => { if (!window.Chart || !window.Chart.getChart(c)) return false;
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  for (let i = 3; i < d.length; i += 4) if (d[i]) return true; return false; }""",
    )


def test_charts_draw_at_desktop_and_phone_widths_and_print(open_session, province_user, nanming):
    periods_generate()
    MarketFactory.create_batch(3, county=nanming)
    _history(beijing_today())
    session = open_session()
    page = session.login(province_user.username)
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/reporting/monitoring/?grain=month&start=2024-01-01&end=2025-12-31")
        assert _drawn(page, 'canvas[data-chart="trend-chart"]')
        assert page.locator('table[data-table="trend"] tbody tr').count() == 24
        session.screenshot(f"monitoring-month-{width}")
        page.goto("/reporting/monitoring/?grain=week&start=2025-01-01&end=2025-06-30&county=520102")
        assert _drawn(page, 'canvas[data-chart="trend-chart"]')
        session.screenshot(f"monitoring-week-county-{width}")
        page.goto("/")
        assert _drawn(page, 'canvas[data-chart="home-trend"]')
        session.screenshot(f"home-trend-{width}")
        page.goto("/reporting/periods/history/")
        assert _drawn(page, 'canvas[data-chart="history-chart"]')
        session.screenshot(f"completeness-history-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/reporting/monitoring/?grain=quarter&start=2024-01-01&end=2025-12-31")
    page.emulate_media(media="print")
    assert page.locator('canvas[data-chart="trend-chart"]').is_visible()
    assert page.locator('table[data-table="trend"]').is_visible()
    session.screenshot("monitoring-quarter-print")
