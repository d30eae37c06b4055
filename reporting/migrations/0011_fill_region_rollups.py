"""Fill the 市州 and province rollup rows (0010) from the per-county rows already stored.

Set-based, with this migration's models: one INSERT ... SELECT per level for the daily rows,
one for the monthly rows (the daily flow rows summed per month). The channel metrics are
new in 0010 and have no rows yet: `manage.py backfill_rollups` computes them from the
registry for the days already rolled up (docs/performance.md, issue 17).
"""

from django.db import connections, migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth

FLOWS = ["new_seekers", "visits", "postings", "headcount", "matches", "onboarded", "rights_cases"]


def _insert(schema_editor, model, columns, qs):
    select, params = qs.query.sql_with_params()
    # No schema editor when the tests re-run this after a flush (tests/conftest.py).
    connection = schema_editor.connection if schema_editor is not None else connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT s.* FROM ({select}) s", params)


def fill(apps, schema_editor):
    DailyStat = apps.get_model("reporting", "DailyStat")
    RegionDailyStat = apps.get_model("reporting", "RegionDailyStat")
    RegionMonthlyStat = apps.get_model("reporting", "RegionMonthlyStat")
    RegionDailyStat.objects.all().delete()
    RegionMonthlyStat.objects.all().delete()
    county_rows = DailyStat.objects.filter(market__isnull=True).order_by()
    for path in ("county__parent_id", "county__parent__parent_id"):
        regions = (
            county_rows.filter(**{f"{path.removesuffix('_id')}__isnull": False})
            .values_list("date", path, "trade_id", "metric", "dimension")
            .annotate(v=Sum("value"))
        )
        _insert(schema_editor, RegionDailyStat, ("date", "division_id", "trade_id", "metric", "dimension", "value"), regions)
    monthly = (
        RegionDailyStat.objects.filter(metric__in=FLOWS)
        .order_by()
        .annotate(m=TruncMonth("date"))
        .values_list("m", "division_id", "trade_id", "metric", "dimension")
        .annotate(v=Sum("value"))
    )
    _insert(schema_editor, RegionMonthlyStat, ("month", "division_id", "trade_id", "metric", "dimension", "value"), monthly)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0010_region_rollups")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
