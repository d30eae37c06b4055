"""个性化就业援助: plans for the hardship tiers, steps due on the right day, reminders once, close, scoping."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from registry.assistance import (
    assistance_reminders_send,
    note_add,
    plan_close,
    plan_open,
    step_add,
    step_done,
    steps_due_for_owner,
)
from registry.dashboard import dashboard_cards
from registry.models import AssistancePlan, AssistanceReminder
from tests.factories.registry import WorkerFactory

DAY = datetime.date(2026, 11, 10)


def at(day, hour=9):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone()), tick=False
    )


@pytest.fixture
def hardship(market):
    return WorkerFactory(registered_market=market, low_income=True)


@pytest.fixture
def plan(hardship, county_user, clerk):
    with at(DAY):
        return plan_open(worker=hardship, owner=county_user, goal="三个月内实现就业", by=clerk)


def test_a_plan_is_opened_for_a_hardship_worker_and_audited(plan, hardship, county_user, clerk):
    assert plan.owner == county_user and plan.is_open
    assert AuditEvent.objects.filter(target_id=str(plan.pk), action=AuditEvent.Action.CREATE, actor=clerk).exists()


def test_a_normal_tier_worker_gets_no_plan(market, county_user, clerk):
    worker = WorkerFactory(registered_market=market)
    with pytest.raises(ValidationError, match="一级、二级帮扶对象"):
        plan_open(worker=worker, owner=county_user, goal="x", by=clerk)


def test_the_owner_must_work_in_the_workers_county(hardship, county2_user, clerk):
    with pytest.raises(ValidationError, match="责任人"):
        plan_open(worker=hardship, owner=county2_user, goal="x", by=clerk)


def test_one_open_plan_per_worker(plan, hardship, county_user, clerk):
    with pytest.raises(ValidationError, match="已有进行中的就业援助计划"):
        plan_open(worker=hardship, owner=county_user, goal="第二个", by=clerk)
    assert AssistancePlan.objects.filter(worker=hardship).count() == 1


def test_the_database_refuses_a_second_open_plan(plan, hardship, county_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistancePlan.objects.create(worker=hardship, owner=county_user, goal="绕过服务")


def test_a_new_plan_may_follow_a_closed_one(plan, hardship, county_user, clerk):
    with at(DAY + datetime.timedelta(days=3)):
        plan_close(plan=plan, outcome="employed", note="", on=timezone.localdate(), by=clerk)
        second = plan_open(worker=hardship, owner=county_user, goal="再次援助", by=clerk)
    assert second.is_open and AssistancePlan.objects.filter(worker=hardship).count() == 2


def test_exit_needs_a_reason(plan, clerk):
    with at(DAY), pytest.raises(ValidationError, match="退出援助须填写原因"):
        plan_close(plan=plan, outcome="exited", note="  ", on=DAY, by=clerk)
    plan.refresh_from_db()
    assert plan.is_open
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistancePlan.objects.filter(pk=plan.pk).update(status="closed", outcome="exited", closed_on=DAY)


def test_a_closed_plan_is_read_only_and_keeps_its_history(plan, clerk):
    with at(DAY):
        step = step_add(plan=plan, data={"service": "guidance", "due_on": DAY}, by=clerk)
        note_add(plan=plan, data={"kind": "note", "on": DAY, "text": "首次面谈"}, by=clerk)
        plan_close(plan=plan, outcome="exited", note="外出务工，主动退出", on=DAY, by=clerk)
        for write in (
            lambda: step_add(plan=plan, data={"service": "training", "due_on": DAY}, by=clerk),
            lambda: note_add(plan=plan, data={"kind": "note", "on": DAY, "text": "x"}, by=clerk),
            lambda: step_done(step=step, on=DAY, note="", by=clerk),
            lambda: plan_close(plan=plan, outcome="employed", note="", on=DAY, by=clerk),
        ):
            with pytest.raises(ValidationError, match="已结案"):
                write()
    plan.refresh_from_db()
    assert plan.outcome == "exited" and plan.steps.count() == 1 and plan.notes.count() == 1


def test_steps_are_due_on_their_day_and_overdue_after(plan, county_user, clerk):
    with at(DAY):
        step = step_add(
            plan=plan, data={"service": "job_referral", "due_on": DAY + datetime.timedelta(days=2)}, by=clerk
        )
    with at(DAY + datetime.timedelta(days=1)):
        assert list(steps_due_for_owner(county_user, timezone.localdate())) == []
        assert dashboard_cards(county_user)[0]["value"] == 0
    with at(DAY + datetime.timedelta(days=2)):
        assert list(steps_due_for_owner(county_user, timezone.localdate())) == [step]
        assert step.state_on(timezone.localdate()) == "due"
        assert dashboard_cards(county_user)[0]["value"] == 1
        assert dashboard_cards(clerk)[0]["value"] == 0  # not the clerk's plan
    with at(DAY + datetime.timedelta(days=3)):
        assert step.state_on(timezone.localdate()) == "overdue"
        step_done(step=step, on=timezone.localdate(), note="推荐到保洁岗位", by=clerk)
        assert dashboard_cards(county_user)[0]["value"] == 0


def test_reminders_go_once_per_step_and_day(plan, county_user, clerk):
    county_user.email = "owner@example.cn"
    county_user.save()
    with at(DAY):
        step_add(
            plan=plan,
            data={"service": "guidance", "detail": "职业指导面谈", "due_on": DAY + datetime.timedelta(days=1)},
            by=clerk,
        )
        assert assistance_reminders_send() == 0
    with at(DAY + datetime.timedelta(days=1)):
        assert assistance_reminders_send() == 1
        assert assistance_reminders_send() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.cn"] and "职业指导面谈" in mail.outbox[0].body
    assert "今日到期" in mail.outbox[0].body
    with at(DAY + datetime.timedelta(days=2)):
        assert assistance_reminders_send() == 1
    assert "已逾期1天" in mail.outbox[1].body
    assert AssistanceReminder.objects.count() == 2


def test_worker_page_shows_the_section_and_the_plan_page_works(client, plan, hardship, clerk):
    client.force_login(clerk)
    page = client.get(reverse("registry:worker_detail", args=[hardship.pk]))
    assert "个性化就业援助" in page.content.decode() and "三个月内实现就业" in page.content.decode()
    url = reverse("registry:assistance_step_create", args=[plan.pk])
    response = client.post(
        url, {"service": "training", "detail": "电工培训", "due_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assert plan.steps.get().detail == "电工培训"
    response = client.post(
        reverse("registry:assistance_close", args=[plan.pk]),
        {"outcome": "exited", "note": "", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400 and "退出援助须填写原因" in response.content.decode()
    plan.refresh_from_db()
    assert plan.is_open


def test_other_county_gets_404_and_nothing_changes(client, plan, county2_user):
    client.force_login(county2_user)
    assert client.get(reverse("registry:assistance_detail", args=[plan.pk])).status_code == 404
    response = client.post(
        reverse("registry:assistance_close", args=[plan.pk]),
        {"outcome": "employed", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.is_open


def test_owner_list_query_count_does_not_grow(client, county_user, clerk, market, django_assert_num_queries):
    for _ in range(3):
        worker = WorkerFactory(registered_market=market, low_income=True)
        plan = plan_open(worker=worker, owner=county_user, goal="援助", by=clerk)
        step_add(plan=plan, data={"service": "guidance", "due_on": timezone.localdate()}, by=clerk)
    client.force_login(county_user)
    with django_assert_num_queries(6):  # issue 19: the user menu's division and market come with the session's user
        response = client.get(reverse("registry:assistance_list"))
    assert response.status_code == 200 and len(response.context["plans"]) == 3
