import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from markets.models import Market
from registry.models import Employer, Posting, WindowVisit
from registry.services import posting_expire_due
from registry.validators import build_credit_code
from tests.factories.markets import TradeFactory
from tests.factories.registry import EmployerFactory, PostingFactory

QUICK = reverse("registry:posting_quick")
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def quick_data(trade, **overrides):
    data = {
        "e-kind": "enterprise",
        "e-name": "黔城建筑劳务有限公司",
        "e-credit_code": build_credit_code("520102", 777),
        "e-contact_name": "赵经理",
        "e-phone": "13812340000",
        "e-address": "",
        "p-trade": trade.pk,
        "p-headcount": "3",
        "p-pay": "260",
        "p-pay_unit": "day",
        "p-work_date": datetime.date.today().isoformat(),
        "p-place": "花果园工地",
        "p-requirements": "",
        "p-valid_until": "",
    }
    data.update(overrides)
    return data


def test_clerk_posts_for_a_walk_in_employer_and_it_is_on_the_board_and_public_page(client, clerk):
    trade = TradeFactory(name="钢筋工测试")
    client.force_login(clerk)
    response = client.post(QUICK, quick_data(trade))
    posting = Posting.objects.get()
    assert response.status_code == 302
    assert posting.status == Posting.Status.OPEN and posting.market == clerk.market
    assert posting.valid_until == posting.work_date
    assert posting.employer.county == clerk.market.county
    assert WindowVisit.objects.filter(employer=posting.employer, window="register").exists()
    client.logout()
    board = client.get(reverse("registry:board", args=[clerk.market.pk])).content.decode()
    public = client.get(reverse("registry:public_postings", args=[clerk.market.pk])).content.decode()
    assert "钢筋工测试" in board and "钢筋工测试" in public
    assert "13812340000" not in board and "13812340000" not in public
    assert "registry_board.js" in board and "<script>" not in board


def test_the_same_credit_code_reuses_the_employer(client, clerk):
    trade = TradeFactory()
    code = build_credit_code("520102", 778)
    EmployerFactory(credit_code=code, name="已有单位")
    client.force_login(clerk)
    client.post(QUICK, quick_data(trade, **{"e-credit_code": code.lower()}))
    assert Employer.objects.count() == 1
    assert Posting.objects.get().employer.name == "已有单位"


def test_an_individual_is_found_by_phone(client, clerk):
    trade = TradeFactory()
    person = EmployerFactory(kind=Employer.Kind.PERSON, credit_code="", phone="13912345678", name="周女士")
    client.force_login(clerk)
    data = quick_data(
        trade, **{"e-kind": "person", "e-name": "周女士", "e-credit_code": "", "e-phone": "139 1234 5678"}
    )
    client.post(QUICK, data)
    assert Employer.objects.count() == 1
    assert Posting.objects.get().employer == person


def test_a_bad_credit_code_keeps_the_input_and_saves_nothing(client, clerk):
    trade = TradeFactory()
    client.force_login(clerk)
    response = client.post(QUICK, quick_data(trade, **{"e-credit_code": "91350100M000100Y44", "p-place": "某某小区"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "校验位" in body and "某某小区" in body and "黔城建筑劳务有限公司" in body
    assert Employer.objects.count() == 0 and Posting.objects.count() == 0


def test_an_enterprise_needs_a_credit_code(client, clerk):
    client.force_login(clerk)
    response = client.post(QUICK, quick_data(TradeFactory(), **{"e-credit_code": ""}))
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode()
    assert Employer.objects.count() == 0 and Posting.objects.count() == 0


def test_closing_as_filled_takes_it_off_the_board(client, clerk, market):
    posting = PostingFactory(market=market)
    client.force_login(clerk)
    client.post(reverse("registry:posting_close", args=[posting.pk]), {"status": "filled"})
    posting.refresh_from_db()
    assert posting.status == Posting.Status.FILLED and posting.closed_at
    body = client.get(reverse("registry:board", args=[market.pk])).content.decode()
    assert posting.place not in body


def test_other_county_gets_404_and_nothing_changes(client, clerk2, market):
    posting = PostingFactory(market=market)
    client.force_login(clerk2)
    assert client.get(reverse("registry:posting_detail", args=[posting.pk])).status_code == 404
    assert client.post(reverse("registry:posting_close", args=[posting.pk]), {"status": "closed"}).status_code == 404
    posting.refresh_from_db()
    assert posting.status == Posting.Status.OPEN


def test_auditor_gets_403_on_close(client, auditor, market):
    posting = PostingFactory(market=market)
    client.force_login(auditor)
    assert client.post(reverse("registry:posting_close", args=[posting.pk]), {"status": "closed"}).status_code == 403
    posting.refresh_from_db()
    assert posting.status == Posting.Status.OPEN


def test_expired_postings_close_once(market):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ), tick=False):
        due = PostingFactory(market=market)
        current = PostingFactory(
            market=market, work_date=datetime.date(2026, 4, 3), valid_until=datetime.date(2026, 4, 2)
        )
    with time_machine.travel(datetime.datetime(2026, 4, 2, 6, tzinfo=TZ), tick=False):
        assert posting_expire_due() == 1
        assert posting_expire_due() == 0
        call_command("expire_postings")
    due.refresh_from_db()
    current.refresh_from_db()
    assert due.status == Posting.Status.EXPIRED
    assert current.status == Posting.Status.OPEN
    assert AuditEvent.objects.filter(action="transition", target_id=str(due.pk)).count() == 1


def test_board_hides_postings_past_validity_even_before_the_expiry_job(client, market):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=TZ), tick=False):
        PostingFactory(market=market, place="昨天的工地")
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=TZ), tick=False):
        body = client.get(reverse("registry:board", args=[market.pk])).content.decode()
    assert "昨天的工地" not in body


