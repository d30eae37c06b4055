"""Wage settlement at 完工, confirmed by the worker, and the 欠薪 case opened exactly once when it is late."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gigmarket.celery import app
from gigmarket.core.models import AuditEvent
from matching.models import RightsCase, WageSettlement
from matching.settlement import (
    default_wage_due,
    employer_pay_records,
    wage_arrears_sweep,
    wage_settlement_confirm,
    wage_settlement_record,
)
from tests.factories.matching import make_match
from tests.factories.registry import PostingFactory


@pytest.fixture
def completed(market, clerk):
    today = timezone.localdate()
    posting = PostingFactory(market=market, pay=230, work_date=today, work_date_end=today)
    return make_match(posting=posting, by=clerk, state="completed")


def paid(amount, on=None):
    return {
        "wage_due": Decimal("230"),
        "amount_paid": Decimal(amount),
        "paid_on": on or timezone.localdate(),
        "method": "cash",
    }


def test_wage_due_defaults_to_the_day_rate_times_the_days(market, clerk):
    today = timezone.localdate()
    posting = PostingFactory(market=market, pay=200, work_date=today, work_date_end=today + datetime.timedelta(days=2))
    match = make_match(posting=posting, by=clerk)
    assert default_wage_due(match) == Decimal("600")


def test_only_a_completed_match_takes_a_settlement(market, clerk):
    match = make_match(market=market, by=clerk, state="confirmed")
    with pytest.raises(ValidationError, match="登记完工后"):
        wage_settlement_record(match=match, data=paid("230"), by=clerk)
    assert not WageSettlement.objects.exists()


def test_recording_and_confirming_is_audited_and_locks_the_settlement(completed, clerk):
    settlement = wage_settlement_record(match=completed, data=paid("230"), by=clerk)
    settlement, changed = wage_settlement_confirm(settlement=settlement, by=clerk)
    assert changed and settlement.is_confirmed and settlement.owed == 0
    assert settlement.confirmed_via == WageSettlement.Confirmation.COUNTER
    actions = list(
        AuditEvent.objects.filter(target_type="matching.wagesettlement").values_list("action", flat=True).order_by("pk")
    )
    assert actions == ["create", "transition"]
    with pytest.raises(ValidationError, match="零工已确认"):
        wage_settlement_record(match=completed, data=paid("100"), by=clerk)
    assert wage_settlement_confirm(settlement=settlement, by=clerk)[1] is False


def test_payment_needs_date_and_method_and_cannot_be_in_the_future(completed, clerk):
    with pytest.raises(ValidationError) as err:
        wage_settlement_record(match=completed, data={"wage_due": 230, "amount_paid": 230}, by=clerk)
    assert set(err.value.message_dict) == {"paid_on", "method"}
    with pytest.raises(ValidationError, match="不能晚于今天"):
        wage_settlement_record(
            match=completed, data=paid("230", on=timezone.localdate() + datetime.timedelta(days=1)), by=clerk
        )
    assert not WageSettlement.objects.filter(recorded_at__isnull=False).exists()


def test_unpaid_wage_opens_one_case_only_after_the_deadline(completed, settings):
    settings.WAGE_PAYMENT_DAYS = 7
    done = completed.completed_at
    with time_machine.travel(done + datetime.timedelta(days=6, hours=23), tick=False):
        assert wage_arrears_sweep() == []
    with time_machine.travel(done + datetime.timedelta(days=7, minutes=1), tick=False):
        [case] = wage_arrears_sweep()
        assert wage_arrears_sweep() == []  # a second run (or a second beat) opens nothing
    assert (case.kind, case.match_id, case.amount_owed) == (RightsCase.Kind.WAGES, completed.pk, Decimal("230"))
    assert case.employer_id == completed.employer_id and case.worker_id == completed.worker_id
    assert RightsCase.objects.filter(match=completed).count() == 1
    assert WageSettlement.objects.get(match=completed).arrears_case == case


def test_short_payment_confirmed_by_the_worker_opens_a_case_for_the_difference(completed, clerk):
    settlement = wage_settlement_record(match=completed, data=paid("100"), by=clerk)
    wage_settlement_confirm(settlement=settlement, by=clerk)
    with time_machine.travel(completed.completed_at + datetime.timedelta(days=30), tick=False):
        [case] = wage_arrears_sweep()
    assert case.amount_owed == Decimal("130")
    assert "少付" in case.summary


def test_payment_recorded_but_not_confirmed_by_the_worker_does_not_count(completed, clerk):
    wage_settlement_record(match=completed, data=paid("230"), by=clerk)
    with time_machine.travel(completed.completed_at + datetime.timedelta(days=30), tick=False):
        [case] = wage_arrears_sweep()
    assert case.amount_owed == Decimal("230")


def test_full_confirmed_payment_opens_no_case(completed, clerk):
    settlement = wage_settlement_record(match=completed, data=paid("230"), by=clerk)
    wage_settlement_confirm(settlement=settlement, by=clerk)
    with time_machine.travel(completed.completed_at + datetime.timedelta(days=30), tick=False):
        assert wage_arrears_sweep() == []


def test_the_task_and_the_command_run_the_same_sweep(completed):
    app.loader.import_default_modules()
    with time_machine.travel(completed.completed_at + datetime.timedelta(days=30), tick=False):
        assert app.tasks["matching.tasks.open_wage_cases"].apply().get() == 1
        out = io.StringIO()
        call_command("open_wage_cases", stdout=out)
    assert "新登记欠薪案件 0 件" in out.getvalue()


def test_days_to_pay_per_employer(market, clerk):
    today = timezone.localdate()
    employer = PostingFactory(market=market).employer
    for days in (1, 3):
        posting = PostingFactory(market=market, employer=employer, pay=100, work_date=today)
        match = make_match(posting=posting, by=clerk, state="completed")
        with time_machine.travel(match.completed_at + datetime.timedelta(days=days), tick=False):
            settlement = wage_settlement_record(
                match=match, data={**paid("100"), "wage_due": 100, "paid_on": timezone.localdate()}, by=clerk
            )
            wage_settlement_confirm(settlement=settlement, by=clerk)
    record = employer_pay_records([employer.pk])[employer.pk]
    assert (record["settled"], record["avg_days"], record["max_days"], record["short"]) == (2, 2.0, 3, 0)


def test_clerk_records_and_confirms_on_the_match_page(client, completed, clerk):
    client.force_login(clerk)
    detail = reverse("matching:match_detail", args=[completed.pk])
    assert "登记工资结算" in client.get(detail).content.decode()
    response = client.post(
        reverse("matching:wage_record", args=[completed.pk]), {"wage_due": "230", "amount_paid": "50"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写支付日期" in body and 'value="50"' in body
    assert not WageSettlement.objects.exists()
    ok = {"wage_due": "230", "amount_paid": "230", "paid_on": timezone.localdate().isoformat(), "method": "transfer"}
    assert client.post(reverse("matching:wage_record", args=[completed.pk]), ok).status_code == 302
    assert client.post(reverse("matching:wage_confirm", args=[completed.pk])).status_code == 302
    body = client.get(detail).content.decode()
    assert "已足额支付" in body and "窗口现场确认" in body


@pytest.mark.parametrize("rows", [1, 4])
def test_wage_list_query_count_does_not_grow_with_rows(client, market, clerk, django_assert_num_queries, rows):
    for _ in range(rows):
        make_match(market=market, by=clerk, state="completed")
    client.force_login(clerk)
    client.get(reverse("matching:wage_list"))  # warm the session and the content types
    with django_assert_num_queries(8):  # issue 19: the user menu's division and market come with the session's user
        response = client.get(reverse("matching:wage_list"), {"status": "all"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == rows
