"""公益性岗位: only workers recognised as 就业困难人员, others only by an audited override."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from matching import services
from matching.models import Placement, PlacementEligibilityOverride
from registry.models import HardshipRecognition
from registry.recognition import is_recognised, recognition_end, recognition_record
from tests.factories.registry import WorkerFactory

POST = {"post": "社区保洁", "unit": "街道办"}


def recognise(worker, by, **extra):
    data = {"basis": HardshipRecognition.Basis.LONG_UNEMPLOYED, "recognised_on": timezone.localdate(), **extra}
    return recognition_record(worker=worker, data=data, by=by)


@pytest.fixture
def worker(market):
    return WorkerFactory(registered_market=market)


def test_placement_of_an_unrecognised_worker_is_refused_and_nothing_is_saved(worker, county_user):
    with pytest.raises(ValidationError, match="未认定为就业困难人员"):
        services.placement_create(
            worker=worker, county=worker.county, data={**POST, "start_date": timezone.localdate()}, by=county_user
        )
    assert not Placement.objects.exists()


def test_a_recognised_worker_is_placed(worker, clerk):
    recognise(worker, clerk)
    placement = services.placement_create(
        worker=worker, county=worker.county, data={**POST, "start_date": timezone.localdate()}, by=clerk
    )
    assert placement.pk and not PlacementEligibilityOverride.objects.exists()


def test_county_override_places_an_unrecognised_worker_and_is_audited(worker, county_user):
    placement = services.placement_create(
        worker=worker,
        county=worker.county,
        data={**POST, "start_date": timezone.localdate()},
        by=county_user,
        override_reason="认定材料补办中",
    )
    assert placement.eligibility_override.reason == "认定材料补办中"
    event = AuditEvent.objects.get(target_type="matching.placement", action="update")
    assert event.changes == {"eligibility_override": "认定材料补办中"}


def test_a_clerk_cannot_override(worker, clerk):
    with pytest.raises(ValidationError, match="县级以上人社部门特批"):
        services.placement_create(
            worker=worker,
            county=worker.county,
            data={**POST, "start_date": timezone.localdate()},
            by=clerk,
            override_reason="理由",
        )
    assert not Placement.objects.exists()


def test_recognition_must_hold_on_the_start_date(worker, clerk):
    today = timezone.localdate()
    recognise(worker, clerk, recognised_on=today - datetime.timedelta(days=30), valid_until=today)
    assert is_recognised(worker, today)
    assert not is_recognised(worker, today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.placement_create(
            worker=worker,
            county=worker.county,
            data={**POST, "start_date": today + datetime.timedelta(days=1)},
            by=clerk,
        )


def test_recognition_sets_and_ending_clears_the_hardship_flag(worker, clerk):
    recognition = recognise(worker, clerk)
    worker.refresh_from_db()
    assert worker.employment_difficulty and worker.priority_tier == 1
    with pytest.raises(ValidationError, match="终止原因"):
        recognition_end(recognition=recognition, on=timezone.localdate(), reason=" ", by=clerk)
    recognition_end(recognition=recognition, on=timezone.localdate(), reason="已稳定就业", by=clerk)
    worker.refresh_from_db()
    assert not worker.employment_difficulty
    assert AuditEvent.objects.filter(target_type="registry.hardshiprecognition").count() == 2


def test_recognition_other_needs_a_note_and_no_future_date(worker, clerk):
    with pytest.raises(ValidationError) as err:
        recognise(worker, clerk, basis="other", recognised_on=timezone.localdate() + datetime.timedelta(days=1))
    assert set(err.value.message_dict) == {"basis_note", "recognised_on"}
    assert not HardshipRecognition.objects.exists()


def test_placement_form_shows_recognition_and_refuses_unrecognised_in_chinese(client, worker, clerk):
    client.force_login(clerk)
    url = reverse("matching:placement_create")
    assert "未认定为就业困难人员" in client.get(url, {"worker": worker.pk}).content.decode()
    data = {"worker": worker.pk, **POST, "start_date": timezone.localdate().isoformat(), "status": "active"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "不能安置到公益性岗位" in response.content.decode() and 'value="社区保洁"' in response.content.decode()
    recognise(worker, clerk)
    assert client.post(url, data).status_code == 302


def test_worker_page_records_a_recognition_and_bad_input_answers_400(client, worker, clerk):
    client.force_login(clerk)
    url = reverse("registry:recognition_create", args=[worker.pk])
    response = client.post(url, {"basis": "other", "recognised_on": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "请填写依据说明" in response.content.decode()
    response = client.post(url, {"basis": "disabled", "recognised_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    body = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert "残疾人" in body and "有效" in body
