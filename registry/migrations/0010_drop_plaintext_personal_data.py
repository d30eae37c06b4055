"""Drop the plaintext personal-data columns, index the keyed hashes (step 3 of 3).

After this no column of a worker or an employer holds a phone number, a birth date or
the last characters of a 身份证号 in clear. PostgreSQL keeps the bytes of dropped
columns and of the rows `0009` rewrote in the table files until they are rewritten:
docs/deployment.md has the `VACUUM FULL` to run in the same maintenance stop.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_encrypt_personal_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="worker", name="id_last4"),
        migrations.RemoveField(model_name="worker", name="birth_date"),
        migrations.RemoveField(model_name="worker", name="mobile"),
        migrations.RemoveField(model_name="worker", name="emergency_phone"),
        migrations.RemoveField(model_name="employer", name="phone"),
        migrations.AlterField(
            model_name="worker",
            name="birth_year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="出生年份"),
        ),
        migrations.AlterField(
            model_name="worker",
            name="name_last4_hash",
            field=models.CharField(db_index=True, editable=False, max_length=64, verbose_name="姓名与身份证号后4位摘要"),
        ),
        migrations.AlterField(
            model_name="worker",
            name="mobile_hash",
            field=models.CharField(
                blank=True, db_index=True, editable=False, max_length=64, verbose_name="手机号码摘要"
            ),
        ),
        migrations.AddConstraint(
            model_name="employer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "person")),
                fields=("phone_hash",),
                name="registry_employer_unique_person_phone",
                violation_error_message="该电话已登记为其他家庭/个人用工主体。",
            ),
        ),
    ]
