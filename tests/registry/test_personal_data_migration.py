"""registry 0008–0010 move existing rows to ciphertext and keyed hashes, batch by batch, and back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from registry.models import Employer, Worker
from tests.factories.registry import EmployerFactory, WorkerFactory, id_number_for

BEFORE = ("registry", "0007_workertrade_market_county_statistics")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())
    return executor.loader.project_state([target] if target else None).apps


def old_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, id_last4, birth_date, mobile, emergency_phone FROM registry_worker ORDER BY id"
        )
        workers = cursor.fetchall()
        cursor.execute("SELECT id, phone FROM registry_employer ORDER BY id")
        return workers, cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_encrypted_in_batches_and_come_back_on_the_way_down(market, monkeypatch):
    monkeypatch.setattr("registry.migrations.0009_encrypt_personal_data.BATCH", 2)  # several batches
    births = [datetime.date(1970, 3, 9), datetime.date(1988, 12, 31), datetime.date(2001, 1, 2)]
    workers = [
        WorkerFactory(
            registered_market=market,
            name=f"王 芳{n}",
            id_number=id_number_for(n, birth=birth),
            mobile=f"1381234000{n}",
            emergency_phone="085185550101" if n else "",
        )
        for n, birth in enumerate(births)
    ]
    employers = [
        EmployerFactory(phone="13900000001"),
        EmployerFactory(kind="person", credit_code="", phone="13900000002"),
    ]

    migrate(BEFORE)  # down: 0010, 0009, 0008 backwards
    rows, phones = old_columns()
    assert [(*row[:3], str(row[3]), *row[4:]) for row in rows] == [
        (w.pk, w.name, w.full_id_number()[-4:], births[n].isoformat(), w.mobile, w.emergency_phone)
        for n, w in enumerate(workers)
    ]
    assert phones == [(e.pk, e.phone) for e in employers]

    migrate(None)  # up again: the rows are read back from the plaintext columns
    for n, worker in enumerate(workers):
        row = Worker.objects.get(pk=worker.pk)
        assert (row.birth_year, row.mobile, row.emergency_phone) == (
            births[n].year,
            worker.mobile,
            worker.emergency_phone,
        )
        assert Worker.objects.with_name_last4(worker.name, worker.full_id_number()[-4:]).get() == row
        assert Worker.objects.with_mobile(worker.mobile).get() == row
    assert Employer.objects.with_phone("13900000002").get() == employers[1]
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), "registry_worker")}
    assert not {"id_last4", "birth_date", "mobile", "emergency_phone"} & columns
