"""Phones masked until an audited reveal, no page with personal data kept by a cache, one visit
per registration form, and no other county's 家庭/个人 employer named by phone alone."""

import re
import uuid

import pytest
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from registry.models import Employer, Posting, WindowVisit, Worker
from tests.factories.markets import TradeFactory
from tests.factories.registry import EmployerFactory, PostingFactory, TrainingOfferFactory, WorkerFactory

from .test_postings import QUICK, quick_data
from .test_worker_register import URL as REGISTER
from .test_worker_register import form_data


@pytest.fixture
def worker(market):
    return WorkerFactory(registered_market=market, mobile="13812345678", emergency_phone="13700001111")


def reveals():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).values_list("changes__field", flat=True))


@pytest.mark.parametrize("user_fixture", ["county_user", "clerk"])
def test_detail_shows_phones_masked_until_an_audited_reveal(client, request, worker, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    body = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert "13812345678" not in body and "13700001111" not in body
    assert "138****5678" in body and "137****1111" in body
    assert "查看完整电话" in body
    assert reveals() == []

    response = client.post(reverse("registry:worker_reveal_phones", args=[worker.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "13812345678" in body and "13700001111" in body
    assert "no-store" in response["Cache-Control"]
    assert sorted(reveals()) == ["手机号码", "紧急联系人电话"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).first()
    assert (event.actor, event.target_id, event.county) == (user, str(worker.pk), worker.county)


@pytest.mark.parametrize("user_fixture", ["auditor", "province_user", "city_user"])
def test_roles_that_do_not_need_phones_cannot_reveal_them(client, request, worker, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    body = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert "13812345678" not in body and "查看完整电话" not in body
    assert client.post(reverse("registry:worker_reveal_phones", args=[worker.pk])).status_code == 403
    assert reveals() == []


def test_employer_phone_is_masked_until_an_audited_reveal(client, county_user, auditor):
    employer = EmployerFactory(phone="13912345678")
    url = reverse("registry:employer_detail", args=[employer.pk])
    client.force_login(county_user)
    body = client.get(url).content.decode()
    assert "13912345678" not in body and "139****5678" in body
    response = client.post(reverse("registry:employer_reveal", args=[employer.pk]))
    assert "13912345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert reveals() == ["联系电话"]
    client.force_login(auditor)
    assert client.post(reverse("registry:employer_reveal", args=[employer.pk])).status_code == 403


def test_every_staff_page_with_personal_data_is_no_store(client, clerk, worker, market):
    employer = EmployerFactory()
    posting = PostingFactory(market=market, employer=employer)
    offer = TrainingOfferFactory(county=market.county)
    client.force_login(clerk)
    pages = [
        reverse("registry:desk"),
        reverse("registry:visit_list"),
        reverse("registry:worker_list"),
        reverse("registry:worker_register"),
        reverse("registry:worker_detail", args=[worker.pk]),
        reverse("registry:worker_edit", args=[worker.pk]),
        reverse("registry:worker_export"),
        reverse("registry:transfer_list"),
        reverse("registry:employer_list"),
        reverse("registry:employer_detail", args=[employer.pk]),
        reverse("registry:employer_edit", args=[employer.pk]),
        reverse("registry:posting_list"),
        reverse("registry:posting_quick"),
        reverse("registry:posting_detail", args=[posting.pk]),
        reverse("registry:training_list"),
        reverse("registry:training_detail", args=[offer.pk]),
        reverse("registry:policy_list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url


def test_a_registration_submitted_twice_counts_one_visit(client, clerk):
    client.force_login(clerk)
    data = form_data()
    assert client.post(REGISTER, data).status_code == 302
    response = client.post(REGISTER, data, follow=True)
    assert "这份登记表已提交过" in response.content.decode()
    assert Worker.objects.count() == 1
    assert WindowVisit.objects.count() == 1
    # A new form (a new token) is a new visit.
    assert client.post(REGISTER, form_data()).status_code == 302
    assert WindowVisit.objects.count() == 2


def rendered_token(response):
    return re.search(r'type="hidden" name="token" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def test_each_rendered_form_carries_its_own_token(client, clerk):
    client.force_login(clerk)
    first, second = rendered_token(client.get(REGISTER)), rendered_token(client.get(REGISTER))
    assert first != second
    assert uuid.UUID(first)


def test_a_form_without_its_token_is_refused_and_can_be_sent_again(client, clerk):
    client.force_login(clerk)
    data = form_data()
    del data["token"]
    response = client.post(REGISTER, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "页面已过期，请再提交一次" in body and 'value="张三"' in body
    assert not Worker.objects.exists()
    token = rendered_token(response)
    assert client.post(REGISTER, {**data, "token": token}).status_code == 302
    assert WindowVisit.objects.count() == 1


def test_a_corrected_resubmission_keeps_its_token(client, clerk):
    client.force_login(clerk)
    data = form_data(mobile="123")
    response = client.post(REGISTER, data)
    assert response.status_code == 400
    assert rendered_token(response) == data["token"]


def person_data(trade, **overrides):
    return quick_data(trade, **{"e-kind": "person", "e-credit_code": "", **overrides})


def test_another_countys_individual_employer_is_not_named_by_phone_alone(client, clerk, yunyan):
    person = EmployerFactory(
        kind=Employer.Kind.PERSON, credit_code="", phone="13912345678", name="周女士", county=yunyan
    )
    client.force_login(clerk)
    response = client.post(QUICK, person_data(TradeFactory(), **{"e-name": "李先生", "e-phone": "13912345678"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "该电话已登记为其他家庭/个人用工主体，与所填姓名不一致" in body
    assert "周女士" not in body and "云岩" not in body
    assert 'value="李先生"' in body
    assert not Posting.objects.exists() and Employer.objects.get() == person


def test_another_countys_individual_employer_with_the_name_typed_is_reused(client, clerk, yunyan):
    person = EmployerFactory(
        kind=Employer.Kind.PERSON, credit_code="", phone="13912345678", name="周女士", county=yunyan
    )
    client.force_login(clerk)
    response = client.post(QUICK, person_data(TradeFactory(), **{"e-name": "周 女士", "e-phone": "139-1234-5678"}))
    assert response.status_code == 302
    assert Posting.objects.get().employer == person and Employer.objects.count() == 1
