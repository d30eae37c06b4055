"""今日零工岗位 (public search), 我要报名 and 我的报名: what a worker without an account sees and does."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from matching.models import Application
from registry.models import Employer, Posting
from registry.public import CONSENT_VERSION, LARGE_COOKIE, mask_person_name
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.matching import make_match
from tests.factories.registry import EmployerFactory, PostingFactory, WorkerFactory, id_number_for
from tests.factories.sms import last_code, messages_to

SEARCH = "/jobs/"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    settings.SMS_BACKEND = "console"


def posting_in(market, **kwargs):
    today = timezone.localdate()
    kwargs.setdefault("work_date", today)
    kwargs.setdefault("valid_until", kwargs["work_date"])
    return PostingFactory(market=market, **kwargs)


def apply_data(**overrides):
    data = {"action": "submit", "name": "张小明", "mobile": PHONE, "code": "", "id_number": "", "agree": "on"}
    data.update(overrides)
    return data


def send_code(client, posting, phone=PHONE):
    response = client.post(
        reverse("jobs:apply", args=[posting.pk]), {"action": "send_code", "mobile": phone, "name": "张小明"}
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return last_code(phone)


# The search ---------------------------------------------------------------------------------


def test_search_shows_open_postings_as_cards_with_remaining_places(client, market):
    posting = posting_in(market, headcount=3, pay=260, place="花溪区工地")
    make_match(posting=posting, state="confirmed")
    body = client.get(SEARCH).content.decode()
    assert "job-card" in body and "<table" not in body
    assert "还差 2 人" in body and "260元/日" in body and "花溪区工地" in body
    assert market.name in body


def test_filled_closed_and_expired_postings_never_show(client, market):
    today = timezone.localdate()
    shown = posting_in(market, place="仍在招工的地点")
    posting_in(market, place="已招满的地点", status=Posting.Status.FILLED)
    posting_in(market, place="已关闭的地点", status=Posting.Status.CLOSED)
    posting_in(market, place="已过期的地点", status=Posting.Status.EXPIRED)
    posting_in(
        market,
        place="有效期已过的地点",
        work_date=today - datetime.timedelta(days=2),
        valid_until=today - datetime.timedelta(days=1),
    )
    body = client.get(SEARCH).content.decode()
    assert shown.place in body
    for place in ("已招满的地点", "已关闭的地点", "已过期的地点", "有效期已过的地点"):
        assert place not in body


def test_individual_employer_is_masked(client, market):
    person = EmployerFactory(kind=Employer.Kind.PERSON, credit_code="", name="周女士", phone="13911112222")
    posting_in(market, employer=person)
    other = EmployerFactory(kind=Employer.Kind.PERSON, credit_code="", name="黄丽娟", phone="13911113333")
    posting_in(market, employer=other)
    body = client.get(SEARCH).content.decode()
    assert "周女士" in body
    assert "黄丽娟" not in body and "黄**" in body
    assert "13911112222" not in body


@pytest.mark.parametrize(
    "name, shown",
    [("周女士(家庭保洁)", "周女士"), ("周女士（装修）", "周女士"), ("王五", "王*"), ("欧阳丽娟娟", "欧**")],
)
def test_a_masked_name_drops_notes_and_hides_its_length(name, shown):
    assert mask_person_name(name) == shown


def test_filters_by_date_trade_pay_and_market(client, market, market2):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    a = posting_in(market, place="今天的活", pay=200)
    b = posting_in(market2, place="明天的活", work_date=tomorrow, pay=300)
    body = client.get(SEARCH, {"when": "tomorrow"}).content.decode()
    assert b.place in body and a.place not in body
    body = client.get(SEARCH, {"when": "today"}).content.decode()
    assert a.place in body and b.place not in body
    body = client.get(SEARCH, {"min_pay": "250"}).content.decode()
    assert b.place in body and a.place not in body
    body = client.get(SEARCH, {"market": market.pk}).content.decode()
    assert a.place in body and b.place not in body
    body = client.get(SEARCH, {"trade": b.trade.pk}).content.decode()
    assert b.place in body and a.place not in body
    body = client.get(SEARCH, {"county": market2.county.pk}).content.decode()
    assert b.place in body and a.place not in body
    body = client.get(SEARCH, {"when": "date", "date": tomorrow.isoformat()}).content.decode()
    assert b.place in body and a.place not in body


def market_select(response):
    return re.search(r'<select name="market".*?</select>', response.content.decode(), re.S).group(0)


def test_the_market_filter_offers_the_markets_of_the_chosen_county(client, market, market2):
    """Not all of the province's ~2,000 markets in one list: those of the county chosen, or of the
    market a market's page links with (本市场今日岗位)."""
    near = MarketFactory(county=market.county)
    select = market_select(client.get(SEARCH))
    assert "先选县区" in select and select.count("<option") == 1
    for params in ({"county": market.county.pk}, {"market": market.pk}):
        select = market_select(client.get(SEARCH, params))
        assert f'<option value="{market.pk}"' in select and f'<option value="{near.pk}"' in select
        assert f'<option value="{market2.pk}"' not in select
    assert f'<option value="{market.pk}" selected>' in market_select(client.get(SEARCH, {"market": market.pk}))


