from django.db import migrations


def forwards(apps, schema_editor):
    from gigmarket.core.divisions import load_divisions

    load_divisions(apps.get_model("gigmarket", "Division"))


class Migration(migrations.Migration):
    dependencies = [("gigmarket", "0002_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
