"""Deadline reminders, overdue notices and the province summary: exactly once each."""

import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from gigmarket.core.models import Division
from reporting.models import Notification, ReminderDispatch
from reporting.services import reminder_kind_for, reminders_send, submission_submit
from tests.factories.core import UserFactory, division
from tests.factories.reporting import beijing, period

SEVEN_DAYS_BEFORE_Q1 = "2023-03-29 09:00"  # 2023年第一季度 is due 2023-04-05


@pytest.fixture
def staff(db, county_user, county2_user, city_user, province_user):
    for user in (county_user, county2_user, city_user, province_user):
        user.email = f"{user.username}@example.cn"
        user.save()
    return county_user, county2_user, city_user, province_user


def run_at(text):
    with time_machine.travel(beijing(text), tick=False):
        return reminders_send()


def active_counties():
    return Division.objects.filter(level="county", is_active=True).count()


def test_reminder_kind_picks_the_nearest_configured_offset():
    assert reminder_kind_for(7, [1, 3, 7]) == "due_7"
    assert reminder_kind_for(5, [1, 3, 7]) == "due_7"
    assert reminder_kind_for(3, [1, 3, 7]) == "due_3"
    assert reminder_kind_for(0, [1, 3, 7]) == "due_1"
    assert reminder_kind_for(8, [1, 3, 7]) is None


