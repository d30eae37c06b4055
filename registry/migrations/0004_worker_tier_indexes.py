"""Indexes in the order lists and candidate ranking read: hardship first, longest waiting next."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_worker_stored_tier"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(
                fields=["county", "priority_tier", "waiting_since", "id"], name="registry_worker_county_tier"
            ),
        ),
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(
                fields=["registered_market", "priority_tier", "waiting_since", "id"],
                name="registry_worker_market_tier",
            ),
        ),
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(fields=["priority_tier", "waiting_since", "id"], name="registry_worker_tier"),
        ),
    ]
