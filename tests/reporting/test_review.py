"""What reviewers see and are told: the diff against the last accepted report, clean
notices and histories, notifications to the next level, the 待审核 card."""

import pytest
import time_machine
from django.core import mail

from reporting.dashboard import dashboard_cards
from reporting.models import Notification
from reporting.selectors import submission_changes
from reporting.services import (
    ReportingError,
    notification_emails_send,
    submission_accept,
    submission_forward,
    submission_return,
    submission_submit,
    submission_unlock,
)
from tests.factories.markets import MarketFactory
from tests.factories.reporting import beijing, period


def submit(p, county, by, when="2023-07-02 10:00"):
    with time_machine.travel(beijing(when), tick=False):
        return submission_submit(period=p, county=county, by=by)


@pytest.fixture
def accepted_q1(market, county_user, city_user, province_user):
    sub = submit(period("2023-01-01"), market.county, county_user)
    submission_forward(submission=sub, by=city_user)
    submission_accept(submission=sub, by=province_user)
    return sub


def test_reviewer_sees_changes_against_the_last_accepted_report(
    client, accepted_q1, market, county_user, city_user, province_user
):
    gone = MarketFactory(county=market.county, name="将撤销市场")
    # a later report that was returned, not accepted, is not the basis
    q2 = submit(period("2023-04-01"), market.county, county_user)
    submission_return(submission=q2, by=city_user, reason="核对")
    gone.delete()  # never accepted: it must not show as removed
    added = MarketFactory(county=market.county, name="新增市场甲")
    market.address = "南明区新址8号"
    market.save()
    q3 = submit(period("2023-07-01"), market.county, county_user, when="2023-10-02 10:00")
    changes = submission_changes(q3)
    assert changes.compared_with == accepted_q1
    assert [i["row"]["name"] for i in changes.new] == [added.name]
    assert [(f, old, new) for f, old, new in changes.changed[0]["fields"]] == [("地址", "测试地址1号", "南明区新址8号")]
    assert changes.closed == []
    for reviewer in (city_user, province_user):
        client.force_login(reviewer)
        body = client.get(f"/reporting/submissions/{q3.pk}/").content.decode()
        assert "2023年第一季度省级已确认名录" in body
        assert "新增 1 个，变更 1 个" in body
        assert "地址 “测试地址1号” → “南明区新址8号”" in body
        assert added.name in body


def test_a_first_report_compares_with_nothing(client, market, county_user, city_user):
    sub = submit(period("2023-01-01"), market.county, county_user)
    assert submission_changes(sub).compared_with is None
    assert len(submission_changes(sub).new) == 1
    client.force_login(city_user)
    assert "此前没有省级确认的报送" in client.get(f"/reporting/submissions/{sub.pk}/").content.decode()


def test_a_market_removed_since_the_accepted_report_is_listed(accepted_q1, market, county_user):
    market.delete()
    sub = submit(period("2023-04-01"), accepted_q1.county, county_user)
    changes = submission_changes(sub)
    assert [i["row"]["name"] for i in changes.closed] == [accepted_q1.rows[0]["row"]["name"]]
    assert changes.closed[0]["removed"]


def test_return_notice_does_not_double_its_ending(market, county_user, city_user):
    sub = submit(period("2023-01-01"), market.county, county_user)
    submission_return(submission=sub, by=city_user, reason="运行时间缺失，请补充后重新报送。")
    note = county_user.notifications.get(kind=Notification.Kind.REVIEW)
    assert note.body == "退回原因：运行时间缺失，请补充后重新报送。"
    sub = submit(period("2023-01-01"), market.county, county_user, when="2023-07-03 10:00")
    submission_return(submission=sub, by=city_user, reason="电话有误。")
    latest = county_user.notifications.filter(kind=Notification.Kind.REVIEW).order_by("-id").first()
    assert latest.body == "退回原因：电话有误。请修改后重新报送。"


