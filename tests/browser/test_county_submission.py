"""Journey 2: a county user fixes a market, sees the standard check change, reviews and
submits the period's 名录; the 市州 user forwards it and the province user accepts it."""

import re

import pytest
from playwright.sync_api import expect

from reporting.models import Submission
from reporting.selectors import current_period
from tests.factories.markets import complete_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_row(page, label):
    """The standard-check table row of one item (e.g. 统一标识)."""
    return page.locator("table tr").filter(has=page.get_by_role("cell", name=label, exact=True))


def test_county_edits_market_then_submission_goes_county_to_city_to_province(
    open_session, county_user, city_user, province_user, nanming
):
    market = complete_market(county=nanming, sign_hung=False)
    period = current_period()

    # County: the market misses exactly one item of the standard.
    county = open_session()
    page = county.login(county_user.username)
    page.goto(f"/markets/{market.pk}/")
    badge = page.locator("h2", has_text="全省统一建设标准核查").locator(".badge")
    expect(badge).to_have_text(re.compile(r"^(\d+)/(\d+) 项达标$"))
    met, total = map(int, re.findall(r"\d+", badge.inner_text()))
    assert met == total - 1
    expect(check_row(page, "统一标识")).to_contain_text("未达标")

    # Fix it through the edit form.
    page.get_by_role("link", name="编辑").click()
    sign = page.get_by_label("已悬挂统一标识")
    expect(sign).not_to_be_checked()
    sign.check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已保存 {market.name}")
    expect(badge).to_have_text(f"{total}/{total} 项达标")
    expect(check_row(page, "统一标识")).to_contain_text("达标")
    expect(check_row(page, "统一标识")).not_to_contain_text("未达标")

    # Review the period's 名录 and submit (the confirm dialog is accepted).
    page.get_by_role("button", name="名录报送").click()
    page.get_by_role("link", name="报送期与进度").click()
    page.locator(".alert-info").get_by_role("link", name=period.name).click()
    page.get_by_role("link", name="核对名录并报送").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"核对并报送{period.name}零工市场名录")
    expect(page.get_by_text("标准检查：全部市场符合要求。")).to_be_visible()
    expect(page.locator("table").get_by_role("cell", name=market.name, exact=True)).to_be_visible()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="确认报送").click()
    expect(page.locator(".alert-success")).to_contain_text("名录已报送（1个市场），等待市州审核")
    assert dialogs and "报送后将冻结当前名录" in dialogs[0]
    expect(page.locator("dl")).to_contain_text("已报送，待市州审核")

    # 市州: finds it among the submissions awaiting it and forwards it.
    city = open_session()
    page = city.login(city_user.username)
    page.goto("/reporting/submissions/?status=todo")
    page.get_by_role("row", name=re.compile(period.name)).get_by_role("link", name=nanming.name).click()
    page.get_by_role("button", name="审核通过，上报省级").click()
    expect(page.locator(".alert-success")).to_contain_text("已审核通过并上报省级。")
    expect(page.locator("dl")).to_contain_text("市州已审核，待省级确认")

    # Province: accepts it; it is locked.
    province = open_session()
    page = province.login(province_user.username)
    page.goto("/reporting/submissions/?status=todo")
    page.get_by_role("row", name=re.compile(period.name)).get_by_role("link", name=nanming.name).click()
    page.get_by_role("button", name="确认（锁定）").click()
    expect(page.locator(".alert-success")).to_contain_text("已确认，该报送已锁定。")
    expect(page.locator("dl")).to_contain_text("省级已确认（已锁定）")
    expect(page.get_by_role("button", name="确认（锁定）")).to_have_count(0)
    expect(page.locator("[data-history] li")).to_have_count(3)
    province.screenshot("journey2-province-accepted")

    submission = Submission.objects.get(period=period, county=nanming)
    assert submission.status == Submission.Status.ACCEPTED
    assert [item["row"]["name"] for item in submission.rows] == [market.name]
    assert submission.submitted_by == county_user and submission.reviewed_by == province_user
