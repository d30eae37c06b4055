"""Install the reporting calendar of notice 十三 as data, and its periods so far."""

import datetime

from django.db import migrations


def install(apps, schema_editor):
    from reporting.calendar import DEFAULT_RULES, beijing_today, rule_periods

    Rule = apps.get_model("reporting", "ReportingRule")
    Period = apps.get_model("reporting", "ReportingPeriod")
    until = beijing_today() + datetime.timedelta(days=400)
    for data in DEFAULT_RULES:
        rule, _ = Rule.objects.get_or_create(name=data["name"], defaults=data)
        for spec in rule_periods(rule, until=until):
            Period.objects.get_or_create(
                start=spec.start, end=spec.end, defaults={"name": spec.name, "due_date": spec.due_date, "rule": rule}
            )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
