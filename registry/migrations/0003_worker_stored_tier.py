"""Store the 分级服务 tier and the waiting time on workers, filled set-based (the nightly refresh's SQL)."""

import django.utils.timezone
from django.db import migrations, models


def fill(apps, schema_editor):
    from registry.services import workers_refresh_tiers

    Worker = apps.get_model("registry", "Worker")
    workers_refresh_tiers(Worker.objects.all())


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
