"""County → 市州 → 省 submission flow: frozen snapshots, state machine, audit, scoping."""

import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gigmarket.core.models import AuditEvent
from markets.models import Market
from reporting.models import Submission
from reporting.services import (
    ReportingError,
    submission_accept,
    submission_forward,
    submission_return,
    submission_submit,
    submission_unlock,
)
from tests.factories.markets import MarketFactory
from tests.factories.reporting import beijing, period

S = Submission.Status


@pytest.fixture
def q1(db):
    return period("2023-01-01")


@pytest.fixture
def submitted(q1, market, county_user):
    with time_machine.travel(beijing("2023-04-03 10:00"), tick=False):
        return submission_submit(period=q1, county=market.county, by=county_user)


def transitions(sub):
    return list(
        AuditEvent.objects.filter(
            target_type="reporting.submission", target_id=str(sub.pk), action=AuditEvent.Action.TRANSITION
        )
        .order_by("id")
        .values_list("changes__status", flat=True)
    )


def test_submission_freezes_rows_that_later_market_edits_do_not_change(submitted, market):
    frozen = submitted.rows
    assert [item["row"]["name"] for item in frozen] == [market.name]
    market.address = "新地址99号"
    market.status = Market.Status.CLOSED
    market.save()
    submitted.refresh_from_db()
    assert submitted.rows == frozen
    assert submitted.rows[0]["row"]["address"] == "测试地址1号"


def test_on_time_and_late_follow_the_beijing_deadline(q1, market, market2, county_user, county2_user):
    with time_machine.travel(beijing("2023-04-05 23:59"), tick=False):
        on_time = submission_submit(period=q1, county=market.county, by=county_user)
    with time_machine.travel(beijing("2023-04-06 00:01"), tick=False):
        late = submission_submit(period=q1, county=market2.county, by=county2_user)
    assert on_time.is_on_time
    assert not late.is_on_time


def test_full_flow_submit_forward_accept_is_audited_and_locks(submitted, city_user, province_user, county_user):
    submission_forward(submission=submitted, by=city_user)
    submission_accept(submission=submitted, by=province_user)
    submitted.refresh_from_db()
    assert submitted.status == S.ACCEPTED and submitted.is_locked
    assert transitions(submitted) == [["", "submitted"], ["submitted", "forwarded"], ["forwarded", "accepted"]]
    with pytest.raises(ReportingError):
        submission_submit(period=submitted.period, county=submitted.county, by=county_user)


def test_double_click_does_not_transition_twice(submitted, city_user):
    submission_forward(submission=submitted, by=city_user)
    with pytest.raises(ReportingError):
        submission_forward(submission=submitted, by=city_user)
    assert transitions(submitted) == [["", "submitted"], ["submitted", "forwarded"]]


def test_county_cannot_submit_twice_while_waiting(submitted, county_user):
    with pytest.raises(ReportingError):
        submission_submit(period=submitted.period, county=submitted.county, by=county_user)
    assert Submission.objects.count() == 1


def test_returned_county_resubmits_a_new_version_with_current_rows(submitted, city_user, county_user, market):
    submission_return(submission=submitted, by=city_user, reason="运行时间缺失")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED
    assert submitted.return_reason == "运行时间缺失"
    MarketFactory(county=market.county)
    with time_machine.travel(beijing("2023-04-10 10:00"), tick=False):
        again = submission_submit(period=submitted.period, county=submitted.county, by=county_user)
    assert again.pk == submitted.pk
    assert again.version == 2 and again.market_count == 2 and again.status == S.SUBMITTED
    # on time is judged by the first submission
    assert again.is_on_time
    assert transitions(again)[-2:] == [["submitted", "returned"], ["returned", "submitted"]]


def test_return_needs_a_reason(submitted, city_user):
    with pytest.raises(ReportingError):
        submission_return(submission=submitted, by=city_user, reason="  ")
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_province_returns_a_forwarded_report_but_city_cannot(submitted, city_user, province_user):
    submission_forward(submission=submitted, by=city_user)
    with pytest.raises(PermissionDenied):
        submission_return(submission=submitted, by=city_user, reason="x")
    submission_return(submission=submitted, by=province_user, reason="联系电话有误")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED


def test_province_cannot_accept_before_city_forwards(submitted, province_user):
    with pytest.raises(ReportingError):
        submission_accept(submission=submitted, by=province_user)


