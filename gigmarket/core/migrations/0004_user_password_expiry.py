"""Password age for 口令定期更换: existing accounts count from this migration, not forced at once.

The fill is plain SQL (no RunPython): it works the same on SQLite and PostgreSQL and, after
a test flush, there are no users to fill, so conftest's reference-data list is not concerned.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gigmarket", "0003_load_divisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(
                default=False,
                help_text="管理员创建账号或重置密码后，用户须先设置自己的密码。",
                verbose_name="下次登录须修改密码",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="密码修改时间"),
        ),
        migrations.RunSQL(
            "UPDATE gigmarket_user SET password_changed_at = CURRENT_TIMESTAMP WHERE password_changed_at IS NULL",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