@pytest.mark.parametrize(
    "params",
    [
        {"market": "abc"},
        {"min_pay": "-5"},
        {"min_pay": "1e400"},
        {"date": "2026-13-45", "when": "date"},
        {"when": "yesterday"},
        {"page": "999999"},
        {"city": "1; drop table"},
        {"pay_unit": "<script>"},
    ],
)
def test_junk_query_parameters_are_harmless(client, market, params):
    posting = posting_in(market, place="总能看到的地点")
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert posting.place in response.content.decode()


def test_control_characters_in_the_query_get_a_400_not_a_500(client, db):
    assert client.get(SEARCH, {"county": "\x00"}).status_code == 400


def test_query_count_does_not_grow_with_rows(client, market, market2, django_assert_num_queries):
    # One trade for every posting: a new trade changes the 工种 options (and is read again).
    trade = TradeFactory()
    for m in (market, market2):
        posting_in(m, trade=trade)
    client.get(SEARCH)  # warm the content types and the reference caches
    # 5: the 工种 options come from the cache once warm (gigmarket/core/choice_cache.py)
    with django_assert_num_queries(5) as few:
        client.get(SEARCH)
    for m in (market, market2):
        for _ in range(6):
            posting_in(m, trade=trade)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(SEARCH)


def test_large_type_switch_persists_in_a_cookie(client, market):
    response = client.get(reverse("jobs:large_type"), {"on": "1", "next": "/jobs/?market=1"})
    assert response.status_code == 302 and response["Location"] == "/jobs/?market=1"
    assert client.cookies[LARGE_COOKIE].value == "1"
    assert 'class="large-type"' in client.get(SEARCH).content.decode()
    client.get(reverse("jobs:large_type"), {"on": "0"})
    assert 'class="large-type"' not in client.get(SEARCH).content.decode()


def test_large_type_switch_never_redirects_off_site(client, db):
    response = client.get(reverse("jobs:large_type"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == SEARCH


# 我要报名 -------------------------------------------------------------------------------------


def test_apply_with_sms_code_creates_application_in_market_queue(client, market):
    posting = posting_in(market)
    code = send_code(client, posting)
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code))
    assert response.status_code == 302 and response["Location"] == reverse("jobs:my")
    application = Application.objects.get()
    assert application.market == market and application.posting == posting
    assert application.state == Application.State.NEW
    assert application.consent_version == CONSENT_VERSION and application.consented_at is not None
    assert application.mobile == PHONE and PHONE not in application.mobile_encrypted
    assert [m.template for m in messages_to(PHONE)] == ["code", "application_received"]
    assert AuditEvent.objects.filter(target_type="matching.application", action="create").exists()
    # The verified phone opens 我的报名 without a second code.
    proof = client.session["phone_proof:my"]
    assert proof["phone"] and PHONE not in str(dict(client.session))
    assert posting.trade.name in client.get(reverse("jobs:my")).content.decode()


def test_apply_links_existing_worker_by_id_number(client, market):
    id_number = id_number_for(5, birth=datetime.date(1979, 3, 4))
    worker = WorkerFactory(name="张小明", id_number=id_number, mobile="13700000001", registered_market=market)
    posting = posting_in(market)
    code = send_code(client, posting)
    client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code, id_number=id_number))
    assert Application.objects.get().worker == worker


def test_apply_links_existing_worker_by_phone(client, market):
    worker = WorkerFactory(name="张小明", mobile=PHONE, registered_market=market)
    posting = posting_in(market)
    code = send_code(client, posting)
    client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code))
    assert Application.objects.get().worker == worker


def test_applying_twice_gets_a_clear_message(client, market):
    from matching.services import application_submit

    posting = posting_in(market)
    application_submit(posting=posting, name="张小明", mobile=PHONE, consent_version=CONSENT_VERSION)
    code = send_code(client, posting)
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code, name="张小明"))
    assert response.status_code == 400
    assert "请勿重复报名" in response.content.decode()
    assert Application.objects.count() == 1


def test_applying_to_a_full_posting_is_refused(client, market):
    posting = posting_in(market, headcount=1)
    code = send_code(client, posting)
    make_match(posting=posting, state="confirmed")  # the last place goes at the counter meanwhile
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code))
    assert response.status_code == 400
    assert "已招满" in response.content.decode()
    assert not Application.objects.exists()


def test_applying_to_a_posting_closed_meanwhile_is_refused(client, market):
    posting = posting_in(market)
    code = send_code(client, posting)
    Posting.objects.filter(pk=posting.pk).update(status=Posting.Status.CLOSED)
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code))
    assert response.status_code == 400
    assert "已停止招工" in response.content.decode()
    assert not Application.objects.exists()