def test_unlock_is_recorded_with_its_reason(submitted, city_user, province_user, county_user):
    submission_forward(submission=submitted, by=city_user)
    submission_accept(submission=submitted, by=province_user)
    with pytest.raises(ReportingError):
        submission_unlock(submission=submitted, by=province_user, reason="")
    submission_unlock(submission=submitted, by=province_user, reason="南明区新增市场需补报")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED
    assert submitted.unlock_reason == "南明区新增市场需补报"
    event = AuditEvent.objects.filter(target_id=str(submitted.pk), action=AuditEvent.Action.TRANSITION).first()
    assert event.changes == {"status": ["accepted", "returned"], "reason": "解锁：南明区新增市场需补报"}
    assert event.actor == province_user
    # the county gets a notification and can resubmit
    assert county_user.notifications.filter(title__contains="解锁").exists()
    with time_machine.travel(beijing("2023-05-01 10:00"), tick=False):
        submission_submit(period=submitted.period, county=submitted.county, by=county_user)


def test_city_of_another_prefecture_cannot_forward(submitted, db):
    from tests.factories.core import UserFactory, division

    zunyi = UserFactory(role="city", division=division("520300"), username="zy_city")
    with pytest.raises(PermissionDenied):
        submission_forward(submission=submitted, by=zunyi)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_county_cannot_submit_for_another_county(q1, yunyan, county_user):
    with pytest.raises(PermissionDenied):
        submission_submit(period=q1, county=yunyan, by=county_user)
    assert not Submission.objects.exists()


def test_auditor_gets_403_on_forward_page(client, submitted, auditor):
    client.force_login(auditor)
    response = client.post(f"/reporting/submissions/{submitted.pk}/forward/")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_other_county_gets_404_and_nothing_changes(client, submitted, county2_user):
    client.force_login(county2_user)
    assert client.get(f"/reporting/submissions/{submitted.pk}/").status_code == 404
    assert client.post(f"/reporting/submissions/{submitted.pk}/return/", {"reason": "x"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_city_forwards_and_returns_through_the_pages(client, submitted, city_user):
    client.force_login(city_user)
    page = client.get(f"/reporting/submissions/{submitted.pk}/").content.decode()
    assert "审核通过，上报省级" in page and "退回县区" in page
    response = client.post(f"/reporting/submissions/{submitted.pk}/return/", {"reason": ""}, follow=True)
    assert "请填写原因" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    client.post(f"/reporting/submissions/{submitted.pk}/forward/")
    response = client.post(f"/reporting/submissions/{submitted.pk}/forward/", follow=True)
    assert "不是待市州审核状态" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == S.FORWARDED


def test_county_reviews_changes_since_last_report_and_submits(client, q1, market, county_user):
    q2 = period("2023-04-01")
    with time_machine.travel(beijing("2023-04-02 10:00"), tick=False):
        submission_submit(period=q1, county=market.county, by=county_user)
    added = MarketFactory(county=market.county, industry="家政")
    market.address = "南明区新址8号"
    market.save()
    client.force_login(county_user)
    with time_machine.travel(beijing("2023-07-01 10:00"), tick=False):
        body = client.get(f"/reporting/periods/{q2.pk}/review/").content.decode()
        assert "新增 1 个" in body and "变更 1 个" in body
        assert added.name in body and "南明区新址8号" in body
        response = client.post(f"/reporting/periods/{q2.pk}/submit/")
    assert response.status_code == 302
    sub = Submission.objects.get(period=q2, county=market.county)
    assert sub.market_count == 2 and sub.status == S.SUBMITTED


def test_submission_list_query_count_does_not_grow(
    client, django_assert_num_queries, city_user, county_user, county2_user, market, market2
):
    client.force_login(city_user)
    starts = ("2022-10-01", "2023-01-01", "2023-04-01")
    with time_machine.travel(beijing("2023-07-01 10:00"), tick=False):
        submission_submit(period=period(starts[0]), county=market.county, by=county_user)
    with django_assert_num_queries(6):  # issue 19: the user menu's division and market come with the session's user
        client.get("/reporting/submissions/")
    with time_machine.travel(beijing("2023-07-01 10:00"), tick=False):
        for start in starts[1:]:
            submission_submit(period=period(start), county=market.county, by=county_user)
        for start in starts:
            submission_submit(period=period(start), county=market2.county, by=county2_user)
    with django_assert_num_queries(6):
        response = client.get("/reporting/submissions/")
    assert len(re.findall(r'href="/reporting/submissions/\d+/"', response.content.decode())) == 6


def test_review_page_lists_markets_the_standard_check_flags(client, q1, market, county_user):
    client.force_login(county_user)
    with time_machine.travel(beijing("2023-04-01 10:00"), tick=False):
        body = client.get(f"/reporting/periods/{q1.pk}/review/").content.decode()
    assert "标准检查发现 1 个市场存在问题" in body
    assert "未登记运行时间" in body
    assert f"/markets/{market.pk}/" in body


def test_clerk_cannot_open_the_review_page(client, q1, clerk):
    client.force_login(clerk)
    assert client.get(f"/reporting/periods/{q1.pk}/review/").status_code == 403
    assert client.post(f"/reporting/periods/{q1.pk}/submit/").status_code == 403
    assert not Submission.objects.exists()
