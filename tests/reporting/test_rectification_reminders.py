"""Overdue 整改 join the reminders: the county's and the 市州's staff are told once per record."""

import datetime

import pytest
import time_machine

from markets.models import Rectification
from markets.rectification import rectification_close, rectification_update
from markets.services import market_update
from reporting.models import Notification
from reporting.services import rectification_overdue_notices_send, reminders_send
from reporting.tasks import send_reminders
from tests.factories.core import UserFactory, division
from tests.factories.markets import open_rectification
from tests.factories.reporting import beijing

OPENED = "2026-06-01 10:00"
DEADLINE = datetime.date(2026, 6, 5)


@pytest.fixture
def staff(db, county_user, county2_user, city_user, province_user):
    zunyi = UserFactory(role="city", division=division("520300"), username="zy_city")
    for user in (county_user, county2_user, city_user, province_user, zunyi):
        user.email = f"{user.username}@example.cn"
        user.save()
    return county_user, county2_user, city_user, province_user, zunyi


@pytest.fixture
def record(market, staff):
    with time_machine.travel(beijing(OPENED), tick=False):
        return open_rectification(market, "sign", by=staff[0], deadline=DEADLINE)


def notices():
    return Notification.objects.filter(kind=Notification.Kind.RECTIFICATION)


def run_at(text, send=rectification_overdue_notices_send):
    with time_machine.travel(beijing(text), tick=False):
        return send()


def test_an_overdue_record_is_notified_once_to_county_and_city_staff(
    record, staff, mailoutbox, django_capture_on_commit_callbacks
):
    county_user, county2_user, city_user, province_user, zunyi = staff
    with django_capture_on_commit_callbacks(execute=True):
        assert run_at("2026-06-06 09:00") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run_at("2026-06-06 09:15") == 0
        assert run_at("2026-06-09 09:00") == 0
    assert sorted(n.recipient.username for n in notices()) == ["gy_city", "nm_county"]
    note = notices().get(recipient=county_user)
    assert note.link == f"/markets/rectifications/{record.pk}/"
    assert "统一标识" in note.title and "整改已逾期" in note.title
    assert "2026年06月05日" in note.body and "已逾期1天" in note.body
    assert "13800138000" not in note.body
    assert sorted(m.to[0] for m in mailoutbox) == ["gy_city@example.cn", "nm_county@example.cn"]
    record.refresh_from_db()
    assert record.overdue_notified_at == beijing("2026-06-06 09:00")


def test_the_beat_task_sends_it_through_reminders_send(record, staff):
    with time_machine.travel(beijing("2026-06-07 08:00"), tick=False):
        first = send_reminders()
        second = reminders_send()
    assert first.get("rectification_overdue") == 1
    assert "rectification_overdue" not in second
    assert notices().count() == 2


def test_not_yet_due_sends_nothing(record, staff):
    assert run_at("2026-06-05 23:59") == 0  # the deadline day itself is not overdue
    assert not notices().exists()


def test_a_closed_record_sends_nothing(record, staff):
    with time_machine.travel(beijing("2026-06-04 10:00"), tick=False):
        rectification_close(rectification=record, note="不再需要", by=staff[0])
    assert run_at("2026-06-10 09:00") == 0
    assert not notices().exists()


def test_a_record_met_before_the_deadline_sends_nothing(record, staff, market):
    with time_machine.travel(beijing("2026-06-04 10:00"), tick=False):
        market_update(market=market, data={"sign_hung": True}, by=staff[0])
    record.refresh_from_db()
    assert record.status == Rectification.Status.CLOSED
    assert run_at("2026-06-10 09:00") == 0
    assert not notices().exists()


def test_a_new_deadline_is_notified_once_again_when_it_passes(record, staff):
    assert run_at("2026-06-06 09:00") == 1
    with time_machine.travel(beijing("2026-06-06 10:00"), tick=False):
        rectification_update(rectification=record, data={"deadline": datetime.date(2026, 6, 20)}, by=staff[0])
    assert run_at("2026-06-10 09:00") == 0
    assert run_at("2026-06-21 09:00") == 1
    assert run_at("2026-06-21 09:15") == 0
    assert notices().count() == 4  # two staff, two deadlines
