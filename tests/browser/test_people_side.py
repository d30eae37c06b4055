"""Journeys of the people's side on a phone (375 px): a worker scans a market's QR code, finds
today's job and applies with the SMS code; the clerk confirms it from the queue and the
worker's confirmation SMS is in the outbox. An employer submits a need at /hire/, the clerk
publishes it, it appears in the public job search. Every public page fits 375 px with no
horizontal scroll."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Application, Match, MatchState
from registry.models import EmployerNeed, Posting
from registry.validators import build_credit_code
from tests.factories.markets import complete_market
from tests.factories.registry import PostingFactory, WorkerFactory
from tests.factories.sms import last_code, messages_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
WORKER_PHONE = "13812345678"
EMPLOYER_PHONE = "13512340000"


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def phone_session(open_session):
    session = open_session()
    session.page.set_viewport_size(PHONE)
    return session


def assert_fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 375 px (scrollWidth {width})"


def test_worker_scans_the_qr_applies_with_the_code_and_the_clerk_confirms(open_session, nanming, clerk):
    market = complete_market(county=nanming)
    clerk.market = market
    clerk.save(update_fields=["market"])
    WorkerFactory(name="张小明", mobile=WORKER_PHONE, registered_market=market)
    posting = PostingFactory(market=market, headcount=2, place="观山湖区金阳工地")

    worker = phone_session(open_session)
    page = worker.page
    page.goto(f"/markets/directory/{market.pk}/")  # where the QR code on the wall points
    expect(page.get_by_role("heading", level=1)).to_have_text(market.name)
    assert_fits_phone(page)
    page.get_by_role("link", name="本市场今日岗位").click()
    card = page.locator(".job-card", has_text="观山湖区金阳工地")
    expect(card).to_contain_text("还差 2 人")
    assert_fits_phone(page)
    card.get_by_role("link", name="我要报名").click()
    expect(page.get_by_role("heading", name="我要报名")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_label("姓名").fill("张小明")
    page.get_by_label("手机号码").fill(WORKER_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()
    assert page.get_by_label("姓名").input_value() == "张小明"  # typed data survives the code step
    page.get_by_label("短信验证码").fill(last_code(WORKER_PHONE))
    page.get_by_label(re.compile("我已阅读并同意")).check()
    page.get_by_role("button", name="提交报名").click()
    expect(page.get_by_text("报名成功")).to_be_visible()
    expect(page.locator("body")).to_contain_text(posting.trade.name)
    assert_fits_phone(page)
    application = Application.objects.get()
    assert application.posting == posting and application.state == Application.State.NEW

    desk = open_session()
    desk_page = desk.login(clerk.username)
    desk_page.goto("/jobs/desk/")
    row = desk_page.locator("tr", has_text="张小明")
    expect(row).to_contain_text("138****5678")
    row.get_by_role("button", name="转为洽谈").click()
    expect(desk_page.locator(".alert-success")).to_contain_text("张小明的报名已转为洽谈")
    desk_page.get_by_role("button", name="确认用工").click()
    expect(desk_page.locator(".alert-success")).to_be_visible()

    match = Match.objects.get()
    assert match.state == MatchState.CONFIRMED and match.posting == posting
    (sms,) = messages_to(WORKER_PHONE, "match_confirmed")
    assert sms.params["place"] == "观山湖区金阳工地" and sms.params["date"] == f"{posting.work_date:%m月%d日}"
    worker.screenshot("people-worker-applied-375")


def test_employer_posts_a_need_the_clerk_publishes_it_and_it_is_public(open_session, nanming, clerk):
    market = complete_market(county=nanming)
    clerk.market = market
    clerk.save(update_fields=["market"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    employer = phone_session(open_session)
    page = employer.page
    page.goto("/hire/")
    assert_fits_phone(page)
    page.get_by_label("发布到零工市场").select_option(label=f"{nanming.name} · {market.name}")
    page.get_by_label("企业").check()
    page.get_by_label("单位名称/姓名").fill("贵州云仓物流有限公司")
    page.get_by_label("统一社会信用代码").fill(build_credit_code("520102", 4321))
    page.get_by_label("工种").select_option(index=1)
    page.get_by_label("招用人数").fill("3")
    page.get_by_label("报酬(元)").fill("230")
    page.get_by_label("用工日期(起)").fill(tomorrow.isoformat())
    page.get_by_label("工作地点").fill("观山湖区金阳仓库3号库")
    page.get_by_label("联系手机").fill(EMPLOYER_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("[data-code-sent]")).to_be_visible()
    assert page.get_by_label("工作地点").input_value() == "观山湖区金阳仓库3号库"
    page.get_by_label("短信验证码").fill(last_code(EMPLOYER_PHONE))
    page.get_by_label("我已阅读并同意上述个人信息处理告知").check()
    page.get_by_role("button", name="提交招工信息").click()
    expect(page.locator("body")).to_contain_text("待审核")
    assert_fits_phone(page)
    need = EmployerNeed.objects.get()
    assert need.status == EmployerNeed.Status.PENDING

    # Not public before the review.
    page.goto("/jobs/")
    expect(page.locator(".job-card", has_text="观山湖区金阳仓库3号库")).to_have_count(0)

    desk = open_session()
    desk_page = desk.login(clerk.username)
    desk_page.goto("/hire/review/")
    desk_page.get_by_role("link", name="贵州云仓物流有限公司").click()
    desk_page.get_by_role("button", name="审核通过并发布").click()
    expect(desk_page.locator(".alert-success")).to_be_visible()
    need.refresh_from_db()
    assert need.status == EmployerNeed.Status.PUBLISHED
    assert need.posting.status == Posting.Status.OPEN

    page.goto("/jobs/?when=tomorrow")
    card = page.locator(".job-card", has_text="观山湖区金阳仓库3号库")
    expect(card).to_contain_text("还差 3 人")
    expect(card).to_contain_text("230元/")
    expect(card).to_contain_text("贵州云仓物流有限公司")
    assert_fits_phone(page)
    assert messages_to(EMPLOYER_PHONE, "need_published")
