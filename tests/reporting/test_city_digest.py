"""The weekly 市州 digest: once per 市州 and ISO week, only to 市州 staff with an e-mail
address, and its numbers are the monitoring page's for the same days."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from gigmarket.core.models import User
from markets.models import Rectification
from reporting.digest import city_digest, city_digest_send, city_digests_send, previous_week, week_days
from reporting.models import CityDigest
from reporting.rollups import M
from reporting.schedule import BEAT_SCHEDULE
from reporting.selectors import period_board
from reporting.tasks import send_city_digests
from tests.factories.core import UserFactory, division
from tests.factories.markets import open_rectification
from tests.factories.reporting import beijing

MONDAY = "2026-06-08 07:30"  # the digest of ISO week 2026-W23 (June 1-7)


@pytest.fixture
def city_staff(db, city_user):
    city_user.email = "gy_city@example.cn"
    city_user.save()
    second = UserFactory(role="city", division=city_user.division, username="gy_city2", email="gy2@example.cn")
    zunyi = UserFactory(role="city", division=division("520300"), username="zy_city", email="zy@example.cn")
    return city_user, second, zunyi


def run_at(text):
    with time_machine.travel(beijing(text), tick=False):
        return city_digests_send()


def test_the_week_is_the_one_before(db):
    assert previous_week(datetime.date(2026, 6, 8)) == (2026, 23)
    assert previous_week(datetime.date(2026, 1, 4)) == (2025, 52)  # a Sunday: the week before its own
    assert week_days(2026, 23) == (datetime.date(2026, 6, 1), datetime.date(2026, 6, 7))


def test_sent_once_per_city_and_week_even_if_run_twice(city_staff, county_user):
    county_user.email = "nm@example.cn"
    county_user.save()
    assert run_at(MONDAY) == 2
    assert run_at("2026-06-08 07:45") == 0
    with time_machine.travel(beijing("2026-06-10 09:00"), tick=False):
        assert send_city_digests.apply().get() == 0  # the beat task, later the same week
    assert sorted(m.to[0] for m in mail.outbox) == ["gy2@example.cn", "gy_city@example.cn", "zy@example.cn"]
    assert all(m.subject.startswith("【零工市场管理平台】") and "2026年第23周" in m.subject for m in mail.outbox)
    digests = CityDigest.objects.order_by("city__code")
    assert [(d.city.code, d.iso_year, d.iso_week, d.recipient_count) for d in digests] == [
        ("520100", 2026, 23, 2),
        ("520300", 2026, 23, 1),
    ]
    assert all(d.sent_at is not None for d in digests)
    # The next week is a new digest.
    assert run_at("2026-06-15 07:30") == 2
    assert len(mail.outbox) == 6


def test_a_second_worker_for_the_same_week_sends_nothing(city_staff):
    city = city_staff[0].division
    with time_machine.travel(beijing(MONDAY), tick=False):
        assert city_digest_send(city=city, iso_year=2026, iso_week=23) is not None
        assert city_digest_send(city=city, iso_year=2026, iso_week=23) is None
    assert len(mail.outbox) == 2


def test_a_city_with_no_staff_email_gets_none(db, city_user):
    assert city_user.email == ""
    UserFactory(role="city", division=city_user.division, username="gy_gone", email="gone@example.cn", is_active=False)
    UserFactory(role="county", division=division("520102"), username="nm_mail", email="nm@example.cn")
    assert run_at(MONDAY) == 0
    assert mail.outbox == []
    assert not CityDigest.objects.exists()


def test_it_counts_rectifications_open_due_soon_and_overdue(city_staff, county_user, market, market2):
    with time_machine.travel(beijing("2026-06-01 09:00"), tick=False):
        late = open_rectification(market, "sign", by=county_user, deadline=datetime.date(2026, 6, 5))
        open_rectification(market, "zones", by=county_user, deadline=datetime.date(2026, 6, 11))
        open_rectification(market, "windows", by=county_user, deadline=datetime.date(2026, 7, 30))
        closed = open_rectification(market2, "sign", by=county_user, deadline=datetime.date(2026, 6, 2))
    Rectification.objects.filter(pk=closed.pk).update(status="closed")
    assert late.deadline < datetime.date(2026, 6, 8)
    content = city_digest(city_staff[0].division, 2026, 23, today=datetime.date(2026, 6, 8))
    lines = {line.county.code: line.rectifications for line in content.counties}
    assert lines["520102"] == {"open": 3, "due_soon": 1, "overdue": 1}
    assert lines["520103"] == {"open": 0, "due_soon": 0, "overdue": 0}
    assert content.rectifications == {"open": 3, "due_soon": 1, "overdue": 1}
    assert {line.county.parent.code for line in content.counties} == {"520100"}
    run_at(MONDAY)
    text = next(m for m in mail.outbox if m.to == ["gy_city@example.cn"])
    assert "整改中3项，7天内到期1项，已逾期1项" in text.body
    html, mimetype = text.alternatives[0]
    assert mimetype == "text/html"
    assert "南明区" in html and "整改中" in html


def test_the_schedule_runs_it_on_monday_morning():
    entry = BEAT_SCHEDULE["reporting-city-digest"]
    assert entry["task"] == "reporting.tasks.send_city_digests"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7} and schedule.minute == {30}


def test_the_command_runs_the_same_service(city_staff, capsys):
    call_command("send_city_digests", "--now", "2026-06-08T07:30")
    call_command("send_city_digests", "--now", "2026-06-08T09:00")
    out = capsys.readouterr().out
    assert "已发送 2 个市州的周报" in out and "没有需要发送的周报" in out
    assert CityDigest.objects.count() == 2


def test_the_numbers_are_the_monitoring_figures_of_the_same_days(demo_data):
    city_user = User.objects.get(username="demo_city")
    city = city_user.division
    today = datetime.date.today()
    iso_year, iso_week = previous_week(today)
    start, end = week_days(iso_year, iso_week)
    content = city_digest(city, iso_year, iso_week, today=today)

    client = Client()
    client.force_login(city_user)
    response = client.get(
        "/reporting/monitoring/", {"grain": "day", "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    )
    assert response.status_code == 200
    figures = response.context["figures"]
    page_children = {f.key.pk: f for f in figures["children"] if f.key is not None}
    metrics = [M.NEW_SEEKERS, M.POSTINGS, M.MATCHES]
    assert [content.activity.get(m) for m in metrics] == [figures["total"].get(m) for m in metrics]
    assert sum(content.activity.get(m) for m in metrics) > 0  # the demo's week has activity
    for line in content.counties:
        assert line.activity_values == [page_children[line.county.pk].get(m) for m in metrics], line.county.name
    assert {line.county.pk for line in content.counties} == set(page_children)

    # Completeness: the period board's line for this 市州, period by period.
    for period, line in content.period_rows:
        board = period_board(period, city_user)
        (city_line,) = [c for c in board["cities"] if c.division == city]
        assert (line.expected, line.submitted, line.on_time) == (
            city_line.expected,
            city_line.submitted,
            city_line.on_time,
        )


@pytest.mark.parametrize("command", ["send_city_digests", "send_reminders"])
def test_a_bad_now_is_refused_in_chinese(command):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--now 格式应为"):
        call_command(command, "--now", "下周一")
