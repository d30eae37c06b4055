"""Subsidies: rules per subsidy (age, tier, dates, limits), review → approved → paid, one grant per period."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gigmarket.core.models import AuditEvent
from registry.models import SubsidyApplication, TrainingSignup
from registry.recognition import recognition_record
from registry.subsidies import (
    RULES,
    subsidy_apply,
    subsidy_approve,
    subsidy_pay,
    subsidy_return,
    totals,
)
from tests.factories.registry import (
    InsuranceEnrolmentFactory,
    TrainingOfferFactory,
    TrainingSignupFactory,
    WorkerFactory,
    id_number_for,
)
from tests.print_checks import assert_prints_on_a4, sign_off

TODAY = timezone.localdate()
YEAR = str(TODAY.year)
ACCIDENT = {
    "kind": "accident_insurance",
    "period": YEAR,
    "amount_requested": Decimal("100"),
    "evidence": ["意外伤害保险保单"],
}


def worker_born(year, market, *, gender="M", insured=False, **extra):
    birth = datetime.date(year, 3, 1)
    worker = WorkerFactory(id_number=id_number_for(1, birth=birth, gender=gender), registered_market=market, **extra)
    if insured:
        InsuranceEnrolmentFactory(worker=worker)
    return worker


@pytest.fixture
def insured(market):
    return worker_born(1985, market, insured=True)


def completed_signup(worker, *, subsidised=True, days=10):
    start = TODAY - datetime.timedelta(days=days + 5)
    offer = TrainingOfferFactory(
        county=worker.county,
        subsidy_eligible=subsidised,
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
    )
    return TrainingSignupFactory(offer=offer, worker=worker, status=TrainingSignup.Status.COMPLETED)


def training(signup, amount="1500", kind="training"):
    return {
        "kind": kind,
        "period": f"training:{signup.offer_id}",
        "training_signup": signup,
        "amount_requested": Decimal(amount),
        "evidence": list(RULES[kind].evidence),
    }


# Eligibility, per subsidy ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_year", "gender", "ok"),
    [
        (TODAY.year - 16, "M", True),
        (TODAY.year - 15, "M", False),
        (TODAY.year - 60, "M", True),
        (TODAY.year - 61, "M", False),
        (TODAY.year - 55, "F", True),
        (TODAY.year - 56, "F", False),
    ],
)
def test_age_boundaries(market, clerk, birth_year, gender, ok):
    worker = worker_born(birth_year, market, gender=gender, insured=True)
    if ok:
        assert subsidy_apply(worker=worker, data=ACCIDENT, by=clerk).status == "submitted"
    else:
        with pytest.raises(ValidationError, match="不符合意外伤害保险补贴“年龄”条件"):
            subsidy_apply(worker=worker, data=ACCIDENT, by=clerk)


def test_accident_subsidy_needs_insurance_evidence_and_respects_the_cap(market, clerk):
    worker = worker_born(1985, market)
    with pytest.raises(ValidationError) as err:
        subsidy_apply(worker=worker, data={**ACCIDENT, "evidence": [], "amount_requested": Decimal("101")}, by=clerk)
    text = " ".join(err.value.messages)
    assert "“参保”条件" in text and "须提交材料：意外伤害保险保单" in text and "不能超过100.00元" in text
    assert not SubsidyApplication.objects.exists()


def test_training_subsidy_needs_a_completed_subsidised_training(market, clerk):
    worker = worker_born(1985, market)
    signup = completed_signup(worker, subsidised=False)
    with pytest.raises(ValidationError, match="不是可享受补贴的培训项目"):
        subsidy_apply(worker=worker, data=training(signup), by=clerk)
    signup = completed_signup(worker)
    TrainingSignup.objects.filter(pk=signup.pk).update(status=TrainingSignup.Status.ATTENDING)
    signup.refresh_from_db()
    with pytest.raises(ValidationError, match="尚未结业"):
        subsidy_apply(worker=worker, data=training(signup), by=clerk)


def test_living_subsidy_is_for_hardship_workers_at_30_a_day(market, clerk):
    worker = worker_born(1985, market)
    signup = completed_signup(worker, days=10)
    with pytest.raises(ValidationError, match="就业困难人员或低收入家庭成员"):
        subsidy_apply(worker=worker, data=training(signup, "300", "living"), by=clerk)
    recognition_record(worker=worker, data={"basis": "disabled", "recognised_on": TODAY}, by=clerk)
    with pytest.raises(ValidationError, match="不能超过300.00元"):
        subsidy_apply(worker=worker, data=training(signup, "300.01", "living"), by=clerk)
    assert subsidy_apply(worker=worker, data=training(signup, "300", "living"), by=clerk)


def test_social_insurance_needs_a_recognition_valid_today_and_no_future_month(market, clerk):
    worker = worker_born(1985, market)
    data = {
        "kind": "social_insurance",
        "period": f"{TODAY:%Y-%m}",
        "amount_requested": Decimal("400"),
        "evidence": ["灵活就业社会保险缴费凭证"],
    }
    with pytest.raises(ValidationError, match="须为已认定的就业困难人员"):
        subsidy_apply(worker=worker, data=data, by=clerk)
    recognition_record(
        worker=worker,
        data={
            "basis": "long_unemployed",
            "recognised_on": TODAY - datetime.timedelta(days=400),
            "valid_until": TODAY - datetime.timedelta(days=1),
        },
        by=clerk,
    )
    with pytest.raises(ValidationError, match="须为已认定的就业困难人员"):
        subsidy_apply(worker=worker, data=data, by=clerk)
    recognition_record(worker=worker, data={"basis": "long_unemployed", "recognised_on": TODAY}, by=clerk)
    next_month = (TODAY.replace(day=1) + datetime.timedelta(days=32)).strftime("%Y-%m")
    with pytest.raises(ValidationError, match="只能申请当月及以前月份"):
        subsidy_apply(worker=worker, data={**data, "period": next_month}, by=clerk)
    assert subsidy_apply(worker=worker, data=data, by=clerk)


def test_startup_subsidy_is_a_fixed_amount_once_in_a_lifetime(market, clerk, county_user):
    worker = worker_born(1985, market)
    data = {
        "kind": "startup",
        "period": "once",
        "amount_requested": Decimal("4000"),
        "evidence": ["营业执照", "经营场所证明"],
    }
    with pytest.raises(ValidationError, match="定额5000元"):
        subsidy_apply(worker=worker, data=data, by=clerk)
    first = subsidy_apply(worker=worker, data={**data, "amount_requested": Decimal("5000")}, by=clerk)
    subsidy_approve(application=first, amount=Decimal("5000"), by=county_user)
    with pytest.raises(ValidationError, match="已享受过创业补贴"):
        subsidy_apply(worker=worker, data={**data, "amount_requested": Decimal("5000")}, by=clerk)


def test_training_subsidy_at_most_three_times_a_year(market, clerk, county_user):
    worker = worker_born(1985, market)
    for _ in range(3):
        app = subsidy_apply(worker=worker, data=training(completed_signup(worker), "800"), by=clerk)
        subsidy_approve(application=app, amount=Decimal("800"), by=county_user)
    with pytest.raises(ValidationError, match="每人每年最多3次，该零工已享受3次"):
        subsidy_apply(worker=worker, data=training(completed_signup(worker), "800"), by=clerk)


# Review and payment ------------------------------------------------------------------------


def test_review_approve_pay_is_audited(insured, clerk, county_user):
    app = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    with pytest.raises(PermissionDenied):
        subsidy_approve(application=app, amount=Decimal("100"), by=clerk)
    with pytest.raises(ValidationError, match="不能超过申请金额"):
        subsidy_approve(application=app, amount=Decimal("120"), by=county_user)
    subsidy_approve(application=app, amount=Decimal("90"), by=county_user)
    with pytest.raises(ValidationError) as err:
        subsidy_pay(application=app, amount=Decimal("100"), paid_on=TODAY, voucher_no="", by=county_user)
    assert "发放金额应等于核准金额90.00元。" in err.value.messages and "请填写凭证号。" in err.value.messages
    app = subsidy_pay(application=app, amount=Decimal("90"), paid_on=TODAY, voucher_no="PZ-2026-001", by=county_user)
    assert (app.status, app.amount_paid, app.voucher_no) == ("paid", Decimal("90"), "PZ-2026-001")
    events = AuditEvent.objects.filter(target_type="registry.subsidyapplication").order_by("pk")
    assert [e.action for e in events] == ["create", "transition", "transition"]
    with pytest.raises(ValidationError, match="不能变更为"):
        subsidy_return(application=app, reason="迟了", by=county_user)


def test_returned_with_a_reason_and_a_new_application_may_follow(insured, clerk, county_user):
    app = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    with pytest.raises(ValidationError, match="请填写退回原因"):
        subsidy_return(application=app, reason=" ", by=county_user)
    app = subsidy_return(application=app, reason="保单不在有效期", by=county_user)
    assert app.return_reason == "保单不在有效期"
    assert subsidy_apply(worker=insured, data=ACCIDENT, by=clerk).status == "submitted"


def test_two_pending_applications_for_one_period_are_approved_once(insured, clerk, county_user):
    first = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    second = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    subsidy_approve(application=first, amount=Decimal("100"), by=county_user)
    with pytest.raises(ValidationError, match="已享受过意外伤害保险补贴"):
        subsidy_approve(application=second, amount=Decimal("100"), by=county_user)
    second.refresh_from_db()
    assert second.status == "submitted"


def test_the_database_refuses_a_second_grant_for_the_same_period(insured, clerk, county_user):
    first = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    second = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    subsidy_approve(application=first, amount=Decimal("100"), by=county_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyApplication.objects.filter(pk=second.pk).update(status="paid")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_pay_once(market, clerk, county_user):
    insured = worker_born(1985, market, insured=True)
    apps = [subsidy_apply(worker=insured, data=ACCIDENT, by=clerk) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(app):
        try:
            barrier.wait()
            subsidy_approve(application=app, amount=Decimal("100"), by=county_user)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(app,)) for app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    # The loser is refused in Chinese either way: by the per-person limit when the winner's
    # approval is visible to its check, or by the database constraint when both checked first.
    refusal = next(outcome for outcome in outcomes if outcome != "ok")
    assert "不能重复" in refusal or "已享受" in refusal, refusal
    assert SubsidyApplication.objects.filter(status__in=["approved", "paid"]).count() == 1


# Pages -----------------------------------------------------------------------------------------


def test_application_page_says_which_rule_fails_and_keeps_the_input(client, market, clerk):
    worker = worker_born(1985, market)
    client.force_login(clerk)
    url = reverse("registry:subsidy_create", args=[worker.pk])
    response = client.post(url, {"kind": "accident_insurance", "year": YEAR, "amount_requested": "77"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "“参保”条件" in body and 'value="77"' in body
    assert not SubsidyApplication.objects.exists()


def test_county_approves_and_pays_on_the_page_and_totals_and_export_show_it(client, insured, clerk, county_user):
    app = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    client.force_login(county_user)
    action = "registry:subsidy_action"
    assert client.post(reverse(action, args=[app.pk, "approve"]), {"amount": "500"}).status_code == 400
    assert client.post(reverse(action, args=[app.pk, "approve"]), {"amount": "100"}).status_code == 302
    pay = {"amount": "100", "paid_on": TODAY.isoformat(), "voucher_no": "PZ-9"}
    assert client.post(reverse(action, args=[app.pk, "pay"]), pay).status_code == 302
    [row] = totals(SubsidyApplication.objects.all(), year=TODAY.year)
    assert (row["approved_n"], row["paid"]) == (1, Decimal("100"))
    body = client.get(reverse("registry:subsidy_totals"), {"year": YEAR}).content.decode()
    assert "意外伤害保险补贴" in body and "100.00" in body
    response = client.get(reverse("registry:subsidy_export"), {"year": YEAR})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["发放明细"]
    values = [c.value for c in sheet[4]]
    assert insured.masked_id_number in values and "PZ-9" in values and insured.full_id_number() not in values
    for sheet in book.worksheets:  # a form the finance office files: 盖章, A4, signed
        assert_prints_on_a4(sheet, header_row=3)
        assert sheet["A2"].value == "填报单位（盖章）：贵阳市南明区人力资源和社会保障局"
        fields = sign_off(sheet)
        assert fields["填报人"] == county_user.display_name and fields["填报日期"].startswith(f"{TODAY.year}年")
    assert [c.value for c in book["汇总"][5]][:4] == ["合计", None, 1, 100]


def test_other_county_gets_404_and_clerk_cannot_approve(client, insured, clerk, county2_user):
    app = subsidy_apply(worker=insured, data=ACCIDENT, by=clerk)
    client.force_login(county2_user)
    assert client.get(reverse("registry:subsidy_detail", args=[app.pk])).status_code == 404
    client.force_login(clerk)
    response = client.post(reverse("registry:subsidy_action", args=[app.pk, "approve"]), {"amount": "100"})
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == "submitted"


@pytest.mark.parametrize("rows", [1, 4])
def test_list_query_count_does_not_grow(client, market, clerk, django_assert_num_queries, rows):
    for n in range(rows):
        worker = WorkerFactory(
            id_number=id_number_for(n, birth=datetime.date(1980, 1, 2)),
            registered_market=market,
        )
        InsuranceEnrolmentFactory(worker=worker)
        subsidy_apply(worker=worker, data=ACCIDENT, by=clerk)
    client.force_login(clerk)
    client.get(reverse("registry:subsidy_list"))
    with django_assert_num_queries(5):  # issue 19: the user menu's division and market come with the session's user
        response = client.get(reverse("registry:subsidy_list"))
    assert len(response.context["page"].object_list) == rows
