"""我要招工 pages: the public form with its SMS code, the employer's own needs, the clerk's review."""

import datetime

import pytest
from django.utils import timezone

from gigmarket.core.models import SmsMessage
from registry import services
from registry.models import EmployerNeed, Posting
from registry.need_forms import CONSENT_VERSION
from registry.validators import build_credit_code
from tests.factories.core import UserFactory
from tests.factories.markets import MarketFactory, TradeFactory
from tests.factories.matching import RightsCaseFactory, make_match
from tests.factories.registry import EmployerFactory, EmployerNeedFactory

pytestmark = pytest.mark.django_db

FORM, MINE, QUEUE = "/hire/", "/hire/mine/", "/hire/review/"
PHONE = "13512340000"


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def sent_code(phone=PHONE):
    """The last code the console backend's outbox holds for `phone`."""
    return SmsMessage.objects.filter(SmsMessage.to.matches(phone), template="code").latest("pk").params["code"]


def form_data(market, trade, **overrides):
    data = {
        "market": str(market.pk),
        "kind": "enterprise",
        "name": "贵州云仓物流有限公司",
        "credit_code": build_credit_code("520102", 4321),
        "contact_name": "李经理",
        "trade": str(trade.pk),
        "headcount": "3",
        "pay": "220",
        "pay_unit": "day",
        "work_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "place": "观山湖区金阳仓库3号库",
        "requirements": "能搬重物",
        "phone": PHONE,
        "consent": "on",
        "action": "submit",
    }
    data.update(overrides)
    return data


def ask_code(client, data):
    return client.post(FORM, {**data, "action": "code"})


def test_the_form_is_public_and_shows_the_consent_text_first(client, market):
    body = client.get(FORM).content.decode()
    assert "个人信息处理告知" in body and CONSENT_VERSION in body
    assert body.index("个人信息处理告知") < body.index("提交招工信息")
    assert market.name in body


def test_asking_for_a_code_sends_it_and_keeps_everything_typed(client, market):
    trade = TradeFactory()
    response = ask_code(client, form_data(market, trade))
    body = response.content.decode()
    assert response.status_code == 200 and "data-code-sent" in body
    assert len(sent_code()) == 6
    assert 'value="贵州云仓物流有限公司"' in body and 'value="观山湖区金阳仓库3号库"' in body
    assert not EmployerNeed.objects.exists()


