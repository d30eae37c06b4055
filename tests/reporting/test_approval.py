"""A 市州 approves its level once all its active counties are accepted (DHIS2-style)."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gigmarket.core.models import AuditEvent, Division
from gigmarket.core.services import division_set_active
from reporting import approval
from reporting.models import CityApproval, Notification, Submission
from reporting.services import (
    ReportingError,
    submission_accept,
    submission_forward,
    submission_submit,
    submission_unlock,
)
from tests.factories.core import division
from tests.factories.reporting import beijing, period


@pytest.fixture
def guiyang(db):
    """贵阳市 with two active counties (南明, 云岩); its other counties are switched off."""
    city = division("520100")
    Division.objects.filter(parent=city).exclude(code__in=["520102", "520103"]).update(is_active=False)
    return city


@pytest.fixture
def q1(db):
    return period("2023-01-01")


def accept(q1, county, county_user, city_user, province_user, *, when="2023-04-03 10:00"):
    with time_machine.travel(beijing(when), tick=False):
        sub = submission_submit(period=q1, county=county, by=county_user)
    submission_forward(submission=sub, by=city_user)
    return submission_accept(submission=sub, by=province_user)


def state(q1, city):
    return approval.city_state(q1, city).state


def test_states_from_waiting_to_accepted_by_the_province(
    q1, guiyang, market, market2, county_user, county2_user, city_user, province_user
):
    assert state(q1, guiyang) == approval.WAITING
    accept(q1, market.county, county_user, city_user, province_user)
    assert state(q1, guiyang) == approval.WAITING
    with pytest.raises(ReportingError, match="还有1个"):
        approval.city_approve(period=q1, city=guiyang, by=city_user)
    accept(q1, market2.county, county2_user, city_user, province_user)
    assert state(q1, guiyang) == approval.READY
    with pytest.raises(PermissionDenied):
        approval.city_approve(period=q1, city=guiyang, by=province_user)
    approval.city_approve(period=q1, city=guiyang, by=city_user)
    assert state(q1, guiyang) == approval.APPROVED
    assert Notification.objects.filter(recipient=province_user, kind=Notification.Kind.TO_REVIEW).count() == 3
    with pytest.raises(ReportingError):
        approval.city_approve(period=q1, city=guiyang, by=city_user)
    approval.city_accept(period=q1, city=guiyang, by=province_user)
    assert state(q1, guiyang) == approval.ACCEPTED
    row = CityApproval.objects.get()
    events = AuditEvent.objects.filter(target_type="reporting.cityapproval", target_id=str(row.pk)).order_by("id")
    assert [e.changes["status"] for e in events] == [["", "approved"], ["approved", "accepted"]]
    assert all(e.city == guiyang for e in events)


def test_an_inactive_county_no_longer_blocks_readiness(
    q1, guiyang, market, county_user, city_user, province_user, yunyan
):
    accept(q1, market.county, county_user, city_user, province_user)
    assert state(q1, guiyang) == approval.WAITING
    division_set_active(division=yunyan, active=False, by=province_user)
    assert state(q1, guiyang) == approval.READY
    approval.city_approve(period=q1, city=guiyang, by=city_user)
    assert state(q1, guiyang) == approval.APPROVED


def test_unapprove_needs_a_reason_goes_back_one_level_and_is_audited(
    q1, guiyang, market, county_user, city_user, province_user, yunyan
):
    division_set_active(division=yunyan, active=False, by=province_user)
    sub = accept(q1, market.county, county_user, city_user, province_user)
    approval.city_approve(period=q1, city=guiyang, by=city_user)
    approval.city_accept(period=q1, city=guiyang, by=province_user)
    with pytest.raises(ReportingError):
        approval.city_unapprove(period=q1, city=guiyang, by=province_user, reason=" ")
    with pytest.raises(PermissionDenied):
        approval.city_unapprove(period=q1, city=guiyang, by=city_user, reason="市州想改")
    approval.city_unapprove(period=q1, city=guiyang, by=province_user, reason="核对数据")
    assert state(q1, guiyang) == approval.APPROVED
    # locked data stays locked while the 市州 is approved
    with pytest.raises(ReportingError, match="先取消市州审批"):
        submission_unlock(submission=sub, by=province_user, reason="补报")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.ACCEPTED
    approval.city_unapprove(period=q1, city=guiyang, by=city_user, reason="县区需补报")
    assert state(q1, guiyang) == approval.READY
    event = AuditEvent.objects.filter(target_type="reporting.cityapproval").order_by("-id").first()
    assert event.changes == {"status": ["approved", "withdrawn"], "reason": "县区需补报"}
    assert event.actor == city_user
    submission_unlock(submission=sub, by=province_user, reason="补报")
    assert state(q1, guiyang) == approval.WAITING


def test_the_page_shows_each_city_state_and_the_buttons_it_allows(
    client, q1, guiyang, market, county_user, city_user, province_user, yunyan, django_assert_num_queries
):
    division_set_active(division=yunyan, active=False, by=province_user)
    accept(q1, market.county, county_user, city_user, province_user)
    client.force_login(city_user)
    body = client.get(f"/reporting/periods/{q1.pk}/approvals/").content.decode()
    assert 'data-city="520100" data-state="ready"' in body and "审批本级" in body
    assert 'data-city="520300"' not in body
    response = client.post(f"/reporting/periods/{q1.pk}/approvals/520100/approve/")
    assert response.status_code == 302
    client.force_login(province_user)
    with django_assert_num_queries(8):  # issue 19: the user menu's division and market come with the session's user
        body = client.get(f"/reporting/periods/{q1.pk}/approvals/").content.decode()
    assert 'data-city="520100" data-state="approved"' in body and "确认审批" in body
    assert 'data-city="520300" data-state="waiting"' in body
    response = client.post(f"/reporting/periods/{q1.pk}/approvals/520100/unapprove/", {"reason": ""})
    assert response.status_code == 400
    assert state(q1, guiyang) == approval.APPROVED


def test_county_staff_cannot_open_the_approvals(client, q1, county_user):
    client.force_login(county_user)
    assert client.get(f"/reporting/periods/{q1.pk}/approvals/").status_code == 403


def test_a_county_switched_back_on_withdraws_the_approval_it_is_not_covered_by(
    q1, guiyang, market, county_user, city_user, province_user, yunyan
):
    division_set_active(division=yunyan, active=False, by=province_user)
    accept(q1, market.county, county_user, city_user, province_user)
    approval.city_approve(period=q1, city=guiyang, by=city_user)
    accepted_period = period("2023-04-01")
    accept(accepted_period, market.county, county_user, city_user, province_user, when="2023-07-03 10:00")
    approval.city_approve(period=accepted_period, city=guiyang, by=city_user)
    approval.city_accept(period=accepted_period, city=guiyang, by=province_user)
    Notification.objects.all().delete()

    division_set_active(division=yunyan, active=True, by=province_user)

    # The approval still waiting for the province goes back: 云岩 has no accepted report.
    assert state(q1, guiyang) == approval.WAITING
    row = CityApproval.objects.get(period=q1)
    assert row.status == CityApproval.Status.WITHDRAWN and "云岩区已恢复启用" in row.reason
    event = AuditEvent.objects.filter(target_type="reporting.cityapproval", target_id=str(row.pk)).latest("id")
    assert event.changes["status"] == ["approved", "withdrawn"] and event.actor == province_user
    told = set(Notification.objects.filter(title__contains="市州审批已撤回").values_list("recipient", flat=True))
    assert told == {city_user.pk, province_user.pk}
    # What the province accepted stays accepted: locked data stays locked.
    assert state(accepted_period, guiyang) == approval.ACCEPTED
    # Switching it on again changes nothing more.
    division_set_active(division=yunyan, active=False, by=province_user)
    division_set_active(division=yunyan, active=True, by=province_user)
    assert Notification.objects.filter(title__contains="市州审批已撤回").count() == 2


def test_a_county_switched_back_on_with_an_accepted_report_keeps_the_approval(
    q1, guiyang, market, market2, county_user, county2_user, city_user, province_user, yunyan
):
    accept(q1, market.county, county_user, city_user, province_user)
    accept(q1, market2.county, county2_user, city_user, province_user)
    division_set_active(division=yunyan, active=False, by=province_user)
    approval.city_approve(period=q1, city=guiyang, by=city_user)
    division_set_active(division=yunyan, active=True, by=province_user)
    assert state(q1, guiyang) == approval.APPROVED
