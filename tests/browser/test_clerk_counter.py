"""Journey 1: a window clerk at a busy counter, from login to the printed 用工协议."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from markets.models import Trade
from matching.models import Match, MatchState
from registry.models import Employer, Posting, Worker
from registry.validators import build_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wrong_check_digit(id_number):
    """The same 身份证号 with a wrong last character (a typo the check digit catches)."""
    last = id_number[-1]
    return id_number[:-1] + ("1" if last != "1" else "2")


def test_clerk_registers_walk_in_worker_posts_need_and_matches_them(open_session, clerk):
    trade = Trade.objects.filter(is_active=True).order_by("sort_order", "code").first()
    # One whose check character is X, which clerks often type in lower case.
    good_id = next(
        number
        for number in (build_id_number("520102", datetime.date(1988, 3, 9), seq) for seq in range(1, 999))
        if number.endswith("X")
    )
    bad_id = wrong_check_digit(good_id)

    session = open_session()
    page = session.page
    # Log in through the form, typing.
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="工作人员登录").click()
    page.get_by_label("登录账号").press_sequentially(clerk.username)
    page.get_by_label("密码").press_sequentially("Test-pass-2026")
    page.get_by_label("密码").press("Enter")
    expect(page.get_by_role("navigation").get_by_role("link", name="登记零工", exact=True)).to_be_visible()

    # A walk-in worker; the clerk mistypes the 身份证号.
    page.get_by_role("navigation").get_by_role("link", name="登记零工", exact=True).click()
    page.get_by_label("姓名").fill("张 小 明")
    page.get_by_label("身份证号").fill(bad_id)
    page.get_by_label("手机号码").fill("139 1234 5678")
    page.get_by_role("checkbox", name=trade.name, exact=True).check()
    page.get_by_label("期望报酬(元)").fill("220")
    page.get_by_label("备注").fill("会砌墙，自带工具")
    page.get_by_role("button", name="登记（回车提交）").click()

    expect(page.get_by_role("alert")).to_contain_text("请更正下面标红的项目，已填写的内容都已保留。")
    expect(page.locator("#id_id_number")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_text("身份证号校验位不正确，请逐位核对后重新输入。")).to_be_visible()
    # Nothing typed is lost.
    expect(page.get_by_label("姓名")).to_have_value("张 小 明")
    expect(page.get_by_label("身份证号")).to_have_value(bad_id)
    expect(page.get_by_label("手机号码")).to_have_value("139 1234 5678")
    expect(page.get_by_role("checkbox", name=trade.name, exact=True)).to_be_checked()
    expect(page.get_by_label("期望报酬(元)")).to_have_value("220")
    expect(page.get_by_label("备注")).to_have_value("会砌墙，自带工具")
    assert not Worker.objects.exists()

    session.screenshot("journey1-step-bad-id")
    # Corrected, typed with a lower-case x: shown as X while typing, then registered.
    page.get_by_label("身份证号").fill(good_id.lower())
    expect(page.get_by_label("身份证号")).to_have_value(good_id)
    page.get_by_label("身份证号").press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("已登记零工 张小明")
    expect(page.locator(".alert-success")).not_to_contain_text(good_id)
    worker = Worker.objects.get()
    assert worker.name == "张小明" and worker.registered_market == clerk.market
    assert list(worker.trades.all()) == [trade]

    # A walk-in employer (a household) posts its need at the window.
    page.get_by_role("navigation").get_by_role("link", name="发布用工", exact=True).click()
    page.get_by_label("名称/姓名").fill("李女士")
    page.get_by_label("类型").select_option(label="家庭/个人")
    page.get_by_label("联系电话").fill("13885001234")
    page.get_by_label("工种").select_option(label=trade.name)
    page.get_by_label("招用人数").fill("1")
    page.get_by_label("报酬").fill("200")
    page.get_by_label("工作地点").fill("南明区花果园B区")
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已发布用工需求：{trade.name} 1人")
    posting = Posting.objects.get()
    assert posting.employer == Employer.objects.get(name="李女士") and posting.market == clerk.market

    # Today's board → candidates for the need → the worker is proposed, then 洽谈.
    page.get_by_role("navigation").get_by_role("button", name="即时快招").click()
    page.get_by_role("link", name="今日对接看板").click()
    page.get_by_role("row").filter(has_text="李女士").get_by_role("link", name="推荐零工").click()
    candidate = page.get_by_role("row").filter(has_text="张小明")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text(worker.masked_id_number)
    expect(page.locator("main")).not_to_contain_text(good_id)
    candidate.get_by_role("button", name="洽谈").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("张小明 → 李女士")
    expect(page.get_by_role("heading", level=1)).to_contain_text("洽谈中")

    # Confirm, then mark onboarded: one click each.
    page.get_by_role("button", name="确认用工").click()
    expect(page.locator(".alert-success")).to_contain_text("张小明：已变更为“已确认”。")
    page.get_by_role("button", name="登记到岗").click()
    expect(page.locator(".alert-success")).to_contain_text("张小明：已变更为“已到岗”。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已到岗")
    match = Match.objects.get()
    assert (match.worker, match.posting, match.state) == (worker, posting, MatchState.ONBOARD)
    assert list(match.events.order_by("at", "pk").values_list("to_state", flat=True)) == [
        MatchState.NEGOTIATING,
        MatchState.CONFIRMED,
        MatchState.ONBOARD,
    ]

    # The printable 用工协议.
    page.get_by_role("link", name="用工协议").click()
    expect(page.get_by_role("heading", name="零工用工协议")).to_be_visible()
    agreement = page.locator("article.matching-agreement")
    expect(agreement.get_by_role("row", name="甲方(用工主体)")).to_contain_text("李女士")
    expect(agreement.get_by_role("row", name="乙方(零工)")).to_contain_text("张小明")
    expect(agreement.get_by_role("row", name="乙方(零工)")).to_contain_text(worker.masked_id_number)
    expect(agreement.get_by_role("row", name="工作内容")).to_contain_text(trade.name)
    expect(agreement.get_by_role("row", name="工作地点")).to_contain_text("南明区花果园B区")
    expect(agreement.get_by_role("row", name="劳动报酬")).to_contain_text("200 元/日")
    expect(agreement).not_to_contain_text(good_id)
    expect(page.get_by_role("button", name="打印用工协议")).to_be_visible()
    # Printed, only the agreement shows: no navigation bar, no buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="打印用工协议")).to_be_hidden()
    expect(agreement).to_be_visible()
    session.screenshot("journey1-clerk-agreement-print")
