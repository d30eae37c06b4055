"""The 欠薪 block: an employer with an open 欠薪 case posts and confirms no more until county staff override."""

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from matching import services
from matching.arrears import arrears_block, arrears_override_grant, arrears_override_revoke
from matching.models import ArrearsOverride, Match, MatchState
from registry import services as registry_services
from registry.models import Posting
from tests.factories.matching import RightsCaseFactory, make_match
from tests.factories.registry import EmployerFactory, PostingFactory, WorkerFactory

BLOCKED = "已暂停发布用工需求和确认用工"


def posting_data(trade):
    today = timezone.localdate()
    return {
        "trade": trade,
        "headcount": 1,
        "pay": 200,
        "pay_unit": "day",
        "work_date": today,
        "valid_until": today,
        "place": "甲地",
    }


@pytest.fixture
def employer(nanming):
    return EmployerFactory(county=nanming)


@pytest.fixture
def wage_case(employer, market):
    return RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=market), market=market)


def test_posting_for_an_employer_with_an_open_wage_case_is_refused_and_says_why(employer, wage_case, market, clerk):
    trade = PostingFactory(market=market).trade
    with pytest.raises(ValidationError) as err:
        registry_services.posting_create(employer=employer, market=market, data=posting_data(trade), by=clerk)
    message = err.value.messages[0]
    assert "暂停发布用工需求" in message and "2000.00元" in message and "县(市、区)人社部门核准" in message
    assert not Posting.objects.filter(employer=employer).exists()


def test_the_clerk_sees_the_block_on_the_posting_form_and_the_post_keeps_what_was_typed(
    client, employer, wage_case, clerk
):
    client.force_login(clerk)
    url = reverse("registry:posting_create", args=[employer.pk])
    body = client.get(url).content.decode()
    assert BLOCKED in body and reverse("matching:case_detail", args=[wage_case.pk]) in body
    trade = PostingFactory(market=clerk.market).trade
    today = timezone.localdate().isoformat()
    response = client.post(
        url,
        {"trade": trade.pk, "headcount": "3", "pay": "260", "pay_unit": "day", "work_date": today, "place": "甲地"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "暂停发布用工需求" in body and 'value="甲地"' in body
    assert not Posting.objects.filter(employer=employer).exists()


def test_confirming_a_match_of_a_blocked_employer_is_refused(employer, market, clerk):
    match = make_match(posting=PostingFactory(employer=employer, market=market), by=clerk)
    RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=market), market=market)
    with pytest.raises(ValidationError, match="暂停确认用工"):
        services.match_transition(match=match, to=MatchState.CONFIRMED, by=clerk)
    match.refresh_from_db()
    assert match.state == MatchState.NEGOTIATING


def test_confirming_at_once_on_creation_is_refused_and_nothing_is_half_saved(employer, market, clerk):
    posting = PostingFactory(employer=employer, market=market)
    RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=market), market=market)
    worker = WorkerFactory(registered_market=market)
    with pytest.raises(ValidationError):
        services.match_create(posting=posting, worker=worker, key=uuid.uuid4(), by=clerk, confirm=True)
    assert not Match.objects.filter(posting=posting).exists()


def test_a_resolved_case_lifts_the_block(employer, wage_case, market, clerk):
    services.case_transition(case=wage_case, to="resolved", by=clerk, note="已付清")
    trade = PostingFactory(market=market).trade
    assert registry_services.posting_create(employer=employer, market=market, data=posting_data(trade), by=clerk)


def test_an_injury_case_does_not_block(employer, market, clerk):
    RightsCaseFactory(kind="injury", employer=employer, worker=WorkerFactory(registered_market=market), market=market)
    assert not arrears_block(employer.pk).has_cases


def test_county_override_with_a_reason_lets_the_employer_post_and_is_audited(
    employer, wage_case, market, clerk, county_user
):
    until = timezone.localdate() + datetime.timedelta(days=10)
    override = arrears_override_grant(employer=employer, reason="已签还款计划", valid_until=until, by=county_user)
    event = AuditEvent.objects.get(target_type="matching.arrearsoverride", target_id=str(override.pk))
    assert event.actor == county_user and event.changes["reason"] == "已签还款计划"
    trade = PostingFactory(market=market).trade
    posting = registry_services.posting_create(employer=employer, market=market, data=posting_data(trade), by=clerk)
    match = make_match(posting=posting, by=clerk, state="confirmed")
    assert match.state == MatchState.CONFIRMED


def test_override_needs_a_reason(employer, wage_case, county_user):
    with pytest.raises(ValidationError, match="请填写放行理由"):
        arrears_override_grant(employer=employer, reason="  ", valid_until=timezone.localdate(), by=county_user)
    assert not ArrearsOverride.objects.exists()


def test_clerk_and_other_county_may_not_override(employer, wage_case, clerk, county2_user):
    for user in (clerk, county2_user):
        with pytest.raises(PermissionDenied):
            arrears_override_grant(employer=employer, reason="理由", valid_until=timezone.localdate(), by=user)
    assert not ArrearsOverride.objects.exists()


def test_a_case_received_after_the_override_blocks_again(employer, wage_case, market, county_user):
    arrears_override_grant(
        employer=employer, reason="理由", valid_until=timezone.localdate() + datetime.timedelta(days=5), by=county_user
    )
    assert not arrears_block(employer.pk).blocked
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=market), market=market)
        assert arrears_block(employer.pk).blocked


def test_an_override_ends_on_its_date_and_when_revoked(employer, wage_case, county_user):
    today = timezone.localdate()
    override = arrears_override_grant(employer=employer, reason="理由", valid_until=today, by=county_user)
    assert not arrears_block(employer.pk).blocked
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert arrears_block(employer.pk).blocked
    arrears_override_revoke(override=override, by=county_user)
    assert arrears_block(employer.pk).blocked
    assert AuditEvent.objects.filter(target_id=str(override.pk), action="transition").count() == 1


def test_override_page_grants_for_county_staff_and_refuses_bad_input_in_chinese(
    client, employer, wage_case, county_user
):
    client.force_login(county_user)
    url = reverse("matching:arrears_override", args=[employer.pk])
    response = client.post(url, {"reason": "", "valid_until": "2001-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写放行理由" in body and "放行有效期不能早于今天" in body
    response = client.post(url, {"reason": "已缴保证金", "valid_until": timezone.localdate().isoformat()})
    assert response.status_code == 302
    body = client.get(reverse("matching:arrears_detail", args=[employer.pk])).content.decode()
    assert "已缴保证金" in body and "已核准放行" in body


def test_match_page_shows_the_block_before_confirmation(client, employer, market, clerk):
    match = make_match(posting=PostingFactory(employer=employer, market=market), by=clerk)
    RightsCaseFactory(employer=employer, worker=WorkerFactory(registered_market=market), market=market)
    client.force_login(clerk)
    assert BLOCKED in client.get(reverse("matching:match_detail", args=[match.pk])).content.decode()
