"""Accident insurance bought for one match: covers the work dates, linked to the match, audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from matching.insurance import match_insurance_record
from registry.models import InsuranceEnrolment
from registry.subsidies import subsidy_apply
from tests.factories.matching import make_match


@pytest.fixture
def match(clerk, market):
    return make_match(by=clerk, state="confirmed", market=market)


def policy(match, **overrides):
    return {
        "insurer": "人保财险",
        "policy_no": "YW-M-1",
        "starts_on": match.work_date,
        "ends_on": match.work_date_end,
        "premium": 3,
        **overrides,
    }


def test_it_links_an_enrolment_covering_the_work_dates(match, clerk):
    match = match_insurance_record(match=match, data=policy(match), by=clerk)
    assert match.insurance.for_match and match.insurance.worker_id == match.worker_id
    assert AuditEvent.objects.filter(target_id=str(match.pk), changes__insurance=[None, match.insurance_id]).exists()
    # The per-match enrolment counts for the 意外伤害保险补贴 of its year.
    data = {
        "kind": "accident_insurance",
        "period": str(match.work_date.year),
        "amount_requested": 3,
        "evidence": ["意外伤害保险保单"],
    }
    assert subsidy_apply(worker=match.worker, data=data, by=clerk).status == "submitted"


def test_a_policy_that_misses_a_work_day_is_refused(match, clerk):
    late = match.work_date + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="保险期间须覆盖用工日期"):
        match_insurance_record(match=match, data=policy(match, starts_on=late, ends_on=late), by=clerk)
    assert not InsuranceEnrolment.objects.exists()


def test_the_match_page_records_it_and_other_counties_get_404(client, match, clerk, county2_user):
    url = reverse("matching:match_insurance", args=[match.pk])
    data = {k: str(v) for k, v in policy(match).items()}
    client.force_login(county2_user)
    assert client.post(url, data).status_code == 404
    client.force_login(clerk)
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("matching:match_detail", args=[match.pk])).content.decode()
    assert "YW-M-1" in page
    match.refresh_from_db()
    assert match.insurance is not None