def test_an_employer_submits_a_need_with_the_code_and_sees_it_pending(client, market):
    trade = TradeFactory()
    ask_code(client, form_data(market, trade))
    response = client.post(FORM, form_data(market, trade, code=sent_code()))
    assert response.status_code == 302 and response["Location"] == MINE
    need = EmployerNeed.objects.get()
    assert (need.status, need.market, need.phone, need.headcount) == ("pending", market, PHONE, 3)
    assert need.consent_version == CONSENT_VERSION
    assert not Posting.objects.exists()
    mine = client.get(MINE).content.decode()
    assert f'data-need="{need.pk}"' in mine and 'data-status="pending"' in mine
    assert PHONE not in mine and "135****0000" in mine


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"credit_code": "91350100M000100Y44"}, "校验位不正确"),
        ({"credit_code": ""}, "企业须填写统一社会信用代码"),
        ({"kind": "person", "name": "周女士"}, "个人用工不填写"),
        ({"phone": "1351234"}, "联系手机"),
        ({"consent": ""}, "请阅读并勾选同意"),
        ({"work_date": "2020-01-01"}, "用工日期不能早于今天"),
        ({"code": "123"}, "验证码为6位数字"),
        ({"code": ""}, "请填写短信验证码"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_what_was_typed_kept(client, market, overrides, field_message):
    trade = TradeFactory()
    data = form_data(market, trade, code="000000")
    data.update(overrides)
    response = client.post(FORM, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert field_message in body
    assert "已填写的内容都已保留" in body and 'value="观山湖区金阳仓库3号库"' in body
    assert not EmployerNeed.objects.exists()


def test_a_wrong_code_is_refused_and_nothing_is_saved(client, market):
    trade = TradeFactory()
    ask_code(client, form_data(market, trade))
    wrong = "000000" if sent_code() != "000000" else "111111"
    response = client.post(FORM, form_data(market, trade, code=wrong))
    assert response.status_code == 400 and "验证码" in response.content.decode()
    assert not EmployerNeed.objects.exists()


def test_a_bad_phone_gets_no_code(client, market):
    response = ask_code(client, form_data(market, TradeFactory(), phone="12345"))
    assert response.status_code == 400 and "data-code-error" in response.content.decode()
    assert not SmsMessage.objects.exists()


def test_a_filled_honeypot_saves_nothing(client, market):
    trade = TradeFactory()
    ask_code(client, form_data(market, trade))
    response = client.post(FORM, form_data(market, trade, code=sent_code(), website="http://spam.example"))
    assert response.status_code == 302
    assert not EmployerNeed.objects.exists()


def test_garbage_never_breaks_the_form(client, market):
    for data in ({"market": "abc", "headcount": "-1", "pay": "x", "work_date": "2026-13-45"}, {"action": "code"}, {}):
        assert client.post(FORM, data).status_code == 400


def test_my_needs_after_a_code_show_state_and_how_many_applied(client, market, clerk):
    published = services.need_publish(need=EmployerNeedFactory(market=market, phone=PHONE), by=clerk)
    make_match(posting=published.posting, by=clerk)
    rejected = EmployerNeedFactory(market=market, phone=PHONE)
    services.need_reject(need=rejected, reason="报酬过低", by=clerk)
    EmployerNeedFactory(market=market, phone="13900000001", name="别人的单位")

    assert 'name="code"' in client.get(MINE).content.decode()
    client.post(MINE, {"action": "code", "phone": PHONE})
    response = client.post(MINE, {"action": "verify", "phone": PHONE, "code": sent_code()})
    assert response.status_code == 302
    body = client.get(MINE).content.decode()
    assert 'data-status="published"' in body and 'data-status="rejected"' in body and "报酬过低" in body
    assert "<strong data-applied>1</strong>" in body
    assert "别人的单位" not in body

    client.post(MINE, {"action": "logout"})
    assert 'name="code"' in client.get(MINE).content.decode()


def test_a_wrong_code_does_not_open_my_needs(client, market):
    EmployerNeedFactory(market=market, phone=PHONE, name="我的单位")
    client.post(MINE, {"action": "code", "phone": PHONE})
    wrong = "000000" if sent_code() != "000000" else "111111"
    response = client.post(MINE, {"action": "verify", "phone": PHONE, "code": wrong})
    assert response.status_code == 400 and "我的单位" not in response.content.decode()
    assert "我的单位" not in client.get(MINE).content.decode()


# The clerk's review ----------------------------------------------------------------------


def test_the_clerk_sees_the_pending_queue_of_their_market_with_a_count(client, clerk, market):
    mine = EmployerNeedFactory(market=market, name="本市场的单位")
    EmployerNeedFactory(market=MarketFactory(county=market.county), name="别的市场的单位")
    client.force_login(clerk)
    body = client.get(QUEUE).content.decode()
    assert f'data-need="{mine.pk}"' in body and "别的市场的单位" not in body
    assert '<span class="badge text-bg-warning" data-pending>1</span>' in body
    desk = client.get("/registry/").content.decode()
    assert "data-pending-needs>1<" in desk


def test_the_queue_flags_an_open_wage_case(client, clerk, market):
    employer = EmployerFactory(credit_code=build_credit_code("520102", 777))
    RightsCaseFactory(market=market, employer=employer, kind="wages")
    need = EmployerNeedFactory(market=market, credit_code=employer.credit_code)
    client.force_login(clerk)
    assert "data-wage-flag" in client.get(QUEUE).content.decode()
    assert "data-wage-flag" in client.get(f"{QUEUE}{need.pk}/").content.decode()


def test_the_queue_query_count_does_not_grow(client, clerk, market, django_assert_num_queries):
    EmployerNeedFactory(market=market)
    client.force_login(clerk)
    client.get(QUEUE)
    with django_assert_num_queries(6):  # issue 19: the user menu's division and market come with the session's user
        client.get(QUEUE)
    EmployerNeedFactory.create_batch(5, market=market)
    with django_assert_num_queries(6):
        client.get(QUEUE)


def test_the_clerk_publishes_and_it_is_on_the_public_page(client, clerk, market):
    need = EmployerNeedFactory(market=market, place="金阳仓库")
    client.force_login(clerk)
    response = client.post(f"{QUEUE}{need.pk}/publish/")
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "published" and need.posting.channel == "online"
    public = client.get(f"/registry/public/markets/{market.pk}/postings/").content.decode()
    assert "金阳仓库" in public


def test_rejecting_without_a_reason_is_a_400_and_changes_nothing(client, clerk, market):
    need = EmployerNeedFactory(market=market)
    client.force_login(clerk)
    response = client.post(f"{QUEUE}{need.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and "未通过原因" in response.content.decode()
    need.refresh_from_db()
    assert need.status == "pending"
    assert client.post(f"{QUEUE}{need.pk}/reject/", {"reason": "信息不全"}).status_code == 302
    need.refresh_from_db()
    assert (need.status, need.reject_reason) == ("rejected", "信息不全")


def test_another_markets_clerk_gets_404_and_nothing_changes(client, market, market2):
    need = EmployerNeedFactory(market=market)
    other = UserFactory(role="clerk", division=market2.county, market=market2)
    client.force_login(other)
    assert client.get(f"{QUEUE}{need.pk}/").status_code == 404
    assert client.post(f"{QUEUE}{need.pk}/publish/").status_code == 404
    need.refresh_from_db()
    assert need.status == "pending"


def test_county_staff_see_a_need_but_only_the_markets_clerk_reviews(client, county_user, auditor, market):
    need = EmployerNeedFactory(market=market)
    for user in (county_user, auditor):
        client.force_login(user)
        assert client.get(f"{QUEUE}{need.pk}/").status_code == 200
        assert client.post(f"{QUEUE}{need.pk}/publish/").status_code == 403
        assert client.post(f"{QUEUE}{need.pk}/reject/", {"reason": "不行"}).status_code == 403
    need.refresh_from_db()
    assert need.status == "pending"
