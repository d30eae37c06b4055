"""意外伤害保险 enrolments: recorded and audited; the 意外伤害保险补贴 rule needs one covering the year."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from registry.insurance import enrolment_record
from registry.models import InsuranceEnrolment, SubsidyApplication
from registry.subsidies import subsidy_apply
from tests.factories.registry import InsuranceEnrolmentFactory, WorkerFactory

TODAY = timezone.localdate()
YEAR = TODAY.year


def accident(year=YEAR):
    return {
        "kind": "accident_insurance",
        "period": str(year),
        "amount_requested": Decimal("100"),
        "evidence": ["意外伤害保险保单"],
    }


def policy(**overrides):
    data = {
        "insurer": "人保财险贵阳分公司",
        "policy_no": "YW-2026-001",
        "starts_on": datetime.date(YEAR, 1, 1),
        "ends_on": datetime.date(YEAR, 12, 31),
        "premium": Decimal("120"),
    }
    return {**data, **overrides}


@pytest.fixture
def worker(market):
    return WorkerFactory(registered_market=market)


def test_recording_an_enrolment_is_audited_and_sets_the_flag(worker, clerk):
    enrolment = enrolment_record(worker=worker, data=policy(), by=clerk)
    worker.refresh_from_db()
    assert worker.has_injury_insurance
    assert AuditEvent.objects.filter(target_id=str(enrolment.pk), action=AuditEvent.Action.CREATE).exists()
    assert AuditEvent.objects.filter(target_id=str(worker.pk), changes__has_injury_insurance=[False, True]).exists()


def test_dates_out_of_order_and_a_repeated_policy_are_refused(worker, clerk):
    with pytest.raises(ValidationError, match="止期不能早于起期"):
        enrolment_record(worker=worker, data=policy(ends_on=datetime.date(YEAR - 1, 12, 31)), by=clerk)
    enrolment_record(worker=worker, data=policy(), by=clerk)
    with pytest.raises(ValidationError, match="已登记过此保单号"):
        enrolment_record(worker=worker, data=policy(), by=clerk)
    assert InsuranceEnrolment.objects.count() == 1


def test_the_flag_alone_no_longer_makes_the_subsidy_claimable(market, clerk):
    flagged = WorkerFactory(registered_market=market, has_injury_insurance=True)
    with pytest.raises(ValidationError) as err:
        subsidy_apply(worker=flagged, data=accident(), by=clerk)
    assert f"不符合意外伤害保险补贴“参保”条件：须有覆盖{YEAR}年的" in " ".join(err.value.messages)
    assert not SubsidyApplication.objects.exists()


def test_an_enrolment_must_cover_the_subsidy_year(worker, clerk):
    InsuranceEnrolmentFactory(
        worker=worker, starts_on=datetime.date(YEAR - 2, 3, 1), ends_on=datetime.date(YEAR - 1, 2, 28)
    )
    with pytest.raises(ValidationError, match=f"覆盖{YEAR}年"):
        subsidy_apply(worker=worker, data=accident(), by=clerk)
    # The same enrolment covers part of last year: that year's subsidy passes the rule.
    assert subsidy_apply(worker=worker, data=accident(YEAR - 1), by=clerk).status == "submitted"


def test_a_per_match_enrolment_of_a_few_days_covers_its_year(worker, clerk):
    enrolment_record(
        worker=worker,
        data=policy(starts_on=datetime.date(YEAR, 6, 1), ends_on=datetime.date(YEAR, 6, 3), premium=Decimal("3")),
        by=clerk,
        for_match=True,
    )
    assert subsidy_apply(worker=worker, data=accident(), by=clerk).status == "submitted"


def test_the_worker_page_records_and_lists_enrolments(client, worker, clerk):
    client.force_login(clerk)
    url = reverse("registry:insurance_create", args=[worker.pk])
    data = {
        "insurer": "平安产险",
        "policy_no": "PA-9",
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-12-31",
        "premium": "80",
    }
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert "PA-9" in page and "保障中" in page
    response = client.post(url, {**data, "policy_no": "PA-10", "ends_on": f"{YEAR - 1}-01-01"})
    assert response.status_code == 400 and "止期不能早于起期" in response.content.decode()


def test_other_county_gets_404_and_nothing_is_recorded(client, worker, county2_user):
    client.force_login(county2_user)
    url = reverse("registry:insurance_create", args=[worker.pk])
    data = {
        "insurer": "平安产险",
        "policy_no": "PA-9",
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-12-31",
        "premium": "80",
    }
    assert client.post(url, data).status_code == 404
    assert not InsuranceEnrolment.objects.exists()
