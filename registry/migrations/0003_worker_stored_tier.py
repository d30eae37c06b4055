"""Store the 分级服务 tier and the waiting time on workers, filled set-based (the nightly refresh's SQL)."""

import django.utils.timezone
from django.db import migrations, models


def fill(apps, schema_editor):
    """The tier of each existing worker.

    With today's models (the tests' reload of reference data) this is the nightly
    refresh's SQL. In the migration's own state the rule is applied as it stood then
    (大龄 by birth date; `0010` replaced it by the birth year, which today's SQL reads),
    row by row: only a database that had workers before this migration has any.
    """
    from django.conf import settings
    from django.utils import timezone

    from registry.tiers import compute_tier, long_wait_cutoff

    Worker = apps.get_model("registry", "Worker")
    if not any(field.name == "birth_date" for field in Worker._meta.get_fields()):
        from registry.ranking_key import ranking_keys_synced
        from registry.services import workers_refresh_tiers

        with ranking_keys_synced():  # today's `Worker.objects` refuses the update otherwise
            workers_refresh_tiers(Worker.objects.all())
        return
    if not Worker.objects.exists():
        return
    today = timezone.localdate()
    cutoff = long_wait_cutoff(today)
    for worker in Worker.objects.iterator(chunk_size=2_000):
        years = settings.SENIOR_AGE_MALE if worker.gender == "M" else settings.SENIOR_AGE_FEMALE
        born = worker.birth_date
        reached = (born.year + years, born.month, born.day) <= (today.year, today.month, today.day)
        worker.waiting_since = worker.last_confirmed_match_at or worker.registered_at
        worker.priority_tier = compute_tier(
            employment_difficulty=worker.employment_difficulty,
            disabled=worker.disabled,
            low_income=worker.low_income,
            senior=reached,
            long_wait=worker.waiting_since < cutoff,
        )
        worker.save(update_fields=["waiting_since", "priority_tier"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="priority_tier",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "一级重点帮扶"), (2, "二级优先帮扶"), (3, "普通")],
                default=3,
                editable=False,
                verbose_name="帮扶等级",
            ),
        ),
        migrations.AddField(
            model_name="worker",
            name="waiting_since",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                editable=False,
                help_text="最近确认对接时间；从未对接成功则为登记时间。",
                verbose_name="待工起始时间",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
