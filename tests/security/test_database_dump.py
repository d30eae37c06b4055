"""A dump of the database holds no 身份证号, no phone of a worker or employer, and nothing that
narrows an ID down (birth date, last 4 characters).

Workers and employers are written through the services a window clerk uses (new
registration, re-registration, transfer, detail edit, employer registration and edit).
On PostgreSQL the whole test database is dumped with `pg_dump`, as an attacker with a
backup would have it; elsewhere every text column of every table is read.
"""

import datetime
import os
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from registry import services
from registry.models import Employer, Worker
from registry.validators import build_credit_code, build_id_number, parse_id_number

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

BIRTHS = [datetime.date(1978, 3, 9), datetime.date(1969, 11, 30), datetime.date(2001, 1, 2)]
PEOPLE = [
    ("张晓梅", build_id_number("520102", BIRTHS[0], 17), "13812345671", "13712345001"),
    ("李国强", build_id_number("520102", BIRTHS[1], 37), "15985167702", "085185550102"),
    ("王芳", build_id_number("520103", BIRTHS[2], 124), "18685100013", ""),
]
EMPLOYER_PHONES = ["13900005555", "085186661234", "15100007777"]


def seed(market, market2, clerk, clerk2):
    for name, id_number, mobile, emergency in PEOPLE:
        registration = services.worker_register(
            id_number=parse_id_number(id_number), name=name, data={"mobile": mobile}, trades=[], market=market, by=clerk
        )
        if emergency:
            services.worker_update(
                worker=registration.worker,
                data={"emergency_contact": "家属", "emergency_phone": emergency},
                by=clerk,
            )
    # Again at the same county, and a transfer with the new phone.
    services.worker_register(
        id_number=parse_id_number(PEOPLE[0][1]),
        name=PEOPLE[0][0],
        data={"mobile": PEOPLE[0][2], "notes": "再次来访"},
        trades=[],
        market=market,
        by=clerk,
    )
    services.worker_transfer(
        id_number=parse_id_number(PEOPLE[2][1]),
        name=PEOPLE[2][0],
        data={"mobile": "18685100099"},
        trades=[],
        market=market2,
        by=clerk2,
        choices=services.TransferChoices(replace_mobile=True),
    )
    company, _ = services.employer_register(
        data={
            "kind": "enterprise",
            "name": "黔城劳务有限公司",
            "credit_code": build_credit_code("520102", 901),
            "contact_name": "赵经理",
            "phone": EMPLOYER_PHONES[0],
        },
        market=market,
        by=clerk,
    )
    services.employer_update(employer=company, data={"phone": EMPLOYER_PHONES[1]}, by=clerk)
    services.employer_register(
        data={"kind": "person", "name": "周女士", "credit_code": "", "contact_name": "", "phone": EMPLOYER_PHONES[2]},
        market=market,
        by=clerk,
    )


def secrets():
    found = []
    for _, id_number, mobile, emergency in PEOPLE:
        found += [id_number, id_number.lower(), id_number[:17], id_number[6:14]]
        found += [mobile, emergency] if emergency else [mobile]
    found += ["18685100099", *EMPLOYER_PHONES, *(birth.isoformat() for birth in BIRTHS)]
    return found


def dump_with_pg_dump():
    db = settings.DATABASES["default"]
    command = [
        shutil.which("pg_dump"),
        "--data-only",
        "--no-owner",
        "--host",
        db["HOST"] or "127.0.0.1",
        "--port",
        str(db["PORT"] or 5432),
        "--username",
        db["USER"] or "postgres",
        connection.settings_dict["NAME"],
    ]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return subprocess.run(command, capture_output=True, check=True, text=True, env=env, timeout=120).stdout


def dump_text_columns():
    """Every value of every column of every table, as text (SQLite)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts += [f"{table}: {row!r}" for row in cursor.fetchall()]
    return "\n".join(parts)


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_id_number_phone_or_birth_date(market, market2, clerk, clerk2):
    seed(market, market2, clerk, clerk2)
    assert Worker.objects.count() == 3 and Employer.objects.count() == 2
    if ON_POSTGRES and shutil.which("pg_dump"):
        dump = dump_with_pg_dump()
        assert "COPY public.registry_worker" in dump
    else:
        dump = dump_text_columns()
    # The rows are there (names are not secret), so the dump really holds them.
    assert "张晓梅" in dump and "周女士" in dump
    leaks = [secret for secret in secrets() if secret in dump]
    assert not leaks, leaks
    # And the portal still reads them back.
    worker = Worker.objects.with_mobile("18685100099").get()
    assert (worker.name, worker.county, worker.emergency_phone) == ("王芳", market2.county, "")
    assert Employer.objects.with_phone(EMPLOYER_PHONES[1]).get().name == "黔城劳务有限公司"