def test_history_names_people_and_never_shows_empty(client, market, county_user, city_user, province_user, accepted_q1):
    for user, name in ((county_user, "张县报"), (city_user, "李市审"), (province_user, "王省核")):
        user.full_name = name
        user.save()
    submission_unlock(submission=accepted_q1, by=province_user, reason="补报新市场")
    client.force_login(city_user)
    body = client.get(f"/reporting/submissions/{accepted_q1.pk}/").content.decode()
    history = body[body.index("data-history") :]
    assert "张县报：报送" in history and "李市审：市州审核通过，上报省级" in history
    assert "王省核：省级确认（已锁定）" in history and "王省核：省级解锁，原因：补报新市场" in history
    assert "（空）" not in history
    assert county_user.username not in history and city_user.username not in history


def test_city_is_told_once_when_a_county_submits_and_province_when_it_forwards(
    market, county_user, city_user, province_user, settings
):
    city_user.email, province_user.email = "city@example.org", "prov@example.org"
    city_user.save()
    province_user.save()
    sub = submit(period("2023-01-01"), market.county, county_user)
    todo = Notification.objects.filter(kind=Notification.Kind.TO_REVIEW)
    assert [(n.recipient, n.link) for n in todo] == [(city_user, f"/reporting/submissions/{sub.pk}/")]
    assert not county_user.notifications.exists()
    with pytest.raises(ReportingError):
        submit(period("2023-01-01"), market.county, county_user)  # submitted twice: refused, told once
    assert todo.all().count() == 1
    submission_forward(submission=sub, by=city_user)
    with pytest.raises(ReportingError):
        submission_forward(submission=sub, by=city_user)  # a double click: refused, nobody told again
    assert sorted(n.recipient.username for n in todo.all()) == ["gy_city", "prov"]
    assert notification_emails_send() == 2
    assert notification_emails_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["city@example.org", "prov@example.org"]


def test_city_of_another_prefecture_is_not_told(market, county_user, db):
    from tests.factories.core import UserFactory, division

    zunyi = UserFactory(role="city", division=division("520300"), username="zy_city")
    submit(period("2023-01-01"), market.county, county_user)
    assert not zunyi.notifications.exists()


def _todo_card(user):
    return next(c for c in dashboard_cards(user) if c["title"] == "待审核")


def test_reviewers_dashboard_counts_what_waits_for_them(
    market, market2, county_user, county2_user, city_user, province_user, auditor
):
    with time_machine.travel(beijing("2023-07-02 10:00"), tick=False):
        a = submission_submit(period=period("2023-04-01"), county=market.county, by=county_user)
        submission_submit(period=period("2023-04-01"), county=market2.county, by=county2_user)
        assert _todo_card(city_user)["value"] == "2 份"
        assert _todo_card(province_user)["value"] == "0 份"
        submission_forward(submission=a, by=city_user)
        assert _todo_card(city_user)["value"] == "1 份"
        assert _todo_card(province_user)["value"] == "1 份"
        assert _todo_card(city_user)["url"] == "/reporting/submissions/?status=todo"
        assert not [c for c in dashboard_cards(county_user) if c["title"] == "待审核"]
        assert not [c for c in dashboard_cards(auditor) if c["title"] == "待审核"]


def test_reviewer_sees_the_countys_reality_check_beside_the_changes(
    client, market, yunyan, county_user, city_user, province_user, django_assert_num_queries
):
    from markets.models import Market
    from tests.reporting.test_map import record

    planning = MarketFactory(county=market.county, name="筹建中但有服务的市场", status=Market.Status.PLANNING)
    other_county_idle = MarketFactory(county=yunyan)
    sub = submit(period("2023-01-01"), market.county, county_user)
    record(planning, "visits", 4)
    for reviewer in (city_user, province_user):
        client.force_login(reviewer)
        body = client.get(f"/reporting/submissions/{sub.pk}/").content.decode()
        assert "名录与实际运行核对" in body
        assert market.name in body.split("data-idle>")[1]  # listed 运营中, nothing recorded
        assert planning.name in body.split("data-unlisted>")[1]
        assert other_county_idle.name not in body  # another county's market is not this review's
    with django_assert_num_queries(9):  # the reality check adds its 3, whatever the rows
        client.get(f"/reporting/submissions/{sub.pk}/")