def test_wrong_code_keeps_typed_data_and_saves_nothing(client, market):
    posting = posting_in(market)
    code = send_code(client, posting)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=wrong, name="李大山"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "验证码" in body and 'value="李大山"' in body and PHONE in body
    assert not Application.objects.exists()


def test_bad_id_number_is_refused_as_at_the_counter(client, market):
    posting = posting_in(market)
    code = send_code(client, posting)
    valid = id_number_for(9)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code, id_number=wrong))
    assert response.status_code == 400
    assert "校验位" in response.content.decode()
    assert not Application.objects.exists()


def test_consent_is_required_and_shown(client, market):
    posting = posting_in(market)
    body = client.get(reverse("jobs:apply", args=[posting.pk])).content.decode()
    assert "个人信息告知" in body and CONSENT_VERSION in body
    code = send_code(client, posting)
    data = apply_data(code=code)
    del data["agree"]
    response = client.post(reverse("jobs:apply", args=[posting.pk]), data)
    assert response.status_code == 400 and "勾选同意" in response.content.decode()
    assert not Application.objects.exists()


def test_honeypot_filled_saves_nothing(client, market):
    posting = posting_in(market)
    code = send_code(client, posting)
    response = client.post(reverse("jobs:apply", args=[posting.pk]), apply_data(code=code, website="http://spam"))
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_send_code_with_bad_mobile_is_a_chinese_error(client, market):
    posting = posting_in(market)
    response = client.post(
        reverse("jobs:apply", args=[posting.pk]), {"action": "send_code", "mobile": "12345", "name": "张三"}
    )
    assert response.status_code == 400
    assert 'value="张三"' in response.content.decode()


def test_apply_to_unknown_or_garbage_posting_is_404(client, db):
    assert client.get("/jobs/999999/apply/").status_code == 404


# 我的报名 -------------------------------------------------------------------------------------


def login_my(client, phone=PHONE):
    client.post(reverse("jobs:my"), {"action": "send_code", "mobile": phone})
    response = client.post(reverse("jobs:my"), {"action": "login", "mobile": phone, "code": last_code(phone)})
    assert response.status_code == 302


def test_my_page_lists_only_own_applications_and_allows_withdraw(client, market):
    from matching.services import application_submit

    posting = posting_in(market)
    mine = application_submit(posting=posting, name="张小明", mobile=PHONE, consent_version=CONSENT_VERSION)
    other = application_submit(posting=posting, name="王二", mobile="13900000000", consent_version=CONSENT_VERSION)
    assert "获取验证码" in client.get(reverse("jobs:my")).content.decode()
    login_my(client)
    body = client.get(reverse("jobs:my")).content.decode()
    assert "138****5678" in body and "王二" not in body
    # Another person's application is not found, whatever its id.
    assert client.post(reverse("jobs:my_withdraw", args=[other.pk])).status_code == 404
    client.post(reverse("jobs:my_withdraw", args=[mine.pk]))
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.state == Application.State.WITHDRAWN and other.state == Application.State.NEW


def test_my_session_expires(client, market, settings):
    login_my(client)
    assert "我的报名" in client.get(reverse("jobs:my")).content.decode()
    with_time = timezone.now() + datetime.timedelta(seconds=settings.MY_SESSION_SECONDS + 5)
    import time_machine

    with time_machine.travel(with_time):
        assert "获取验证码" in client.get(reverse("jobs:my")).content.decode()


def test_withdraw_without_session_is_404(client, market):
    from matching.services import application_submit

    mine = application_submit(posting=posting_in(market), name="张小明", mobile=PHONE, consent_version=CONSENT_VERSION)
    assert client.post(reverse("jobs:my_withdraw", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.state == Application.State.NEW


def test_query_count_with_every_filter_does_not_grow_with_rows(client, market, market2, django_assert_num_queries):
    """The filtered search (市州, trade, this week, pay unit, minimum pay) costs the same at any scale."""
    trade = TradeFactory()
    params = {
        "city": market.county.parent_id,
        "trade": trade.pk,
        "when": "week",
        "pay_unit": "day",
        "min_pay": "150",
    }

    def add(n):
        for i in range(n):
            posting_in((market, market2)[i % 2], trade=trade, pay=200 + i, employer=EmployerFactory())

    add(2)
    client.get(SEARCH, params)  # warm the content types and the reference caches
    # 5 as unfiltered, plus the 市州 and the trade looked up when the filters are read
    with django_assert_num_queries(7) as few:
        body = client.get(SEARCH, params).content.decode()
    assert body.count('class="card job-card') == 2
    add(30)  # more than a page, each with its own employer
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(SEARCH, params).content.decode()
    assert body.count('class="card job-card') == 20