def test_posting_list_query_count_is_pinned(client, county_user, market, django_assert_num_queries):
    for _ in range(20):
        PostingFactory(market=market)
    client.force_login(county_user)
    client.get(reverse("registry:posting_list"))
    with django_assert_num_queries(5):  # issue 19: the user menu's division and market come with the session's user
        assert client.get(reverse("registry:posting_list")).status_code == 200


def test_employer_search_by_name_and_credit_code(client, county_user, county2_user):
    code = build_credit_code("520102", 901)
    employer = EmployerFactory(credit_code=code, name="南明保洁服务公司")
    EmployerFactory(name="别的公司")
    client.force_login(county_user)
    url = reverse("registry:employer_list")
    assert list(client.get(url, {"q": "保洁"}).context["page"]) == [employer]
    assert list(client.get(url, {"q": code.lower()}).context["page"]) == [employer]
    client.force_login(county2_user)
    assert list(client.get(url, {"q": code}).context["page"]) == []


def test_editing_an_employer_to_a_taken_credit_code_is_a_chinese_error(client, county_user):
    code = build_credit_code("520102", 990)
    EmployerFactory(credit_code=code)
    other = EmployerFactory(name="另一家")
    client.force_login(county_user)
    data = {"kind": "enterprise", "name": "另一家", "credit_code": code, "contact_name": "", "phone": "13800001111"}
    response = client.post(reverse("registry:employer_edit", args=[other.pk]), data)
    assert "已登记为其他用工主体" in response.content.decode()
    other.refresh_from_db()
    assert other.credit_code != code


def test_public_pages_do_not_name_private_individuals(client, market):
    person = EmployerFactory(kind=Employer.Kind.PERSON, credit_code="", name="周秀英")
    PostingFactory(market=market, employer=person)
    for name in ("registry:board", "registry:public_postings"):
        body = client.get(reverse(name, args=[market.pk])).content.decode()
        assert "周秀英" not in body and "个人用工" in body


@pytest.mark.parametrize("rows", [3, 30])
def test_employer_list_query_count_is_pinned(client, county_user, rows, django_assert_num_queries):
    for _ in range(rows):
        EmployerFactory()
    client.force_login(county_user)
    client.get(reverse("registry:employer_list"))
    with django_assert_num_queries(5):  # issue 19: the user menu's division and market come with the session's user
        assert client.get(reverse("registry:employer_list")).status_code == 200


@pytest.mark.parametrize("status", ["planning", "suspended", "closed"])
def test_hall_board_and_public_postings_of_a_market_not_operating_are_404_like_its_directory_page(
    client, market, status
):
    PostingFactory(market=market, place="花果园工地")
    Market.objects.filter(pk=market.pk).update(status=status)
    urls = [reverse(name, args=[market.pk]) for name in ("registry:board", "registry:public_postings")]
    urls.append(reverse("markets:directory_detail", args=[market.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "花果园工地" not in response.content.decode()
    Market.objects.filter(pk=market.pk).update(status="operating")
    assert [client.get(url).status_code for url in urls[:2]] == [200, 200]
