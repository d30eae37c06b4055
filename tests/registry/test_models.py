import datetime

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from registry.models import Tier, Worker
from tests.factories.registry import (
    EmployerFactory,
    PolicyNoteFactory,
    PostingFactory,
    TrainingSignupFactory,
    WindowVisitFactory,
    WorkerFactory,
    id_number_for,
)


def test_factories_build_a_consistent_registry(market):
    worker = WorkerFactory(registered_market=market)
    posting = PostingFactory(market=market)
    visit = WindowVisitFactory(market=market, worker=worker)
    signup = TrainingSignupFactory(worker=worker)
    PolicyNoteFactory()
    EmployerFactory()
    assert worker.county == market.county
    assert posting.employer.county.code == "520102"
    assert visit.visit_date is not None
    assert signup.offer.county.code == "520102"


def test_worker_stores_nothing_that_narrows_the_id_number_or_gives_the_phones(market):
    id_number = id_number_for(7, birth=datetime.date(1970, 3, 9))
    worker = WorkerFactory(
        registered_market=market, id_number=id_number, mobile="13812340001", emergency_phone="085185550101"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_worker")
        rows = cursor.fetchall()
    values = [str(value) for row in rows for value in row]
    dumped = " ".join(values)
    for secret in (id_number, id_number[:14], "1970-03-09", "19700309", "13812340001", "85550101"):
        assert secret not in dumped
    assert id_number[-4:] not in values  # no column holds the last 4 (with the check digit)
    worker = Worker.objects.get(pk=worker.pk)
    assert worker.full_id_number() == id_number
    assert worker.masked_id_number == id_number[:4] + "*" * 10 + id_number[-4:]
    assert (worker.birth_year, worker.gender) == (1970, "M")
    assert (worker.mobile, worker.emergency_phone) == ("13812340001", "085185550101")
    assert worker.masked_mobile == "138****0001"


def test_phones_are_found_by_their_keyed_hash_only(market):
    worker = WorkerFactory(registered_market=market, mobile="13812340002", name="王 芳")
    assert list(Worker.objects.with_mobile("13812340002")) == [worker]
    assert not Worker.objects.with_mobile("13812340003").exists()
    last4 = worker.full_id_number()[-4:]
    assert list(Worker.objects.with_name_last4("王芳", last4)) == [worker]  # name normalised: no whitespace
    assert list(Worker.objects.with_name_last4("王　芳", last4.lower())) == [worker]
    assert not Worker.objects.with_name_last4("王芳", "0000").exists()
    with pytest.raises(FieldError):
        Worker.objects.filter(mobile="13812340002").exists()


def test_changing_the_name_moves_the_name_last4_hash(market):
    worker = WorkerFactory(registered_market=market, name="张三")
    last4 = worker.full_id_number()[-4:]
    worker.name = "张叁"
    worker.save(update_fields=["name"])
    assert Worker.objects.with_name_last4("张叁", last4).exists()
    assert not Worker.objects.with_name_last4("张三", last4).exists()


def test_assigning_the_same_phone_keeps_the_ciphertext(market):
    worker = WorkerFactory(registered_market=market, mobile="13812340004")
    token = worker.mobile_encrypted
    worker.mobile = "13812340004"
    assert worker.mobile_encrypted == token
    worker.mobile = "13812340005"
    assert worker.mobile_encrypted != token and worker.mobile == "13812340005"
    worker.emergency_phone = ""
    assert worker.emergency_phone_encrypted == ""


@pytest.mark.parametrize(("flags", "tier"), [({}, Tier.NORMAL), ({"low_income": True}, Tier.SECOND)])
def test_tier_from_flags(market, flags, tier):
    worker = WorkerFactory(registered_market=market, **flags)
    assert Worker.objects.get(pk=worker.pk).tier() == tier
