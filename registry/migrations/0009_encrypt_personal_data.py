"""Fill the new personal-data columns from the old ones, batch by batch (step 2 of 3).

Workers: the birth year from the birth date, the name + last-4 hash from the name and
the decrypted 身份证号 (`gigmarket.core.pii.decrypt` of `id_encrypted`), the mobile and the
emergency phone encrypted (the mobile also hashed). Employers: the phone encrypted and
hashed. The keys are the running `PII_KEY`'s, as for every other row.

Millions of rows: rows are read in primary-key order, BATCH at a time, and written
back with one `UPDATE … FROM (VALUES …)` per batch (a join on the key, not a CASE per
row); each batch commits on its own (the migration is not atomic), and only rows not
yet filled are read (`birth_year` NULL, an empty `phone_encrypted`), so a run that
stops goes on where it stopped. About 2 M workers take a few minutes of one core (the
Fernet calls), see docs/deployment.md. Backwards, the old columns are filled again
from the ciphertext.
"""

import datetime
import unicodedata

from django.db import migrations, transaction

BATCH = 2_000


def _name_last4_key(name, last4):
    # The same normalisation as `registry.models.name_last4_key` at the time of writing
    # (a migration keeps its own copy, so a later change of the model does not change it).
    return f"{''.join(unicodedata.normalize('NFKC', name or '').split())} {last4.upper()}"


def _update_from_values(connection, table, columns, rows, casts=None):
    """UPDATE `table` SET each column from a VALUES list joined on id (first value of each row)."""
    qn = connection.ops.quote_name
    casts = (casts or {}) if connection.vendor == "postgresql" else {}
    width = len(columns) + 1
    values = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in rows)
    sets = ", ".join(
        f"{qn(column)} = " + (f"CAST(v.column{i + 2} AS {casts[column]})" if column in casts else f"v.column{i + 2}")
        for i, column in enumerate(columns)
    )
    sql = f"UPDATE {qn(table)} SET {sets} FROM (VALUES {values}) AS v WHERE {qn(table)}.id = v.column1"
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _batches(qs, fields):
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def encrypt_columns(apps, schema_editor):
    from gigmarket.core.pii import decrypt, encrypt, lookup_hash

    Worker = apps.get_model("registry", "Worker")
    Employer = apps.get_model("registry", "Employer")
    todo = Worker.objects.filter(birth_year__isnull=True)
    # Nothing to fill: done (also how the tests' reload after a flush, with today's models, ends).
    if not todo.exists() and not Employer.objects.filter(phone_encrypted="").exists():
        return
    connection = schema_editor.connection
    for rows in _batches(todo, ["name", "id_encrypted", "birth_date", "mobile", "emergency_phone"]):
        out = []
        for pk, name, id_encrypted, birth_date, mobile, emergency in rows:
            last4 = decrypt(id_encrypted)[-4:]
            out.append(
                (
                    pk,
                    birth_date.year,
                    lookup_hash(_name_last4_key(name, last4)),
                    encrypt(mobile) if mobile else "",
                    lookup_hash(mobile) if mobile else "",
                    encrypt(emergency) if emergency else "",
                )
            )
        with transaction.atomic(using=connection.alias):
            _update_from_values(
                connection,
                Worker._meta.db_table,
                ["birth_year", "name_last4_hash", "mobile_encrypted", "mobile_hash", "emergency_phone_encrypted"],
                out,
                casts={"birth_year": "smallint"},
            )
    for rows in _batches(Employer.objects.filter(phone_encrypted=""), ["phone"]):
        out = [(pk, encrypt(phone) if phone else "", lookup_hash(phone) if phone else "") for pk, phone in rows]
        with transaction.atomic(using=connection.alias):
            _update_from_values(connection, Employer._meta.db_table, ["phone_encrypted", "phone_hash"], out)


def decrypt_columns(apps, schema_editor):
    from gigmarket.core.pii import decrypt

    connection = schema_editor.connection
    Worker = apps.get_model("registry", "Worker")
    Employer = apps.get_model("registry", "Employer")
    todo = Worker.objects.filter(birth_date__isnull=True)
    for rows in _batches(todo, ["id_encrypted", "mobile_encrypted", "emergency_phone_encrypted"]):
        out = []
        for pk, id_encrypted, mobile, emergency in rows:
            id_number = decrypt(id_encrypted)
            birth = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            out.append(
                (
                    pk,
                    birth.isoformat(),
                    id_number[-4:],
                    decrypt(mobile) if mobile else "",
                    decrypt(emergency) if emergency else "",
                )
            )
        with transaction.atomic(using=connection.alias):
            _update_from_values(
                connection,
                Worker._meta.db_table,
                ["birth_date", "id_last4", "mobile", "emergency_phone"],
                out,
                casts={"birth_date": "date"},
            )
    for rows in _batches(Employer.objects.filter(phone=""), ["phone_encrypted"]):
        out = [(pk, decrypt(token) if token else "") for pk, token in rows]
        with transaction.atomic(using=connection.alias):
            _update_from_values(connection, Employer._meta.db_table, ["phone"], out)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("registry", "0008_personal_data_columns"),
    ]

    operations = [
        migrations.RunPython(encrypt_columns, decrypt_columns, elidable=True),
    ]