def test_double_run_sends_one_reminder_per_county(staff, mailoutbox, django_capture_on_commit_callbacks):
    county_user, county2_user, _, _ = staff
    with time_machine.travel(beijing("2023-03-29 10:00"), tick=False):
        submission_submit(period=period("2023-01-01"), county=county2_user.division, by=county2_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_at(SEVEN_DAYS_BEFORE_Q1)
    with django_capture_on_commit_callbacks(execute=True):
        second = run_at("2023-03-29 09:15")
    assert first == {"due_7": active_counties() - 1}
    assert second == {}
    notes = Notification.objects.filter(recipient=county_user)
    assert notes.count() == 1
    assert "2023年第一季度" in notes.get().title
    assert not Notification.objects.filter(recipient=county2_user).exists()  # already reported
    assert [m.to for m in mailoutbox] == [["nm_county@example.cn"]]
    assert ReminderDispatch.objects.filter(kind="due_7").count() == active_counties() - 1


def test_each_offset_fires_once_then_overdue_and_summary(staff, mailoutbox):
    county_user, _, city_user, province_user = staff
    for moment in ("2023-03-29 09:00", "2023-03-30 09:00", "2023-04-02 09:00", "2023-04-04 09:00", "2023-04-05 09:00"):
        run_at(moment)
        run_at(moment)
    kinds = list(Notification.objects.filter(recipient=county_user).order_by("id").values_list("title", flat=True))
    assert len(kinds) == 3  # 7, 3 and 1 days before
    assert not Notification.objects.filter(recipient=city_user).exists()
    assert run_at("2023-04-06 00:05") == {"overdue": active_counties(), "summary": 1}
    assert run_at("2023-04-06 09:00") == {}
    overdue = Notification.objects.filter(kind=Notification.Kind.OVERDUE)
    assert overdue.filter(recipient=county_user).count() == 1
    # the 市州 hears about each of its missing counties (南明区 and 云岩区 among them)
    assert overdue.filter(recipient=city_user, title__contains="南明区").count() == 1
    assert overdue.filter(recipient=city_user, title__contains="云岩区").count() == 1
    summary = Notification.objects.get(kind=Notification.Kind.SUMMARY)
    assert summary.recipient == province_user
    assert f"共{active_counties()}个" in summary.body and "贵阳市南明区" in summary.body


def test_the_due_day_itself_is_not_overdue_at_23_59_beijing(staff):
    assert "overdue" not in run_at("2023-04-05 23:59")
    assert "overdue" in run_at("2023-04-06 00:00")


def test_custom_offsets_come_from_settings(staff, settings):
    settings.REPORTING_REMINDER_DAYS = [10]
    assert run_at("2023-03-26 09:00") == {"due_10": active_counties()}


def test_command_runs_the_same_service(staff, capsys):
    call_command("send_reminders", "--now", "2023-03-29T09:00")
    call_command("send_reminders", "--now", "2023-03-29T09:00")
    out = capsys.readouterr().out
    assert f"due_7: {active_counties()}" in out
    assert "没有需要发送的提醒" in out
    assert Notification.objects.filter(recipient=staff[0]).count() == 1


def test_celery_task_runs_the_service(staff):
    from reporting.tasks import send_reminders

    with time_machine.travel(beijing(SEVEN_DAYS_BEFORE_Q1), tick=False):
        send_reminders.delay()
        send_reminders.delay()
    assert Notification.objects.filter(recipient=staff[0]).count() == 1


def test_a_failure_while_sending_rolls_back_the_claim(staff, monkeypatch):
    from reporting import services

    real = services.notify

    def broken(**kwargs):
        if any(u.division_id == staff[0].division_id for u in kwargs["recipients"]):
            raise RuntimeError("worker died")
        return real(**kwargs)

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        run_at(SEVEN_DAYS_BEFORE_Q1)
    assert not ReminderDispatch.objects.filter(county=staff[0].division).exists()
    monkeypatch.setattr(services, "notify", real)
    run_at(SEVEN_DAYS_BEFORE_Q1)  # redelivered: now it goes out, once
    run_at(SEVEN_DAYS_BEFORE_Q1)
    assert Notification.objects.filter(recipient=staff[0]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_once(county_user):
    """Four workers at the same moment: the unique claim lets only one send. (SQLite's
    shared in-memory test database cannot take concurrent writers; runs one after another
    are `test_a_failure_while_sending_rolls_back_the_claim` and the tests above.)"""
    workers = 4
    barrier = threading.Barrier(workers)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            run_at(SEVEN_DAYS_BEFORE_Q1)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run_at(SEVEN_DAYS_BEFORE_Q1)
    assert errors == []
    assert Notification.objects.filter(recipient=county_user).count() == 1
    assert ReminderDispatch.objects.filter(county=division("520102")).count() == 1


def test_notification_centre_badge_and_mark_read(client, county_user):
    from tests.factories.reporting import NotificationFactory

    other = UserFactory(username="someone")
    NotificationFactory(recipient=county_user, title="请按时报送2023年第一季度零工市场名录", link="/reporting/")
    NotificationFactory(recipient=county_user)
    hidden = NotificationFactory(recipient=other, title="别人的通知")
    client.force_login(county_user)
    body = client.get("/reporting/notifications/").content.decode()
    assert "请按时报送2023年第一季度零工市场名录" in body and "别人的通知" not in body
    assert "data-unread-count>2<" in body
    note = county_user.notifications.get(title__startswith="请按时报送")
    assert client.get(f"/reporting/notifications/{note.pk}/")["Location"] == "/reporting/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(f"/reporting/notifications/{hidden.pk}/").status_code == 404
    client.post("/reporting/notifications/read/")
    assert "data-unread-count" not in client.get("/reporting/notifications/").content.decode()
    hidden.refresh_from_db()
    assert hidden.read_at is None


def test_outbox_sweep_sends_each_pending_email_once(staff, mailoutbox):
    from reporting.services import notification_emails_send, notify

    # notifications created while the enqueue after commit was lost (no on_commit run here)
    notify(recipients=[staff[0], staff[1]], kind=Notification.Kind.REMINDER, title="请报送", body="请按时报送。")
    assert mailoutbox == []
    assert notification_emails_send() == 2
    assert notification_emails_send() == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["nm_county@example.cn", "yy_county@example.cn"]
    mail = mailoutbox[0]
    assert mail.subject == "【零工市场管理平台】请报送"
    assert "请按时报送。" in mail.body and mail.alternatives[0][1] == "text/html"
    assert not Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).exists()


def test_reporting_beat_entries_are_in_the_one_schedule_and_name_real_tasks():
    from gigmarket.celery import app
    from reporting.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE.items() <= app.conf.beat_schedule.items()
    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
