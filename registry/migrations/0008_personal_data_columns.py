"""Columns for personal data that no dump can read: ciphertext and keyed hashes (step 1 of 3).

Adds the new columns beside the old ones (`0009` fills them from the old, `0010` drops
the old). The old search indexes and the phone uniqueness go first here, and the old
columns may be empty (NULL birth date, blank strings), so that the three steps also run
backwards (`0010` backwards adds the old columns empty, `0009` backwards fills them).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gigmarket", "0004_user_password_expiry"),
        ("markets", "0003_seed_trades"),
        ("registry", "0007_workertrade_market_county_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="employer", name="registry_employer_unique_person_phone"),
        migrations.RemoveIndex(model_name="worker", name="registry_worker_name_last4"),
        migrations.RemoveIndex(model_name="worker", name="registry_worker_last4"),
        migrations.AlterField(
            model_name="worker",
            name="birth_date",
            field=models.DateField(editable=False, null=True, verbose_name="出生日期"),
        ),
        migrations.AlterField(
            model_name="worker",
            name="mobile",
            field=models.CharField(blank=True, max_length=11, verbose_name="手机号码"),
        ),
        migrations.AlterField(
            model_name="worker",
            name="id_last4",
            field=models.CharField(blank=True, editable=False, max_length=4, verbose_name="身份证号后4位"),
        ),
        migrations.AlterField(
            model_name="employer",
            name="phone",
            field=models.CharField(blank=True, max_length=12, verbose_name="联系电话"),
        ),
        migrations.AddField(
            model_name="worker",
            name="name_last4_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="姓名与身份证号后4位摘要"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="worker",
            name="birth_year",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="出生年份"),
        ),
        migrations.AddField(
            model_name="worker",
            name="mobile_encrypted",
            field=models.TextField(
                default="", editable=False, error_messages={"blank": "请填写手机号码。"}, verbose_name="手机号码(加密)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="worker",
            name="mobile_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="手机号码摘要"),
        ),
        migrations.AddField(
            model_name="worker",
            name="emergency_phone_encrypted",
            field=models.TextField(
                blank=True,
                editable=False,
                error_messages={"blank": "请填写紧急联系人电话。"},
                verbose_name="紧急联系人电话(加密)",
            ),
        ),
        migrations.AddField(
            model_name="employer",
            name="phone_encrypted",
            field=models.TextField(
                default="", editable=False, error_messages={"blank": "请填写联系电话。"}, verbose_name="联系电话(加密)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="employer",
            name="phone_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="联系电话摘要"),
        ),
        migrations.AddField(
            model_name="windowvisit",
            name="idempotency_key",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name="提交标识"),
        ),
        migrations.CreateModel(
            name="WorkerTransfer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="转移时间")),
                ("mobile_replaced", models.BooleanField(default=False, verbose_name="改用新手机号")),
                ("details_replaced", models.BooleanField(default=False, verbose_name="更新求职信息")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="经办人",
                    ),
                ),
                (
                    "from_county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="gigmarket.division",
                        verbose_name="转出县(市、区)",
                    ),
                ),
                (
                    "market",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="markets.market",
                        verbose_name="办理市场",
                    ),
                ),
                (
                    "to_county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="gigmarket.division",
                        verbose_name="转入县(市、区)",
                    ),
                ),
                (
                    "worker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers",
                        to="registry.worker",
                        verbose_name="零工",
                    ),
                ),
            ],
            options={
                "verbose_name": "零工转移记录",
                "verbose_name_plural": "零工转移记录",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["from_county", "-at"], name="registry_transfer_from"),
                    models.Index(fields=["to_county", "-at"], name="registry_transfer_to"),
                    models.Index(fields=["worker", "-at"], name="registry_transfer_worker"),
                ],
            },
        ),
    ]
