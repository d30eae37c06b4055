"""Walk-in registration at the market windows: workers, employers, postings, visits, training, policy.

Scoping choices:
- A `Worker` belongs to the county of the market where they last registered or
  visited the 求职(用工)登记 window (`county`). A gig worker who moves is then served
  by the new county; the registering market stays in `registered_market`. Workers are
  not tied to one market, so clerks see every worker of their county.
- An `Employer` belongs to the county where it was first registered. Its postings are
  scoped by their market, so a clerk in another county can still post for it.
- `Posting` and `WindowVisit` are scoped by their market.
- `TrainingOffer` and `PolicyNote` belong to a county (optionally a market);
  `TrainingSignup` follows its offer.

Personal data: nothing in a worker or employer row narrows down a 身份证号 or gives a
phone number. The 身份证号 is kept as `id_hash`, a keyed HMAC (exact lookup, unique
across the province), and `id_encrypted`, the Fernet ciphertext for the audited
reveal. The "name + last 4 characters" search uses `name_last4_hash`, a keyed HMAC of
the normalised name and the last four characters (`name_last4_key`). Of the birth date
only the year is kept (`birth_year`), and the gender (one bit, needed by the 大龄 rule).
Phones (`Worker.mobile`, `Worker.emergency_phone`, `Employer.phone`) are
`gigmarket.core.pii_fields.PersonalField`s: ciphertext plus, where a page looks them up, a
keyed hash. Lookups go through the managers (`Worker.objects.with_id_number`,
`with_mobile`, `with_name_last4`; `Employer.objects.with_phone`).

The rules the models apply live beside them, each in its own module: the hardship tier
and its SQL mirror in `registry.tiers`, the worker–trade ranking key in
`registry.ranking_key`, the shared choices in `registry.choices`.
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gigmarket.core.choices import ChoiceLabels
from gigmarket.core.models import Division, user_ref
from gigmarket.core.pii import PiiColumns, decrypt, encrypt, mask_id_number, mask_phone
from gigmarket.core.pii_fields import PersonalField, hash_filter, hash_value

from .choices import Channel, Gender, PayUnit
from .ranking_key import RANKING_KEY_COLUMNS, RankingKeyQuerySet, sync_ranking_keys
from .tiers import Tier, age_in_year, compute_tier, long_wait_cutoff, senior_birth_year


def normalise_name(name):
    """A name as the name + last-4 hash and the name checks compare it: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def name_last4_key(name, last4):
    """What `Worker.name_last4_hash` hashes: the normalised name and the ID's last 4 (X upper case)."""
    return f"{normalise_name(name)} {last4.upper()}"


class WorkerQuerySet(RankingKeyQuerySet):
    """Exact lookups by personal data, through keyed hashes only (`gigmarket.core.pii_fields`).

    A set-based write of the ranking key must re-sync its copies (`registry.ranking_key`).
    """

    def with_id_number(self, id_number):
        """Workers with this normalised 身份证号 (a `validators.IdNumber` or its value)."""
        return self.filter(hash_filter("id_hash", getattr(id_number, "value", id_number)))

    def with_mobile(self, mobile):
        """Workers with this normalised 11-digit mobile."""
        return self.filter(Worker.mobile.matches(mobile))

    def with_name_last4(self, name, last4):
        """Workers with this name (normalised) whose 身份证号 ends in `last4`."""
        return self.filter(hash_filter("name_last4_hash", name_last4_key(name, last4)))


