import datetime

import pytest
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


def test_worker_stores_no_plaintext_id_number(market):
    id_number = id_number_for(7, birth=datetime.date(1970, 3, 9))
    worker = WorkerFactory(registered_market=market, id_number=id_number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_worker")
        rows = cursor.fetchall()
    dumped = " ".join(str(value) for row in rows for value in row)
    assert id_number not in dumped
    assert id_number[:14] not in dumped
    worker.refresh_from_db()
    assert worker.full_id_number() == id_number
    assert worker.masked_id_number == id_number[:4] + "*" * 10 + id_number[-4:]
    assert worker.birth_date == datetime.date(1970, 3, 9)


@pytest.mark.parametrize(("flags", "tier"), [({}, Tier.NORMAL), ({"low_income": True}, Tier.SECOND)])
def test_tier_from_flags(market, flags, tier):
    worker = WorkerFactory(registered_market=market, **flags)
    assert Worker.objects.get(pk=worker.pk).tier() == tier
