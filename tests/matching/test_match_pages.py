"""The clerk's board, candidates, one-click steps, match pages and the agreement: scoped and audited."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from matching.models import Match, MatchState
from tests.factories.markets import complete_market
from tests.factories.matching import RightsCaseFactory, make_match
from tests.factories.registry import PostingFactory, WorkerFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 9, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Guizhou


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def create(client, posting, worker, token=None, confirm=False):
    data = {"posting": posting.pk, "worker": worker.pk, "token": token or uuid.uuid4().hex}
    if confirm:
        data["confirm"] = "1"
    return client.post("/matching/matches/new/", data)


def test_clerk_board_shows_open_postings_and_todays_matches_by_state(client, clerk, market):
    posting = PostingFactory(market=market, headcount=3)
    talking = make_match(posting=posting, by=clerk)
    working = make_match(posting=posting, by=clerk, state="onboard")
    client.force_login(clerk)
    body = client.get("/matching/").content.decode()
    assert market.name in body and posting.employer.name in body
    assert "1/3" in body  # one place held by the worker at work
    assert talking.worker.name in body and working.worker.name in body
    assert "洽谈中（1）" in body and "已到岗（1）" in body
    assert "确认用工" in body and "登记完工" in body


def test_board_query_count_does_not_grow_with_rows(client, clerk, market, django_assert_max_num_queries):
    client.force_login(clerk)
    posting = PostingFactory(market=market, headcount=10)
    make_match(posting=posting, by=clerk)
    with django_assert_max_num_queries(12) as few:
        client.get("/matching/")
    for state in ["negotiating", "confirmed", "onboard", "cancelled"] * 2:
        make_match(posting=PostingFactory(market=market), by=clerk, state=state)
    with django_assert_max_num_queries(12) as many:
        client.get("/matching/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_clicking_twice_on_the_same_form_makes_one_match(client, clerk, market):
    posting = PostingFactory(market=market)
    worker = WorkerFactory(trades=[posting.trade], registered_market=market)
    client.force_login(clerk)
    token = uuid.uuid4().hex
    first = create(client, posting, worker, token, confirm=True)
    second = create(client, posting, worker, token, confirm=True)
    match = Match.objects.get()
    assert first["Location"] == second["Location"] == f"/matching/matches/{match.pk}/"
    assert match.state == MatchState.CONFIRMED and match.created_by == clerk
    body = client.get(second["Location"]).content.decode()
    assert "该对接已提交过，未重复登记" in body


def test_confirming_beyond_headcount_gives_a_chinese_message_not_a_500(client, clerk, market):
    posting = PostingFactory(market=market, headcount=1)
    waiting = make_match(posting=posting, by=clerk)
    make_match(posting=posting, by=clerk, state="confirmed")
    client.force_login(clerk)
    response = client.post(f"/matching/matches/{waiting.pk}/transition/", {"to": "confirmed"}, follow=True)
    assert response.status_code == 200
    assert "招用1人，已确认1人，已招满，不能再确认" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == MatchState.NEGOTIATING


def test_double_booking_through_the_page_is_refused_with_a_message(client, clerk, market):
    first = PostingFactory(market=market)
    second = PostingFactory(market=market, trade=first.trade)
    worker = WorkerFactory(trades=[first.trade], registered_market=market)
    make_match(posting=first, worker=worker, by=clerk, state="confirmed")
    client.force_login(clerk)
    response = create(client, second, worker, confirm=True)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "与本次用工时间重叠，不能重复确认" in body
    assert not Match.objects.filter(posting=second).exists()


def test_one_click_steps_are_audited_with_who(client, clerk, market):
    match = make_match(market=market, by=clerk, state="confirmed")
    client.force_login(clerk)
    client.post(f"/matching/matches/{match.pk}/transition/", {"to": "onboard", "next": "/matching/"})
    match.refresh_from_db()
    assert match.state == MatchState.ONBOARD
    event = match.events.last()
    assert event.by == clerk and event.to_state == "onboard"
    audit = AuditEvent.objects.filter(target_type="matching.match", target_id=str(match.pk), action="transition")
    assert audit.filter(actor=clerk, changes__state=["confirmed", "onboard"]).exists()


def test_cancel_without_reason_is_refused(client, clerk, market):
    match = make_match(market=market, by=clerk)
    client.force_login(clerk)
    body = client.post(f"/matching/matches/{match.pk}/transition/", {"to": "cancelled"}, follow=True)
    assert "请填写已取消的原因" in body.content.decode()
    match.refresh_from_db()
    assert match.state == MatchState.NEGOTIATING


def test_other_county_clerk_gets_404_and_nothing_changes(client, clerk, clerk2, market):
    match = make_match(market=market, by=clerk)
    client.force_login(clerk2)
    assert client.get(f"/matching/matches/{match.pk}/").status_code == 404
    assert client.post(f"/matching/matches/{match.pk}/transition/", {"to": "confirmed"}).status_code == 404
    assert client.get(f"/matching/postings/{match.posting_id}/candidates/").status_code == 404
    assert client.get(f"/matching/?market={market.pk}").status_code == 404
    worker = WorkerFactory(trades=[match.posting.trade], registered_market=market)
    assert create(client, match.posting, worker).status_code == 404
    match.refresh_from_db()
    assert match.state == MatchState.NEGOTIATING
    assert Match.objects.count() == 1


def test_auditor_reads_but_gets_403_on_writes(client, auditor, clerk, market):
    match = make_match(market=market, by=clerk)
    client.force_login(auditor)
    assert client.get(f"/matching/matches/{match.pk}/").status_code == 200
    assert client.post(f"/matching/matches/{match.pk}/transition/", {"to": "confirmed"}).status_code == 403
    assert client.post(f"/matching/matches/{match.pk}/terms/", {"agreed_pay": "1"}).status_code == 403
    worker = WorkerFactory(trades=[match.posting.trade], registered_market=market)
    assert create(client, match.posting, worker).status_code == 403
    match.refresh_from_db()
    assert match.state == MatchState.NEGOTIATING and match.agreed_pay == match.posting.pay


def test_candidates_page_ranks_and_explains(client, clerk, market, django_assert_max_num_queries):
    posting = PostingFactory(market=market)
    WorkerFactory(name="普通零工", trades=[posting.trade], registered_market=market)
    WorkerFactory(name="残疾零工", trades=[posting.trade], registered_market=market, disabled=True)
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        body = client.get(f"/matching/postings/{posting.pk}/candidates/").content.decode()
    assert body.index("残疾零工") < body.index("普通零工")
    assert "一级重点帮扶（残疾），优先一对一对接" in body
    assert body.count('name="token"') == 2  # one token per rendered form


def test_a_candidate_form_posts_with_its_csrf_token_and_comes_back(clerk, market):
    from django.test import Client  # this test alone checks CSRF

    posting = PostingFactory(market=market)
    worker = WorkerFactory(trades=[posting.trade], registered_market=market)
    WorkerFactory(trades=[posting.trade], registered_market=market)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    page = reverse("matching:posting_candidates", args=[posting.pk]) + "?from=board"
    body = client.get(page).content.decode()
    form = next(f for f in body.split("<form ") if f'name="worker" value="{worker.pk}"' in f)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.split("</form>")[0]))
    assert fields["worker"] == str(worker.pk) and fields["next"] == page.replace("&", "&amp;")
    response = client.post(reverse("matching:match_create"), {**fields, "next": page})
    assert response.status_code == 302
    assert Match.objects.filter(posting=posting, worker=worker).exists()


def test_match_detail_shows_insurance_and_wage_flag(client, clerk, market):
    match = make_match(market=market, by=clerk)
    client.force_login(clerk)
    body = client.get(f"/matching/matches/{match.pk}/").content.decode()
    assert "未参加新就业形态灵活就业意外伤害保险" in body
    assert "欠薪案件未结" not in body
    RightsCaseFactory(employer=match.employer, worker=match.worker, market=market)
    body = client.get(f"/matching/matches/{match.pk}/").content.decode()
    assert "欠薪案件未结" in body


def test_agreement_prints_parties_pay_and_dispute_contacts(client, clerk, nanming):
    market = complete_market(county=nanming, complaint_phone="0851-12345678", hotline="0851-87654321")
    clerk.market = market
    clerk.save()
    posting = PostingFactory(market=market, pay=260, place="花果园工地三期")
    match = make_match(posting=posting, by=clerk, state="confirmed")
    client.force_login(clerk)
    body = client.get(f"/matching/matches/{match.pk}/agreement/").content.decode()
    for text in [
        "零工用工协议",
        match.employer.name,
        match.worker.name,
        match.worker.masked_id_number,
        "花果园工地三期",
        "260 元/日",
        "0851-12345678",
        "0851-87654321",
        "“劳动维权”窗口",
        "js/matching.js",
        "data-matching-print",
    ]:
        assert text in body, text
    assert match.worker.full_id_number() not in body


def test_agreement_needs_a_confirmed_match(client, clerk, market):
    match = make_match(market=market, by=clerk)
    client.force_login(clerk)
    response = client.get(f"/matching/matches/{match.pk}/agreement/")
    assert response.status_code == 302


def test_match_list_is_scoped_and_query_count_is_flat(
    client, clerk, county2_user, market, market2, django_assert_max_num_queries
):
    mine = make_match(market=market, by=clerk)
    theirs = make_match(market=market2, by=None)
    client.force_login(county2_user)
    body = client.get("/matching/matches/").content.decode()
    assert theirs.worker.name in body and mine.worker.name not in body
    client.force_login(clerk)
    with django_assert_max_num_queries(12) as few:
        client.get("/matching/matches/")
    for _ in range(6):
        make_match(market=market, by=clerk, state="confirmed")
    with django_assert_max_num_queries(12) as many:
        client.get("/matching/matches/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_worker_postings_page_offers_fitting_postings(client, clerk, market):
    posting = PostingFactory(market=market)
    worker = WorkerFactory(trades=[posting.trade], registered_market=market)
    client.force_login(clerk)
    body = client.get(f"/matching/workers/{worker.pk}/postings/").content.decode()
    assert posting.employer.name in body and "当场确认" in body


def test_county_staff_pick_a_market_of_their_county_for_the_board(client, county_user, market, market2):
    client.force_login(county_user)
    body = client.get("/matching/").content.decode()
    assert market.name in body and market2.name not in body
    assert client.get(f"/matching/?market={market.pk}").status_code == 200
    assert client.get(f"/matching/?market={market2.pk}").status_code == 404


def test_printed_agreement_has_a_seal_block_blank_dates_and_identifies_both_parties_alike(client, clerk, nanming):
    market = complete_market(county=nanming, complaint_phone="", hotline="")
    clerk.market = market
    clerk.save()
    match = make_match(posting=PostingFactory(market=market), by=clerk, state="confirmed")
    client.force_login(clerk)
    body = client.get(f"/matching/matches/{match.pk}/agreement/").content.decode()
    # the market seals it and its 经办人 signs, beside 甲方 and 乙方; every date is left blank
    for text in ["甲方（盖章）", "乙方（签字并按手印）", "零工市场（盖章）", "经办人（签字）", "各执一份"]:
        assert text in body, text
    assert body.count('日期：<span class="agreement-date">年　　月　　日</span>') == 3
    signatures = body.split("agreement-signatures")[1].split("</table>")[0]
    assert "2026" not in signatures  # not pre-filled with the print date
    # no market number: 12333 once, not as complaint line and hotline and 人社 line
    assert body.count("12333") == 1
    # both parties: numbers masked as registered, and a line each to write the full ones
    assert match.worker.masked_id_number in body and match.worker.full_id_number() not in body
    assert match.employer.masked_phone in body and match.employer.phone not in body
    assert body.count("身份证号（签署时本人填写）") == 2
    assert "text-muted" not in body.split('<article class="matching-agreement">')[1].split("</article>")[0]


def test_agreement_lists_each_market_number_once(client, clerk, nanming):
    market = complete_market(county=nanming, complaint_phone="0851-12345678", hotline="0851-12345678")
    clerk.market = market
    clerk.save()
    match = make_match(posting=PostingFactory(market=market), by=clerk, state="confirmed")
    client.force_login(clerk)
    body = client.get(f"/matching/matches/{match.pk}/agreement/").content.decode()
    assert body.count("0851-12345678") == 1 and body.count("12333") == 1


def test_match_list_shows_each_state_as_its_badge(client, clerk, market):
    posting = PostingFactory(market=market, headcount=3)
    talking = make_match(posting=posting, by=clerk)
    missing = make_match(posting=posting, by=clerk, state="no_show")
    client.force_login(clerk)
    body = client.get(reverse("matching:match_list")).content.decode()
    assert f'href="{reverse("matching:match_detail", args=[talking.pk])}"' in body
    assert '<span class="badge text-bg-info">洽谈中</span>' in body
    assert f'<span class="badge text-bg-warning">{missing.get_state_display()}</span>' in body
    detail = client.get(reverse("matching:match_detail", args=[missing.pk])).content.decode()
    assert f'<span class="badge text-bg-warning">{missing.get_state_display()}</span>' in detail