class Worker(ChoiceLabels, models.Model):
    """A 零工 / 灵活就业人员, one per 身份证号 across the province."""

    scope_county_path = "county"
    # The personal fields and the columns below are masked in every audit row
    # (`gigmarket.core.audit.masked_fields`). Rewritten under the writing key by
    # `manage.py pii_rekey`, as `set_id_number`, `save()` and the personal fields write them.
    PII_COLUMNS = PiiColumns(
        encrypted=("id_encrypted", "mobile_encrypted", "emergency_phone_encrypted"),
        plain=("name",),
        hashes={
            "id_hash": lambda row: hash_value(row["id_encrypted"]),
            "name_last4_hash": lambda row: hash_value(name_last4_key(row["name"], row["id_encrypted"][-4:])),
            "mobile_hash": lambda row: hash_value(row["mobile_encrypted"]),
        },
    )

    class Education(models.TextChoices):
        PRIMARY = "primary", _("小学及以下")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中/中专/技校")
        COLLEGE = "college", _("大专")
        BACHELOR = "bachelor", _("本科及以上")

    class Household(models.TextChoices):
        URBAN = "urban", _("城镇户籍")
        RURAL = "rural", _("农村户籍")
        RELOCATED = "relocated", _("易地扶贫搬迁")

    name = models.CharField(_("姓名"), max_length=40, db_index=True)
    id_hash = models.CharField(_("身份证号摘要"), max_length=64, unique=True, editable=False)
    id_encrypted = models.TextField(_("身份证号(加密)"), editable=False)
    name_last4_hash = models.CharField(_("姓名与身份证号后4位摘要"), max_length=64, editable=False, db_index=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, editable=False)
    mobile = PersonalField(_("手机号码"), lookup=True, db_index=True)

    trades = models.ManyToManyField(
        "markets.Trade", verbose_name=_("求职工种"), blank=True, related_name="registry_workers", through="WorkerTrade"
    )
    available_from = models.DateField(_("可上工日期(起)"), null=True, blank=True)
    available_until = models.DateField(_("可上工日期(止)"), null=True, blank=True, help_text=_("不填表示长期可上工。"))
    expected_pay = models.DecimalField(_("期望报酬"), max_digits=8, decimal_places=2, null=True, blank=True)
    pay_unit = models.CharField(_("计酬单位"), max_length=5, choices=PayUnit.choices, default=PayUnit.DAY)
    notes = models.TextField(_("备注"), blank=True)

    education = models.CharField(_("文化程度"), max_length=10, choices=Education.choices, blank=True)
    certificates = models.CharField(_("职业资格/技能证书"), max_length=200, blank=True)
    household_type = models.CharField(_("户籍类型"), max_length=10, choices=Household.choices, blank=True)
    emergency_contact = models.CharField(_("紧急联系人"), max_length=40, blank=True)
    emergency_phone = PersonalField(_("紧急联系人电话"), blank=True)

    low_income = models.BooleanField(_("低收入家庭"), default=False)
    disabled = models.BooleanField(_("残疾"), default=False)
    employment_difficulty = models.BooleanField(_("就业困难人员"), default=False)
    has_injury_insurance = models.BooleanField(_("已参加新就业形态灵活就业意外伤害保险"), default=False)

    class StartupIntent(models.TextChoices):
        NONE = "none", _("无")
        CONSIDERING = "considering", _("有意向")
        PLANNED = "planned", _("已有计划")

    startup_intent = models.CharField(
        _("创业意愿"), max_length=12, choices=StartupIntent.choices, default=StartupIntent.NONE
    )
    startup_note = models.CharField(
        _("创业意愿说明"), max_length=200, blank=True, help_text=_("如拟创业项目、资金需求。")
    )

    registered_market = models.ForeignKey(
        "markets.Market", verbose_name=_("登记市场"), on_delete=models.PROTECT, related_name="registered_workers"
    )
    county = models.ForeignKey(
        Division,
        verbose_name=_("服务县(市、区)"),
        on_delete=models.PROTECT,
        related_name="registry_workers",
        help_text=_("最近一次登记或来访的零工市场所在县(市、区)。"),
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    registered_by = user_ref(_("登记人"))
    channel = models.CharField(_("登记渠道"), max_length=8, choices=Channel.choices, default=Channel.COUNTER)
    last_confirmed_match_at = models.DateTimeField(_("最近确认对接时间"), null=True, blank=True)
    # Stored so lists and candidate ranking read in index order instead of sorting every
    # worker in scope. Kept by `save()` (every ORM save), by `services.worker_confirmed_match`
    # (matching's confirm) and nightly by `services.refresh_worker_tiers` (大龄 and 待工时间长
    # change with the date alone). `compute_tier` stays the one rule.
    waiting_since = models.DateTimeField(
        _("待工起始时间"), blank=True, editable=False, help_text=_("最近确认对接时间；从未对接成功则为登记时间。")
    )
    priority_tier = models.PositiveSmallIntegerField(
        _("帮扶等级"), choices=Tier.choices, default=Tier.NORMAL, editable=False
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("零工")
        verbose_name_plural = _("零工")
        indexes = [
            models.Index(fields=["county", "-registered_at"], name="registry_worker_county_reg"),
            models.Index(fields=["county", "available_from"], name="registry_worker_county_avail"),
            # Hardship first, longest waiting next: lists and candidate ranking stop early.
            models.Index(fields=["county", "priority_tier", "waiting_since", "id"], name="registry_worker_county_tier"),
            models.Index(
                fields=["registered_market", "priority_tier", "waiting_since", "id"], name="registry_worker_market_tier"
            ),
            models.Index(fields=["priority_tier", "waiting_since", "id"], name="registry_worker_tier"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The stored tier follows every save (see `refresh_tier`), and so do the copies of
        # the ranking key on the trade rows (a new worker has none yet), and the name +
        # last-4 hash follows the name.
        self.refresh_tier()
        self.name_last4_hash = hash_value(name_last4_key(self.name, self.full_id_number()[-4:]))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "waiting_since", "priority_tier", "name_last4_hash"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:
            # From the stored row: a save with `update_fields` may hold stale values of the rest.
            sync_ranking_keys([self.pk])

    def ranking_key(self):
        """What `WorkerTrade` copies from the worker: where they are served and how they rank."""
        return {field: getattr(self, field) for field in RANKING_KEY_COLUMNS}

    def set_trades(self, trades):
        """Replace the worker's trades; new rows carry the ranking key."""
        self.trades.set(trades, through_defaults=self.ranking_key())

    def add_trades(self, trades):
        """Add trades (those already held are skipped), in one INSERT."""
        key = self.ranking_key()
        WorkerTrade.objects.bulk_create(
            [WorkerTrade(worker=self, trade=trade, **key) for trade in trades], ignore_conflicts=True
        )

    # Personal data ---------------------------------------------------------------

    def set_id_number(self, parsed):
        """Store a validated `validators.IdNumber`: keyed hash, ciphertext, and the facts the rules need.

        `name_last4_hash` follows in `save()` (from the name and this number).
        """
        self.id_hash = hash_value(parsed.value)
        self.id_encrypted = encrypt(parsed.value)
        self.__dict__["_id_number"] = (self.id_encrypted, parsed.value)
        self.birth_year = parsed.birth_date.year
        self.gender = parsed.gender

    def full_id_number(self):
        """Decrypt the 身份证号. Callers showing it to a person must audit (services.worker_reveal_id)."""
        cached = self.__dict__.get("_id_number")
        if cached is not None and cached[0] == self.id_encrypted:
            return cached[1]
        value = decrypt(self.id_encrypted)
        self.__dict__["_id_number"] = (self.id_encrypted, value)
        return value

    @cached_property
    def masked_id_number(self):
        """5201**********123X, for lists, search results and exports."""
        return mask_id_number(self.full_id_number())

    @property
    def masked_mobile(self):
        return mask_phone(self.mobile)

    @property
    def masked_emergency_phone(self):
        return mask_phone(self.emergency_phone)

    # Derived facts -----------------------------------------------------------------

    def age(self, today=None):
        """The age the worker reaches this year (only the birth year is stored)."""
        return age_in_year(self.birth_year, today or timezone.localdate())

    def is_senior(self, today=None):
        today = today or timezone.localdate()
        return self.birth_year <= senior_birth_year(self.gender, today)

    def is_long_wait(self, today=None):
        waiting_since = self.last_confirmed_match_at or self.registered_at
        return waiting_since < long_wait_cutoff(today or timezone.localdate())

    def hardship_labels(self, today=None):
        """Chinese labels of every hardship flag that applies, in display order."""
        today = today or timezone.localdate()
        flags = [
            (self.employment_difficulty, "就业困难人员"),
            (self.disabled, "残疾"),
            (self.low_income, "低收入家庭"),
            (self._flag("senior_flag", self.is_senior, today), "大龄"),
            (self._flag("long_wait_flag", self.is_long_wait, today), "待工时间长"),
        ]
        return [label for on, label in flags if on]

    def _flag(self, annotation, method, today):
        value = getattr(self, annotation, None)
        return bool(value) if value is not None else method(today)

    def tier(self, today=None):
        """The 分级服务 tier on `today` by the rule (`compute_tier`), from the current values.

        Lists and ranking order by the stored `priority_tier`, which equals this after
        every save and the nightly refresh.
        """
        today = today or timezone.localdate()
        return compute_tier(
            employment_difficulty=self.employment_difficulty,
            disabled=self.disabled,
            low_income=self.low_income,
            senior=self.is_senior(today),
            long_wait=self.is_long_wait(today),
        )

    def refresh_tier(self, today=None):
        """Set the stored `waiting_since` and `priority_tier` from the current values."""
        self.waiting_since = self.last_confirmed_match_at or self.registered_at
        self.priority_tier = self.tier(today)

    @property
    def has_startup_intent(self):
        return self.startup_intent != self.StartupIntent.NONE

    def is_available_on(self, day):
        return (self.available_from is None or self.available_from <= day) and (
            self.available_until is None or self.available_until >= day
        )


class WorkerTrade(ChoiceLabels, models.Model):
    """One of a worker's 求职工种, carrying a copy of the worker's ranking key.

    Candidate ranking asks "workers of this trade in this county (or market), hardship
    first, longest waiting next". With the key on the trade row that is one walk of one
    index that stops after a page, however rare the trade; from the worker's own tier
    index it meant probing the trade of every worker walked past. The copy is kept by
    `Worker.save`, by the set-based updates in `services` (confirm, nightly tiers) through
    `sync_ranking_keys`, and the nightly job repairs any row that drifted; a queryset
    `update()` of the key outside `ranking_keys_synced` is refused (`registry.ranking_key`).
    """

    scope_county_path = "county"

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="trade_rows")
    trade = models.ForeignKey("markets.Trade", on_delete=models.CASCADE, related_name="+")
    # Copies of the worker's columns (`Worker.ranking_key`): the worker's own foreign keys
    # protect the divisions and markets, so these carry no constraint or index of their own.
    county = models.ForeignKey(
        Division, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    registered_market = models.ForeignKey(
        "markets.Market", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    priority_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    waiting_since = models.DateTimeField()

    class Meta:
        db_table = "registry_worker_trades"
        unique_together = [("worker", "trade")]
        verbose_name = _("零工求职工种")
        verbose_name_plural = _("零工求职工种")
        indexes = [
            # The ranking's nearness branches: same market, same county, the rest of the 市州.
            models.Index(
                fields=["trade", "registered_market", "priority_tier", "waiting_since", "worker"],
                name="registry_wtrade_market_rank",
            ),
            models.Index(
                fields=["trade", "county", "priority_tier", "waiting_since", "worker"],
                name="registry_wtrade_county_rank",
            ),
            models.Index(fields=["trade", "priority_tier", "waiting_since", "worker"], name="registry_wtrade_rank"),
        ]

    def __str__(self):
        return f"{self.worker_id}:{self.trade_id}"


class WorkerTransfer(models.Model):
    """A worker's record moved to another county: an explicit, audited step at registration.

    A walk-in whose 身份证号 is registered in another county is transferred only when the
    clerk confirms it (`services.worker_transfer`). The row is the worker's history and
    lets the county they left see where they went (the worker is out of its scope
    afterwards). Scoped by the county left; `transfers_for` also shows a county the
    transfers into it.
    """

    scope_county_path = "from_county"

    worker = models.ForeignKey(Worker, verbose_name=_("零工"), on_delete=models.PROTECT, related_name="transfers")
    from_county = models.ForeignKey(
        Division, verbose_name=_("转出县(市、区)"), on_delete=models.PROTECT, related_name="+"
    )
    to_county = models.ForeignKey(
        Division, verbose_name=_("转入县(市、区)"), on_delete=models.PROTECT, related_name="+"
    )
    market = models.ForeignKey("markets.Market", verbose_name=_("办理市场"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("转移时间"), default=timezone.now)
    by = user_ref(_("经办人"))
    mobile_replaced = models.BooleanField(_("改用新手机号"), default=False)
    details_replaced = models.BooleanField(_("更新求职信息"), default=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("零工转移记录")
        verbose_name_plural = _("零工转移记录")
        indexes = [
            models.Index(fields=["from_county", "-at"], name="registry_transfer_from"),
            models.Index(fields=["to_county", "-at"], name="registry_transfer_to"),
            models.Index(fields=["worker", "-at"], name="registry_transfer_worker"),
        ]

    def __str__(self):
        return f"{self.worker_id}: {self.from_county_id} → {self.to_county_id}"


class EmployerQuerySet(models.QuerySet):
    def with_phone(self, phone):
        """Employers with this normalised phone (keyed hash; see `gigmarket.core.pii_fields`)."""
        return self.filter(Employer.phone.matches(phone))


class Employer(ChoiceLabels, models.Model):
    """A 用工主体. One per 统一社会信用代码; a 家庭/个人 employer is one per phone."""

    scope_county_path = "county"
    # Masked in audit rows with the phone (`gigmarket.core.audit.masked_fields`).
    PII_COLUMNS = PiiColumns(
        encrypted=("phone_encrypted",), hashes={"phone_hash": lambda row: hash_value(row["phone_encrypted"])}
    )

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        BUSINESS = "business", _("个体工商户")
        PERSON = "person", _("家庭/个人")
        INSTITUTION = "institution", _("机关事业单位")
        OTHER = "other", _("其他")

    # Kinds that must give a 统一社会信用代码.
    CODE_REQUIRED = (Kind.ENTERPRISE, Kind.INSTITUTION)

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.ENTERPRISE)
    name = models.CharField(_("名称/姓名"), max_length=100, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = PersonalField(_("联系电话"), lookup=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    county = models.ForeignKey(
        Division, verbose_name=_("登记县(市、区)"), on_delete=models.PROTECT, related_name="registry_employers"
    )
    registered_market = models.ForeignKey(
        "markets.Market",
        verbose_name=_("登记市场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_employers",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = user_ref(_("登记人"))

    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("用工主体")
        verbose_name_plural = _("用工主体")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="registry_employer_unique_credit_code",
                violation_error_message="该统一社会信用代码已登记为其他用工主体。",
            ),
            models.UniqueConstraint(
                fields=["phone_hash"],
                condition=Q(kind="person"),
                name="registry_employer_unique_person_phone",
                violation_error_message="该电话已登记为其他家庭/个人用工主体。",
            ),
        ]
        indexes = [models.Index(fields=["county", "name"], name="registry_employer_county_name")]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def clean(self):
        if self.kind in self.CODE_REQUIRED and not self.credit_code:
            raise ValidationError({"credit_code": "企业和机关事业单位须填写统一社会信用代码。"})
        if self.kind == self.Kind.PERSON and self.credit_code:
            raise ValidationError({"credit_code": "家庭/个人用工不填写统一社会信用代码。"})


class Posting(ChoiceLabels, models.Model):
    """A 用工需求 published at a market's board and on the public site."""

    scope_county_path = "market__county"
    scope_market_path = "market"

    class Status(models.TextChoices):
        OPEN = "open", _("招工中")
        FILLED = "filled", _("已招满")
        CLOSED = "closed", _("已关闭")
        EXPIRED = "expired", _("已过期")

    employer = models.ForeignKey(
        Employer, verbose_name=_("用工主体"), on_delete=models.PROTECT, related_name="postings"
    )
    market = models.ForeignKey(
        "markets.Market", verbose_name=_("发布市场"), on_delete=models.PROTECT, related_name="postings"
    )
    trade = models.ForeignKey(
        "markets.Trade", verbose_name=_("工种"), on_delete=models.PROTECT, related_name="registry_postings"
    )
    headcount = models.PositiveSmallIntegerField(_("招用人数"), default=1)
    pay = models.DecimalField(_("报酬"), max_digits=8, decimal_places=2)
    pay_unit = models.CharField(_("计酬单位"), max_length=5, choices=PayUnit.choices, default=PayUnit.DAY)
    work_date = models.DateField(_("用工日期(起)"))
    work_date_end = models.DateField(_("用工日期(止)"), null=True, blank=True, help_text=_("只做一天可不填。"))
    start_time = models.TimeField(_("上工时间"), null=True, blank=True)
    end_time = models.TimeField(_("收工时间"), null=True, blank=True)
    place = models.CharField(_("工作地点"), max_length=200)
    requirements = models.TextField(_("要求"), blank=True)
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    channel = models.CharField(_("发布渠道"), max_length=8, choices=Channel.choices, default=Channel.COUNTER)
    created_by = user_ref(_("发布人"))
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("用工需求")
        verbose_name_plural = _("用工需求")
        indexes = [
            models.Index(fields=["market", "status", "-created_at"], name="registry_posting_board"),
            models.Index(fields=["trade", "status", "work_date"], name="registry_posting_match"),
            models.Index(fields=["status", "valid_until"], name="registry_posting_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="registry_posting_headcount_positive",
                violation_error_message="招用人数至少为1人。",
            ),
        ]

    def __str__(self):
        return f"{self.employer} · {self.trade} × {self.headcount}"

    @property
    def last_work_date(self):
        return self.work_date_end or self.work_date

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def clean(self):
        errors = {}
        if self.work_date_end and self.work_date and self.work_date_end < self.work_date:
            errors["work_date_end"] = "结束日期不能早于开始日期。"
        if self.valid_until and self.work_date and self.valid_until > self.last_work_date:
            errors["valid_until"] = "有效期不能晚于用工结束日期。"
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "收工时间应晚于上工时间。"
        if errors:
            raise ValidationError(errors)


class WindowVisit(ChoiceLabels, models.Model):
    """One walk-in at one of the four service windows (notice 三.3). Monitoring counts these rows."""

    scope_county_path = "market__county"
    scope_market_path = "market"

    class Window(models.TextChoices):
        REGISTER = "register", _("求职(用工)登记")
        TRAINING = "training", _("技能培训")
        RIGHTS = "rights", _("劳动维权")
        POLICY = "policy", _("政策咨询")

    market = models.ForeignKey(
        "markets.Market", verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="window_visits"
    )
    window = models.CharField(_("窗口"), max_length=10, choices=Window.choices)
    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("用工主体"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    topic = models.CharField(_("事项"), max_length=100, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=200, blank=True)
    clerk = user_ref(_("经办人"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    visit_date = models.DateField(_("日期"), editable=False)
    # The registration form's one-time token: a double-submitted form records one visit.
    idempotency_key = models.UUIDField(_("提交标识"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("窗口来访")
        verbose_name_plural = _("窗口来访")
        indexes = [
            models.Index(fields=["market", "visit_date", "window"], name="registry_visit_market_day"),
            models.Index(fields=["visit_date"], name="registry_visit_day"),
        ]

    def __str__(self):
        return f"{self.get_window_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.visit_date = timezone.localdate(self.created_at)
        super().save(*args, **kwargs)


class TrainingOffer(ChoiceLabels, models.Model):
    """A training course offered to gig workers (notice 六)."""

    scope_county_path = "county"

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")
        BLENDED = "blended", _("线上线下结合")

    county = models.ForeignKey(
        Division, verbose_name=_("县(市、区)"), on_delete=models.PROTECT, related_name="registry_training_offers"
    )
    market = models.ForeignKey(
        "markets.Market",
        verbose_name=_("零工市场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_offers",
    )
    course = models.CharField(_("课程名称"), max_length=100)
    trade = models.ForeignKey(
        "markets.Trade",
        verbose_name=_("对应工种"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_training_offers",
    )

    class Kind(models.TextChoices):
        # Stored as the Chinese words the offers were typed with before the choices.
        SHORTAGE = "急需紧缺职业", _("急需紧缺职业")
        NEW_OCCUPATION = "新职业", _("新职业")
        SKILLS = "技能提升", _("技能提升")
        STARTUP = "创业培训", _("创业培训")
        OTHER = "其他", _("其他")

    kind = models.CharField(
        _("培训类别"),
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text=_("创业培训向有创业意愿的零工推荐。"),
    )
    provider = models.CharField(_("培训机构"), max_length=100, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    mode = models.CharField(_("培训方式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    location = models.CharField(_("地点/网址"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("名额"), null=True, blank=True)
    subsidy_eligible = models.BooleanField(_("可享受职业培训补贴"), default=False)
    subsidy_note = models.CharField(_("补贴说明"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_published = models.BooleanField(_("公开发布"), default=True)
    created_by = user_ref(_("发布人"))
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("培训信息")
        verbose_name_plural = _("培训信息")
        indexes = [models.Index(fields=["county", "-start_date"], name="registry_training_county")]

    def __str__(self):
        return self.course

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})


class TrainingSignup(ChoiceLabels, models.Model):
    """A worker signed up for a training offer."""

    scope_county_path = "offer__county"

    class Status(models.TextChoices):
        SIGNED = "signed", _("已报名")
        ATTENDING = "attending", _("参训中")
        COMPLETED = "completed", _("已结业")
        WITHDRAWN = "withdrawn", _("已退出")

    # The progress a window clerk records: from → allowed targets (see
    # `services.training_signup_transition`). 已结业 is reached only through 参训中: a
    # 结业 record backs the 职业培训补贴 claim, which needs the worker to have attended,
    # and the 参训 step dates that in the audit trail. 已退出 frees a place; it may go
    # back to 已报名 only while the offer has a free place. 已结业 is final.
    TRANSITIONS = {
        Status.SIGNED: (Status.ATTENDING, Status.WITHDRAWN),
        Status.ATTENDING: (Status.COMPLETED, Status.WITHDRAWN),
        Status.COMPLETED: (),
        Status.WITHDRAWN: (Status.SIGNED,),
    }
    # Button labels for the one-click transitions.
    ACTION_LABELS = {
        Status.SIGNED: _("恢复报名"),
        Status.ATTENDING: _("参训"),
        Status.COMPLETED: _("结业"),
        Status.WITHDRAWN: _("退出"),
    }

    offer = models.ForeignKey(TrainingOffer, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="signups")
    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), on_delete=models.PROTECT, related_name="training_signups"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SIGNED)
    signed_up_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    signed_up_by = user_ref(_("经办人"))

    class Meta:
        ordering = ["-signed_up_at", "-id"]
        verbose_name = _("培训报名")
        verbose_name_plural = _("培训报名")
        constraints = [
            models.UniqueConstraint(fields=["offer", "worker"], name="registry_signup_once"),
        ]

    def __str__(self):
        return f"{self.worker} · {self.offer}"

    @property
    def allowed_targets(self):
        return self.TRANSITIONS[self.Status(self.status)]

    def actions(self):
        """(status, button label) for the one-click transitions open from here."""
        return [(target.value, self.ACTION_LABELS[target]) for target in self.allowed_targets]


class PolicyNote(ChoiceLabels, models.Model):
    """A 政策咨询 note for the window and (if public) the public site."""

    scope_county_path = "county"

    class Category(models.TextChoices):
        EMPLOYMENT = "employment", _("就业创业")
        TRAINING = "training", _("培训补贴")
        INSURANCE = "insurance", _("社会保险")
        RIGHTS = "rights", _("劳动维权")
        OTHER = "other", _("其他")

    county = models.ForeignKey(
        Division, verbose_name=_("县(市、区)"), on_delete=models.PROTECT, related_name="registry_policy_notes"
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, default=Category.EMPLOYMENT)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    source = models.CharField(_("政策依据"), max_length=200, blank=True)
    is_public = models.BooleanField(_("在公众网站公开"), default=True)
    created_by = user_ref(_("发布人"))
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("政策解读")
        verbose_name_plural = _("政策解读")
        indexes = [models.Index(fields=["county", "-created_at"], name="registry_policy_county")]

    def __str__(self):
        return self.title


class HardshipRecognition(ChoiceLabels, models.Model):
    """A worker recognised as 就业困难人员 (notice 七): on what basis, when, until when.

    Only a recognised worker may be placed in a 公益性岗位 (`matching.services.placement_create`;
    others only by an audited override). Recording one sets `Worker.employment_difficulty`,
    which feeds the tier rule; ending the last one clears it (`registry.recognition`).
    """

    scope_county_path = "worker__county"

    class Basis(models.TextChoices):
        SENIOR = "senior", _("大龄失业人员")
        DISABLED = "disabled", _("残疾人")
        ZERO_EMPLOYMENT = "zero_employment", _("城镇零就业家庭成员")
        RURAL_ZERO = "rural_zero", _("农村零转移就业家庭成员")
        LOW_INCOME = "low_income", _("最低生活保障家庭成员")
        LONG_UNEMPLOYED = "long_unemployed", _("连续失业一年以上人员")
        RELOCATED = "relocated", _("易地扶贫搬迁劳动力")
        POVERTY = "poverty", _("脱贫人口/防止返贫监测对象")
        OTHER = "other", _("其他")

    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), on_delete=models.PROTECT, related_name="hardship_recognitions"
    )
    basis = models.CharField(_("认定依据"), max_length=16, choices=Basis.choices)
    basis_note = models.CharField(_("依据说明"), max_length=200, blank=True)
    document_no = models.CharField(_("认定文书编号"), max_length=40, blank=True)
    recognised_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("不填表示长期有效。"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    created_by = user_ref(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-recognised_on", "-id"]
        verbose_name = _("就业困难人员认定")
        verbose_name_plural = _("就业困难人员认定")
        indexes = [models.Index(fields=["worker", "ended_on"], name="registry_recognition_worker")]

    def __str__(self):
        return f"{self.worker} · {self.get_basis_display()}"

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.recognised_on and self.recognised_on > today:
            errors["recognised_on"] = "认定日期不能晚于今天。"
        if self.valid_until and self.recognised_on and self.valid_until < self.recognised_on:
            errors["valid_until"] = "有效期不能早于认定日期。"
        if self.basis == self.Basis.OTHER and not self.basis_note.strip():
            errors["basis_note"] = "认定依据为“其他”的，请填写依据说明。"
        if self.ended_on and not self.end_reason.strip():
            errors["end_reason"] = "请填写终止原因。"
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day=None):
        day = day or timezone.localdate()
        return (
            self.recognised_on <= day
            and (self.ended_on is None or self.ended_on > day)
            and (self.valid_until is None or self.valid_until >= day)
        )

    @property
    def is_active(self):
        return self.is_active_on()

    @classmethod
    def active_q(cls, day=None, prefix=""):
        day = day or timezone.localdate()
        return (
            Q(**{f"{prefix}recognised_on__lte": day})
            & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day}))
            & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day}))
        )


class SubsidyKind(models.TextChoices):
    TRAINING = "training", _("职业培训补贴")
    LIVING = "living", _("培训期间生活费补贴")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险补贴")
    STARTUP = "startup", _("创业补贴")
    ACCIDENT_INSURANCE = "accident_insurance", _("意外伤害保险补贴")


class SubsidyApplication(ChoiceLabels, models.Model):
    """A worker's application for one subsidy (notice 六, 七), checked against the rules in
    `registry.subsidies.RULES`, from 待审核 to 已核准 and 已发放, or 已退回 with a reason.

    `period` names what the subsidy is for: a year ("2026"), a month ("2026-11"), a training
    ("training:<offer id>") or once in a lifetime ("once"). The same person is never approved
    or paid twice for the same subsidy and period: a unique index over the approved and paid
    rows, so two clerks approving at the same moment cannot both succeed.
    """

    scope_county_path = "county"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已核准")
        PAID = "paid", _("已发放")
        RETURNED = "returned", _("已退回")

    TRANSITIONS = {
        Status.SUBMITTED: (Status.APPROVED, Status.RETURNED),
        Status.APPROVED: (Status.PAID, Status.RETURNED),
        Status.PAID: (),
        Status.RETURNED: (),
    }
    GRANTED = (Status.APPROVED, Status.PAID)

    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), on_delete=models.PROTECT, related_name="subsidy_applications"
    )
    county = models.ForeignKey(
        Division, verbose_name=_("县(市、区)"), on_delete=models.PROTECT, related_name="registry_subsidies"
    )
    kind = models.CharField(_("补贴类别"), max_length=20, choices=SubsidyKind.choices)
    period = models.CharField(_("补贴期间"), max_length=20)
    training_signup = models.ForeignKey(
        TrainingSignup,
        verbose_name=_("培训报名"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
    )
    amount_requested = models.DecimalField(_("申请金额(元)"), max_digits=10, decimal_places=2)
    evidence = models.JSONField(_("已提交材料"), default=list, blank=True)
    evidence_note = models.CharField(_("材料说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    amount_approved = models.DecimalField(_("核准金额(元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount_paid = models.DecimalField(_("发放金额(元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    voucher_no = models.CharField(_("凭证号"), max_length=40, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    submitted_by = user_ref(_("受理人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = user_ref(_("审核人"))
    paid_by = user_ref(_("发放经办人"))

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "kind", "period"],
                condition=Q(status__in=["approved", "paid"]),
                name="registry_subsidy_granted_once",
                violation_error_message="该零工本期已核准过同一补贴，不能重复核准或发放。",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0),
                name="registry_subsidy_amount_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "status", "-submitted_at"], name="registry_subsidy_county"),
            models.Index(fields=["worker", "kind"], name="registry_subsidy_worker_kind"),
        ]

    def __str__(self):
        return f"{self.worker} · {self.get_kind_display()} · {self.period_label}"

    @property
    def period_label(self):
        if self.period == "once":
            return "一次性"
        if self.period.startswith("training:"):
            return f"培训项目{self.period.split(':', 1)[1]}"
        if len(self.period) == 7:
            return f"{self.period[:4]}年{int(self.period[5:])}月"
        return f"{self.period}年"

    @property
    def year(self):
        """The calendar year the period falls in (the year of the training, else of the period)."""
        if self.period[:4].isdigit():
            return int(self.period[:4])
        if self.training_signup_id:
            return self.training_signup.offer.start_date.year
        return timezone.localdate(self.submitted_at).year

    @property
    def allowed_targets(self):
        return self.TRANSITIONS[self.Status(self.status)]


class PreRegistration(ChoiceLabels, models.Model):
    """扫码登记: a worker's own registration from the QR code at a market, before the counter.

    The phone is SMS-verified; the 身份证号 is optional here (the clerk sees the card at
    the counter). The clerk completes it in one step (`services.preregistration_complete`)
    through the walk-in registration, which creates the `Worker` or finds the existing one.
    """

    scope_county_path = "market__county"
    scope_market_path = "market"
    AUDIT_MASKED_FIELDS = (
        "mobile",
        "mobile_encrypted",
        "mobile_hash",
        "id_number",
        "id_number_encrypted",
        "id_number_hash",
    )

    # Rewritten under the writing key by `manage.py pii_rekey`.
    PII_COLUMNS = PiiColumns(
        encrypted=("mobile_encrypted", "id_number_encrypted"),
        hashes={
            "mobile_hash": lambda row: hash_value(row["mobile_encrypted"]),
            "id_number_hash": lambda row: hash_value(row["id_number_encrypted"]),
        },
    )

    class State(models.TextChoices):
        PENDING = "pending", _("待窗口确认")
        COMPLETED = "completed", _("已完成登记")
        WITHDRAWN = "withdrawn", _("已撤回")

    market = models.ForeignKey(
        "markets.Market", verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="preregistrations"
    )
    name = models.CharField(_("姓名"), max_length=40)
    mobile = PersonalField(_("手机号码"), lookup=True, db_index=True)
    id_number = PersonalField(_("身份证号"), blank=True, lookup=True)
    trades = models.ManyToManyField(
        "markets.Trade", verbose_name=_("求职工种"), blank=True, related_name="registry_preregistrations"
    )
    available_from = models.DateField(_("可上工日期(起)"), null=True, blank=True)
    available_until = models.DateField(_("可上工日期(止)"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_version = models.CharField(_("个人信息告知版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = user_ref(_("经办人"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("扫码预登记")
        verbose_name_plural = _("扫码预登记")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "mobile_hash"],
                condition=Q(state="pending"),
                name="registry_prereg_one_pending_per_phone",
                violation_error_message="该手机号已在本市场预登记，请到窗口办理。",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "state", "-created_at"], name="registry_prereg_queue"),
            models.Index(fields=["state", "created_at"], name="registry_prereg_purge"),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_mobile(self):
        return mask_phone(self.mobile)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number) if self.id_number else ""

    def clean(self):
        if self.available_from and self.available_until and self.available_until < self.available_from:
            raise ValidationError({"available_until": "结束日期不能早于开始日期。"})


class EmployerNeedQuerySet(models.QuerySet):
    def with_phone(self, phone):
        """Needs whose contact mobile is this normalised number (keyed hash)."""
        return self.filter(EmployerNeed.phone.matches(phone))


class EmployerNeed(ChoiceLabels, models.Model):
    """A 用工需求 an employer submitted online (我要招工), waiting for the market's clerk.

    Publishing finds or registers the `Employer` and creates an online `Posting`
    (`services.need_publish`); rejecting records the reason. The contact mobile was
    proven by an SMS code; it is stored as every phone is (ciphertext + keyed hash).
    """

    scope_county_path = "market__county"
    scope_market_path = "market"
    AUDIT_MASKED_FIELDS = ("phone", "phone_encrypted", "phone_hash")
    PII_COLUMNS = PiiColumns(
        encrypted=("phone_encrypted",), hashes={"phone_hash": lambda row: hash_value(row["phone_encrypted"])}
    )

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        BUSINESS = "business", _("个体")
        PERSON = "person", _("个人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        PUBLISHED = "published", _("已发布")
        REJECTED = "rejected", _("未通过")

    market = models.ForeignKey(
        "markets.Market", verbose_name=_("发布市场"), on_delete=models.PROTECT, related_name="employer_needs"
    )
    kind = models.CharField(_("用工主体类型"), max_length=12, choices=Kind.choices, default=Kind.ENTERPRISE)
    name = models.CharField(_("名称/姓名"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = PersonalField(_("联系手机"), lookup=True, db_index=True)

    trade = models.ForeignKey(
        "markets.Trade", verbose_name=_("工种"), on_delete=models.PROTECT, related_name="employer_needs"
    )
    headcount = models.PositiveSmallIntegerField(_("招用人数"), default=1)
    pay = models.DecimalField(_("报酬"), max_digits=8, decimal_places=2)
    pay_unit = models.CharField(_("计酬单位"), max_length=5, choices=PayUnit.choices, default=PayUnit.DAY)
    work_date = models.DateField(_("用工日期(起)"))
    work_date_end = models.DateField(_("用工日期(止)"), null=True, blank=True)
    start_time = models.TimeField(_("上工时间"), null=True, blank=True)
    end_time = models.TimeField(_("收工时间"), null=True, blank=True)
    place = models.CharField(_("工作地点"), max_length=200)
    requirements = models.TextField(_("要求"), blank=True)

    consent_version = models.CharField(_("个人信息告知版本"), max_length=20)
    consent_at = models.DateTimeField(_("同意时间"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = user_ref(_("审核人"))
    employer = models.ForeignKey(
        Employer, verbose_name=_("用工主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    posting = models.OneToOneField(
        Posting, verbose_name=_("用工需求"), null=True, blank=True, on_delete=models.PROTECT, related_name="need"
    )

    objects = EmployerNeedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("网上招工申请")
        verbose_name_plural = _("网上招工申请")
        indexes = [
            models.Index(fields=["market", "status", "-submitted_at"], name="registry_need_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="registry_need_headcount_positive",
                violation_error_message="招用人数至少为1人。",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.trade} × {self.headcount}"

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def employer_kind(self):
        """The `Employer.Kind` the need registers as."""
        return {
            self.Kind.ENTERPRISE: Employer.Kind.ENTERPRISE,
            self.Kind.BUSINESS: Employer.Kind.BUSINESS,
            self.Kind.PERSON: Employer.Kind.PERSON,
        }[self.Kind(self.kind)]

    @property
    def last_work_date(self):
        return self.work_date_end or self.work_date

    def clean(self):
        errors = {}
        if self.kind == self.Kind.ENTERPRISE and not self.credit_code:
            errors["credit_code"] = "企业须填写统一社会信用代码。"
        if self.kind == self.Kind.PERSON and self.credit_code:
            errors["credit_code"] = "个人用工不填写统一社会信用代码。"
        if self.work_date_end and self.work_date and self.work_date_end < self.work_date:
            errors["work_date_end"] = "结束日期不能早于开始日期。"
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "收工时间应晚于上工时间。"
        if errors:
            raise ValidationError(errors)


class AssistanceService(models.TextChoices):
    """The service items of 个性化就业援助 (notice 七)."""

    GUIDANCE = "guidance", _("职业指导")
    JOB_REFERRAL = "job_referral", _("岗位推荐")
    TRAINING = "training", _("技能培训")
    PUBLIC_POST = "public_post", _("公益性岗位")
    STARTUP = "startup", _("创业指导")
    COUNSELLING = "counselling", _("心理疏导")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")


class AssistancePlan(ChoiceLabels, models.Model):
    """个性化就业援助 (notice 七): one worker's case, owned by a named staff member.

    Steps (`AssistanceStep`) are the service items with due dates; notes
    (`AssistanceNote`) are case notes and follow-ups. Closing records the outcome (就业 /
    创业 / 公益性岗位 / 退出, the last with a reason); a closed plan is read-only and keeps
    its history. A worker has at most one open plan (a partial unique index).
    Writes: `registry.assistance`.
    """

    scope_county_path = "worker__county"

    class Status(models.TextChoices):
        OPEN = "open", _("援助中")
        CLOSED = "closed", _("已结案")

    class Outcome(models.TextChoices):
        EMPLOYED = "employed", _("就业")
        STARTUP = "startup", _("创业")
        PUBLIC_POST = "public_post", _("公益性岗位")
        EXITED = "exited", _("退出")

    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), on_delete=models.PROTECT, related_name="assistance_plans"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="assistance_plans"
    )
    goal = models.CharField(_("援助目标"), max_length=200)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("建档日期"), default=timezone.localdate)
    opened_by = user_ref(_("建档人"))
    outcome = models.CharField(_("结案结果"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("结案说明"), max_length=200, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closed_by = user_ref(_("结案人"))

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("就业援助计划")
        verbose_name_plural = _("就业援助计划")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status="open"),
                name="registry_assistance_one_open_plan",
                violation_error_message="该零工已有进行中的就业援助计划。",
            ),
            models.CheckConstraint(
                condition=Q(status="open", outcome="", closed_on__isnull=True)
                | (Q(status="closed", closed_on__isnull=False) & ~Q(outcome="")),
                name="registry_assistance_closed_has_outcome",
                violation_error_message="结案须填写结案结果和日期。",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="exited") | ~Q(outcome_note=""),
                name="registry_assistance_exit_has_reason",
                violation_error_message="退出须填写原因。",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="registry_assistance_owner")]

    def __str__(self):
        return f"{self.worker} · 就业援助计划"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class AssistanceStep(ChoiceLabels, models.Model):
    """One service item of a plan: what, by when, and when it was done."""

    scope_county_path = "plan__worker__county"

    plan = models.ForeignKey(AssistancePlan, verbose_name=_("援助计划"), on_delete=models.PROTECT, related_name="steps")
    service = models.CharField(_("服务项目"), max_length=16, choices=AssistanceService.choices)
    detail = models.CharField(_("具体内容"), max_length=200, blank=True)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=200, blank=True)
    created_by = user_ref(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("援助服务项目")
        verbose_name_plural = _("援助服务项目")
        indexes = [models.Index(fields=["done_on", "due_on"], name="registry_assist_step_due")]

    def __str__(self):
        return f"{self.get_service_display()} · {self.due_on:%Y-%m-%d}"

    def state_on(self, day):
        """已完成, 今日到期, 已逾期 or 未到期 on `day`."""
        if self.done_on:
            return "done"
        if self.due_on == day:
            return "due"
        return "overdue" if self.due_on < day else "pending"


class AssistanceNote(ChoiceLabels, models.Model):
    """A case note or follow-up (跟踪回访) on a plan."""

    scope_county_path = "plan__worker__county"

    class Kind(models.TextChoices):
        NOTE = "note", _("个案记录")
        FOLLOW_UP = "follow_up", _("跟踪回访")

    plan = models.ForeignKey(AssistancePlan, verbose_name=_("援助计划"), on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    on = models.DateField(_("日期"), default=timezone.localdate)
    text = models.TextField(_("内容"), max_length=1000)
    by = user_ref(_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("援助记录")
        verbose_name_plural = _("援助记录")

    def __str__(self):
        return f"{self.get_kind_display()} {self.on:%Y-%m-%d}"


class AssistanceReminder(models.Model):
    """One reminder of one due or overdue step on one day: the claim that keeps it to once."""

    step = models.ForeignKey(AssistanceStep, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "day"], name="registry_assist_reminder_once")]

    def __str__(self):
        return f"{self.step_id}@{self.day}"


class InsuranceEnrolment(ChoiceLabels, models.Model):
    """A worker's 新就业形态灵活就业意外伤害保险 enrolment: insurer, policy, dates, premium.

    Recorded for a period, or for one match (`matching.Match.insurance` points here, the
    period then being the match's work dates). The 意外伤害保险补贴 rule
    (`registry.subsidies`) needs an enrolment covering the subsidy year.
    Writes: `registry.insurance.enrolment_record`.
    """

    scope_county_path = "worker__county"

    worker = models.ForeignKey(
        Worker, verbose_name=_("零工"), on_delete=models.PROTECT, related_name="insurance_enrolments"
    )
    insurer = models.CharField(_("保险公司"), max_length=100)
    policy_no = models.CharField(_("保单号"), max_length=60)
    starts_on = models.DateField(_("保险起期"))
    ends_on = models.DateField(_("保险止期"))
    premium = models.DecimalField(_("保费(元)"), max_digits=8, decimal_places=2)
    for_match = models.BooleanField(_("按单次用工投保"), default=False, editable=False)
    created_by = user_ref(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("意外伤害保险参保记录")
        verbose_name_plural = _("意外伤害保险参保记录")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "policy_no"],
                name="registry_insurance_policy_once",
                violation_error_message="该零工已登记过此保单号。",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="registry_insurance_dates_in_order",
                violation_error_message="保险止期不能早于起期。",
            ),
            models.CheckConstraint(
                condition=Q(premium__gte=0),
                name="registry_insurance_premium_not_negative",
                violation_error_message="保费不能为负数。",
            ),
        ]
        indexes = [models.Index(fields=["worker", "starts_on"], name="registry_insurance_worker")]

    def __str__(self):
        return f"{self.insurer} {self.policy_no}"

    def covers(self, day):
        return self.starts_on <= day <= self.ends_on

    @classmethod
    def overlapping_q(cls, start, end):
        """Enrolments in force on some day of [start, end]."""
        return Q(starts_on__lte=end, ends_on__gte=start)
