"""Core records: administrative divisions, users with their scope, the audit log, the SMS outbox."""

import datetime
import json

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChoiceLabels
from .pii import PiiColumns
from .pii_fields import PersonalField, hash_value


def user_ref(verbose_name):
    """The portal user who did something (登记人, 经办人…); kept as NULL if the account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Division(ChoiceLabels, models.Model):
    """A GB/T 2260 administrative division of Guizhou: the province, a 市州 or a 县级 unit.

    Divisions are never deleted; a county that is merged or renamed is marked inactive.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市州")
        COUNTY = "county", _("县(市、区)")

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    name = models.CharField(_("全称"), max_length=40)
    short_name = models.CharField(_("简称"), max_length=20)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    # A county's staff decide whether its window clerks must log in with a second factor.
    clerks_need_two_factor = models.BooleanField(_("窗口工作人员须两步验证"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.name

    @property
    def is_county(self):
        return self.level == self.Level.COUNTY

    @property
    def is_city(self):
        return self.level == self.Level.CITY

    @property
    def is_province(self):
        return self.level == self.Level.PROVINCE


class Role(models.TextChoices):
    PROVINCE = "province", _("省级")
    AUDITOR = "auditor", _("省级审计(只读)")
    CITY = "city", _("市州")
    COUNTY = "county", _("县级")
    CLERK = "clerk", _("窗口工作人员")


# The division level each role is bound to.
ROLE_DIVISION_LEVEL = {
    Role.PROVINCE: Division.Level.PROVINCE,
    Role.AUDITOR: Division.Level.PROVINCE,
    Role.CITY: Division.Level.CITY,
    Role.COUNTY: Division.Level.COUNTY,
    Role.CLERK: Division.Level.COUNTY,
}


class User(ChoiceLabels, AbstractUser):
    """A portal user. Its scope (role, division and, for clerks, market) lives here."""

    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.CLERK)
    division = models.ForeignKey(
        Division,
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    market = models.ForeignKey(
        "markets.Market",
        verbose_name=_("所在零工市场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clerks",
    )
    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Password age (等保 口令定期更换): dated whenever a password is set, see save().
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=False,
        help_text=_("管理员创建账号或重置密码后，用户须先设置自己的密码。"),
    )

    objects = UserManager()

    # A staff member's own phone: kept in clear for the account pages, never in the audit
    # log (`gigmarket.core.audit.masked_fields`).
    AUDIT_MASKED_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # Date every password set. set_password() keeps the raw password in _password until
        # the next save; Django's hash upgrade at login clears it before saving ("hash upgrades
        # shouldn't be considered password changes"), so an upgrade is not dated. A new account
        # saved with a ready-made hash (create_user(), so `createsuperuser`) is dated at insert.
        has_hash = bool(self.password) and self.has_usable_password()
        if self._password is not None or (self._state.adding and self.password_changed_at is None and has_hash):
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "password" in update_fields:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    @property
    def password_expires_at(self):
        """When the password stops being accepted for work (None: no expiry, or no date known)."""
        days = settings.PASSWORD_MAX_AGE_DAYS
        if not days or self.password_changed_at is None:
            return None
        return self.password_changed_at + datetime.timedelta(days=days)

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def is_province_level(self):
        return self.is_superuser or self.role in (Role.PROVINCE, Role.AUDITOR)

    @property
    def can_write(self):
        """Auditors read and download only."""
        return self.is_active and self.role != Role.AUDITOR

    @property
    def scope_label(self):
        if self.is_superuser and not self.division_id:
            return "贵州省(系统管理员)"
        parts = [self.division.name if self.division_id else "未设置区划"]
        if self.role == Role.CLERK and self.market_id:
            parts.append(self.market.name)
        return " · ".join(parts)


class AuditEvent(ChoiceLabels, models.Model):
    """One business event: who did what to which object, when, and what changed.

    Written in the same transaction as the change it records. Never edited or
    deleted through the portal; on PostgreSQL a trigger (migration 0005) refuses every
    UPDATE and TRUNCATE, and every DELETE except `audit_archive`'s removal of rows past
    the retention. An account with audit rows cannot be deleted (deactivate it instead).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        REVEAL = "reveal", _("查看个人信息")
        TRANSITION = "transition", _("状态变更")
        ARCHIVE = "archive", _("归档")

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        # SET_NULL would rewrite audit rows; the trigger refuses that, PROTECT says so first.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(_("操作账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    county = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["county", "-created_at"]),
            models.Index(fields=["city", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()} {self.target_repr}"


# ---------------------------------------------------------------- SMS (gigmarket.core.sms)


class SmsMessage(ChoiceLabels, models.Model):
    """One text message in the outbox: written in the caller's transaction by `sms_enqueue`,
    sent once by Celery (`gigmarket.core.sms.services.sms_dispatch` claims it with a
    conditional update), retried with back-off, its failure kept for staff.

    The phone and the parameters (which may hold a code or a contact number) are stored
    encrypted; the phone also as a keyed hash for the opt-out check and lookups.
    """

    scope_county_path = "county"
    AUDIT_MASKED_FIELDS = ("to", "to_encrypted", "to_hash", "payload", "payload_encrypted")
    PII_COLUMNS = PiiColumns(
        encrypted=("to_encrypted", "payload_encrypted"),
        hashes={"to_hash": lambda row: hash_value(row["to_encrypted"])},
    )

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        OPTED_OUT = "opted_out", _("已退订未发送")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    to = PersonalField(_("手机号码"), lookup=True, db_index=True)
    template = models.CharField(_("短信模板"), max_length=40)
    payload = PersonalField(_("短信参数"), blank=True)
    county = models.ForeignKey(
        Division, verbose_name=_("所属县(市、区)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_type = models.CharField(_("关联对象类型"), max_length=60, blank=True)
    related_id = models.CharField(_("关联对象编号"), max_length=40, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    # Not sent before this time: now, 07:00 after a message enqueued in quiet hours, or the
    # next try after a failure.
    not_before = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    backend = models.CharField(_("发送通道"), max_length=20, blank=True)
    provider_message_id = models.CharField(_("通道回执编号"), max_length=100, blank=True)
    last_error = models.CharField(_("失败原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信")
        verbose_name_plural = _("短信发件箱")
        indexes = [
            models.Index(fields=["state", "not_before"], name="gm_sms_due"),
            models.Index(fields=["county", "-created_at"], name="gm_sms_county_created"),
        ]

    def __str__(self):
        return f"短信 {self.pk} ({self.template})"

    @property
    def params(self):
        return json.loads(self.payload) if self.payload else {}

    @params.setter
    def params(self, value):
        self.payload = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


class SmsCode(ChoiceLabels, models.Model):
    """One verification code sent to a phone for one purpose. Neither the phone nor the
    code is stored: the phone as its keyed lookup hash, the code as a salted HMAC."""

    class Purpose(models.TextChoices):
        APPLY = "apply", _("岗位报名")
        PREREGISTER = "preregister", _("扫码登记")
        MY = "my", _("我的报名")
        EMPLOYER = "employer", _("我要招工")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    phone_hash = models.CharField(_("手机号码摘要"), max_length=64, editable=False)
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    salt = models.CharField(max_length=32, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("失效时间"))
    wrong_tries = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    message = models.ForeignKey(SmsMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone_hash", "purpose", "-created_at"], name="gm_smscode_lookup")]

    def __str__(self):
        return f"验证码 {self.pk} ({self.get_purpose_display()})"


class SmsOptOut(ChoiceLabels, models.Model):
    """A phone that replied TD (退订): no message but a verification code it asks for is sent."""

    AUDIT_MASKED_FIELDS = ("phone", "phone_encrypted", "phone_hash")
    PII_COLUMNS = PiiColumns(
        encrypted=("phone_encrypted",),
        hashes={"phone_hash": lambda row: hash_value(row["phone_encrypted"])},
    )

    class Source(models.TextChoices):
        REPLY = "reply", _("短信回复退订")
        STAFF = "staff", _("工作人员登记")

    created_at = models.DateTimeField(_("退订时间"), auto_now_add=True)
    phone = PersonalField(_("手机号码"), lookup=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    recorded_by = user_ref(_("登记人"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")
        constraints = [models.UniqueConstraint(fields=["phone_hash"], name="gm_sms_optout_once")]

    def __str__(self):
        return "短信退订"


class ExportJob(ChoiceLabels, models.Model):
    """An export too large for the request (issue 19): written by Celery to shared storage
    (`default_storage`), shown on 我的导出 with its progress, downloadable by its owner
    alone until `expires_at`, then removed (`gigmarket.core.export_jobs`)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("导出类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=100)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    file = models.CharField(_("文件"), max_length=300, blank=True)  # a default_storage name
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("下载截止"), null=True, blank=True, db_index=True)
    downloaded_at = models.DateTimeField(_("首次下载"), null=True, blank=True)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["owner", "-created_at"], name="gm_exportjob_owner")]

    def __str__(self):
        return f"{self.title} ({self.get_state_display()})"

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def pending(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
