"""The audit table becomes append-only on PostgreSQL (等保 8.1.4.3 c 审计记录保护).

A trigger refuses every UPDATE and TRUNCATE of gigmarket_auditevent and every DELETE,
except one: a row older than 183 days (the six-month retention floor) may be deleted in a
transaction that has set `SET LOCAL gigmarket.core.audit_archive = 'on'`, which only
`manage.py audit_archive` does, after exporting and verifying the rows. The 183 days are
written here on purpose: AUDIT_RETENTION_DAYS may be longer (the command enforces it),
never shorter. SQLite (local run) has no such trigger.

`actor` becomes PROTECT: SET_NULL would rewrite audit rows when an account is deleted;
accounts are deactivated instead.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from gigmarket.core.migration_ops import RunSQLOnPostgreSQL

GUARD_FUNCTION = r"""
CREATE OR REPLACE FUNCTION gigmarket_auditevent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
        IF coalesce(current_setting('gigmarket.core.audit_archive', true), '') = 'on'
           AND OLD.created_at < now() - interval '183 days' THEN
            RETURN OLD;
        END IF;
    END IF;
    -- No percent signs here: Django passes this text through the driver's parameter formatting.
    RAISE EXCEPTION USING
        MESSAGE = 'gigmarket_auditevent is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege',
        HINT = 'Rows older than the retention are removed only by manage.py audit_archive.';
END;
$$;
"""

FORWARD = [
    GUARD_FUNCTION,
    """
    CREATE TRIGGER gigmarket_auditevent_no_rewrite
        BEFORE UPDATE OR DELETE ON gigmarket_auditevent
        FOR EACH ROW EXECUTE FUNCTION gigmarket_auditevent_guard();
    """,
    """
    CREATE TRIGGER gigmarket_auditevent_no_truncate
        BEFORE TRUNCATE ON gigmarket_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION gigmarket_auditevent_guard();
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS gigmarket_auditevent_no_truncate ON gigmarket_auditevent;",
    "DROP TRIGGER IF EXISTS gigmarket_auditevent_no_rewrite ON gigmarket_auditevent;",
    "DROP FUNCTION IF EXISTS gigmarket_auditevent_guard();",
]


class Migration(migrations.Migration):
    dependencies = [
        ("gigmarket", "0005_division_clerks_need_two_factor"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "新增"),
                    ("update", "修改"),
                    ("delete", "删除"),
                    ("login", "登录"),
                    ("logout", "退出"),
                    ("login_failed", "登录失败"),
                    ("export", "导出"),
                    ("import", "导入"),
                    ("reveal", "查看个人信息"),
                    ("transition", "状态变更"),
                    ("archive", "归档"),
                ],
                max_length=20,
                verbose_name="操作",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        RunSQLOnPostgreSQL(FORWARD, BACKWARD, description="Audit rows: refuse UPDATE, TRUNCATE and early DELETE"),
    ]
