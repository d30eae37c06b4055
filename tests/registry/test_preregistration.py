"""扫码登记: a worker pre-registers from a market's QR code; the clerk completes it in one step."""

import datetime
import uuid

import pytest
from django.urls import reverse

from markets.models import Trade
from registry import services
from registry.models import PreRegistration, WindowVisit, Worker
from registry.public import CONSENT_VERSION
from tests.factories.registry import WorkerFactory, id_number_for
from tests.factories.sms import last_code

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")


def form_data(**overrides):
    data = {
        "action": "submit",
        "name": "赵大勇",
        "mobile": PHONE,
        "code": "",
        "trades": [Trade.objects.get(code="JZ-01").pk],
        "available_from": "",
        "available_until": "",
        "id_number": "",
        "agree": "on",
    }
    data.update(overrides)
    return data


def submit(client, market, **overrides):
    url = reverse("prereg:register", args=[market.pk])
    assert client.post(url, {"action": "send_code", "mobile": PHONE, "name": "赵大勇"}).status_code == 200
    return client.post(url, form_data(code=last_code(PHONE), **overrides))


def test_prereg_with_sms_code_waits_at_the_market(client, market):
    response = submit(client, market)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:my")
    prereg = PreRegistration.objects.get()
    assert prereg.market == market and prereg.state == PreRegistration.State.PENDING
    assert prereg.consent_version == CONSENT_VERSION
    assert [t.code for t in prereg.trades.all()] == ["JZ-01"]
    assert PHONE not in prereg.mobile_encrypted
    assert "待窗口确认" in client.get(reverse("jobs:my")).content.decode()


def test_second_prereg_same_phone_same_market_is_refused(client, market):
    services.preregistration_submit(market=market, name="赵大勇", mobile=PHONE, consent_version=CONSENT_VERSION)
    response = submit(client, market)
    assert response.status_code == 400
    assert "已在本市场预登记" in response.content.decode()
    assert PreRegistration.objects.count() == 1


def test_bad_input_keeps_what_was_typed(client, market):
    response = submit(client, market, available_from="2030-01-10", available_until="2030-01-01")
    body = response.content.decode()
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in body and 'value="赵大勇"' in body
    assert not PreRegistration.objects.exists()


def test_prereg_page_of_a_market_not_operating_is_404(client, db):
    assert client.get(reverse("prereg:register", args=[999999])).status_code == 404


def test_clerk_completes_prereg_into_new_worker_in_one_step(client, clerk, market):
    prereg = services.preregistration_submit(
        market=market,
        name="赵大勇",
        mobile=PHONE,
        trades=[Trade.objects.get(code="JZ-01")],
        consent_version=CONSENT_VERSION,
    )
    id_number = id_number_for(11, birth=datetime.date(1981, 8, 8))
    client.force_login(clerk)
    url = reverse("prereg:complete", args=[prereg.pk])
    assert "138****5678" in client.get(url).content.decode()
    response = client.post(url, {"id_number": id_number, "token": str(uuid.uuid4())})
    worker = Worker.objects.with_id_number(id_number).get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:worker_detail", args=[worker.pk])
    assert worker.name == "赵大勇" and worker.mobile == PHONE
    assert [t.code for t in worker.trades.all()] == ["JZ-01"]
    prereg.refresh_from_db()
    assert prereg.state == PreRegistration.State.COMPLETED and prereg.worker == worker
    assert WindowVisit.objects.filter(worker=worker, market=market).exists()


def test_completing_links_the_existing_worker(clerk, market):
    id_number = id_number_for(12, birth=datetime.date(1981, 8, 8))
    existing = WorkerFactory(name="赵大勇", id_number=id_number, registered_market=market)
    prereg = services.preregistration_submit(
        market=market, name="赵大勇", mobile=PHONE, consent_version=CONSENT_VERSION
    )
    from registry.validators import parse_id_number

    registration = services.preregistration_complete(prereg=prereg, id_number=parse_id_number(id_number), by=clerk)
    assert registration.worker == existing and not registration.created
    assert Worker.objects.count() == 1


def test_complete_with_bad_id_number_is_400_and_nothing_changes(client, clerk, market):
    prereg = services.preregistration_submit(
        market=market, name="赵大勇", mobile=PHONE, consent_version=CONSENT_VERSION
    )
    client.force_login(clerk)
    response = client.post(
        reverse("prereg:complete", args=[prereg.pk]), {"id_number": "12345", "token": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    prereg.refresh_from_db()
    assert prereg.state == PreRegistration.State.PENDING and not Worker.objects.exists()


def test_clerk_of_another_market_gets_404(client, clerk2, market):
    prereg = services.preregistration_submit(
        market=market, name="赵大勇", mobile=PHONE, consent_version=CONSENT_VERSION
    )
    client.force_login(clerk2)
    url = reverse("prereg:complete", args=[prereg.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"id_number": id_number_for(13), "token": str(uuid.uuid4())}).status_code == 404
    prereg.refresh_from_db()
    assert prereg.state == PreRegistration.State.PENDING


def test_worker_withdraws_own_prereg_from_my_page(client, market):
    submit(client, market)
    prereg = PreRegistration.objects.get()
    client.post(reverse("prereg:withdraw", args=[prereg.pk]))
    prereg.refresh_from_db()
    assert prereg.state == PreRegistration.State.WITHDRAWN


def test_someone_elses_prereg_cannot_be_withdrawn(client, market):
    other = services.preregistration_submit(
        market=market, name="钱二", mobile="13900000000", consent_version=CONSENT_VERSION
    )
    submit(client, market)
    assert client.post(reverse("prereg:withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.state == PreRegistration.State.PENDING
