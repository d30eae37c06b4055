"""零工市场 records, their opening hours and history, and the shared occupation list.

A market's zones, windows, areas and facilities (notice 三.3, 二.2, 二.3) are plain
boolean fields, declared once in `FEATURES` (field name, Chinese label, group), so the
form, the 附件1 column, the import parser and the standard check all read one list.
"""

import functools

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gigmarket.core import contact
from gigmarket.core.choices import ChoiceLabels
from gigmarket.core.models import Division, user_ref
from gigmarket.core.pii import PiiColumns, mask_phone
from gigmarket.core.pii_fields import PersonalField

WEEKDAY_LABELS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


class Trade(models.Model):
    """One occupation / trade a gig market serves. Shared by every app."""

    code = models.CharField(
        _("代码"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]+$", "代码只能包含大写字母、数字和连字符。")],
    )
    name = models.CharField(_("名称"), max_length=40, unique=True)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("职业(工种)")
        verbose_name_plural = _("职业(工种)")

    def __str__(self):
        return self.name


class Feature:
    """One zone, window, area or facility a market may have (a boolean field on Market)."""

    ZONE = "zone"
    WINDOW = "window"
    AREA = "area"
    FACILITY = "facility"
    GROUP_LABELS = {
        ZONE: "功能区域",
        WINDOW: "综合服务区窗口",
        AREA: "零工待工区功能区域",
        FACILITY: "设施用品",
    }

    def __init__(self, field, label, group):
        self.field = field
        self.label = label
        self.group = group

    def __repr__(self):
        return f"Feature({self.field!r})"


# Declared once. Order is the order shown on forms, pages and in the 附件1 column.
FEATURES = [
    Feature("zone_service", "综合服务区", Feature.ZONE),
    Feature("zone_waiting", "零工待工区", Feature.ZONE),
    Feature("zone_living", "生活服务区", Feature.ZONE),
    Feature("window_registration", "求职(用工)登记窗口", Feature.WINDOW),
    Feature("window_training", "技能培训窗口", Feature.WINDOW),
    Feature("window_rights", "劳动维权窗口", Feature.WINDOW),
    Feature("window_policy", "政策咨询窗口", Feature.WINDOW),
    Feature("area_negotiation", "劳务交易洽谈区", Feature.AREA),
    Feature("area_information", "求职用工信息发布区", Feature.AREA),
    Feature("fac_temperature", "防疫测温", Feature.FACILITY),
    Feature("fac_rest", "休息等候", Feature.FACILITY),
    Feature("fac_water", "饮水", Feature.FACILITY),
    Feature("fac_first_aid", "急救药箱", Feature.FACILITY),
    Feature("fac_publicity", "宣传资料/政策手册", Feature.FACILITY),
    Feature("fac_hotline_posted", "服务热线公示", Feature.FACILITY),
    Feature("fac_desks", "写字桌椅", Feature.FACILITY),
    Feature("fac_shelter", "遮风避雨", Feature.FACILITY),
    Feature("fac_heat_cold", "防暑防寒", Feature.FACILITY),
    Feature("fac_parking", "规范停车", Feature.FACILITY),
    Feature("fac_order", "秩序维护", Feature.FACILITY),
    Feature("fac_cctv", "监控设备", Feature.FACILITY),
    Feature("fac_security", "保安/值班室", Feature.FACILITY),
    Feature("fac_shop_food", "超市/餐饮", Feature.FACILITY),
]
FEATURES_BY_FIELD = {f.field: f for f in FEATURES}
FEATURE_FIELDS = [f.field for f in FEATURES]


def _feature(field):
    return models.BooleanField(FEATURES_BY_FIELD[field].label, default=False)


# The published contact numbers and what each may hold (notice 九 asks for 联系方式).
# 联系电话 is a number one can call back; 服务热线 and 投诉电话 may also be a
# service number such as 12333 or 12345.
PHONE_KINDS = {
    "contact_phone": contact.DIRECT_KINDS,
    "hotline": contact.ALL_KINDS,
    "complaint_phone": contact.ALL_KINDS,
}
PERSON_NAME_FIELDS = ("contact_person",)
ORG_NAME_FIELDS = ("construction_unit", "maintenance_unit", "service_unit", "operator")
CHECKED_TEXT_FIELDS = (*PHONE_KINDS, *PERSON_NAME_FIELDS, *ORG_NAME_FIELDS)


def normalize_market_text(field, value):
    """The stored form of a market's phone or name field, or ValidationError (Chinese message).

    One rule for the form, the model and the 附件1 import.
    """
    label = str(Market._meta.get_field(field).verbose_name)
    if field in PHONE_KINDS:
        return contact.normalize_phone(value, kinds=PHONE_KINDS[field], label=label, required=False)
    if field in PERSON_NAME_FIELDS:
        return contact.validate_person_name(value, label=label, required=False)
    return contact.validate_org_name(value, label=label, required=False)


class Market(ChoiceLabels, models.Model):
    """A 零工市场 (or a township 零工驿站) under one county.

    The name follows the provincial convention and is built from the county, the kind
    and the industry / township; it is never typed by hand. A closed market keeps its
    row (status 已撤销 with the date); markets are never deleted.
    """

    scope_county_path = "county"
    scope_market_path = "pk"

    class Kind(models.TextChoices):
        GENERAL = "general", _("综合")
        INDUSTRY = "industry", _("行业")
        STATION = "station", _("零工驿站")

    class Status(models.TextChoices):
        PLANNING = "planning", _("筹建中")
        OPERATING = "operating", _("运营中")
        SUSPENDED = "suspended", _("暂停")
        CLOSED = "closed", _("已撤销")

    class Nature(models.TextChoices):
        PUBLIC = "public", _("公益性")
        COMMERCIAL = "commercial", _("市场化")

    class Basis(models.TextChoices):
        PUBLIC_HR_MARKET = "public_hr", _("公共人力资源市场")
        INDUSTRIAL_PARK = "park", _("工业园区")
        COMMUNITY = "community", _("社区公共就业服务平台")
        TOWNSHIP = "township", _("乡镇农村劳动力市场")
        PRIVATE_AGENCY = "private", _("民办人力资源服务机构")
        NEW_BUILD = "new", _("新建")
        GATHERING_POINT = "gathering", _("自发聚集点改造")

    name = models.CharField(_("名称"), max_length=100, unique=True, editable=False)
    county = models.ForeignKey(
        Division,
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="markets",
        limit_choices_to={"level": Division.Level.COUNTY},
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    industry = models.CharField(_("行业"), max_length=20, blank=True, help_text=_("行业零工市场填写，如“建筑”。"))
    township = models.CharField(_("乡镇(街道)"), max_length=30, blank=True, help_text=_("零工驿站所在乡镇(街道)。"))
    nature = models.CharField(_("性质"), max_length=12, choices=Nature.choices, default=Nature.PUBLIC)
    integrity_listed = models.BooleanField(
        _("诚信运营"), default=False, help_text=_("市场化零工市场经认定诚信运营、列入名录的勾选。")
    )
    basis = models.CharField(_("依托"), max_length=12, choices=Basis.choices, blank=True)

    # Responsible units (notice 二.2) and operator.
    construction_unit = models.CharField(_("建设责任单位"), max_length=100, blank=True)
    maintenance_unit = models.CharField(_("管护责任单位"), max_length=100, blank=True)
    service_unit = models.CharField(_("服务保障责任单位"), max_length=100, blank=True)
    operator = models.CharField(_("运营单位"), max_length=100, blank=True)

    # Published contacts (notice 九).
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    hotline = models.CharField(_("服务热线"), max_length=30, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=30, blank=True)

    # Site (notice 三.2).
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(103), MaxValueValidator(110)],
        help_text=_("贵州省范围约 103~110。"),
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(24), MaxValueValidator(30)],
        help_text=_("贵州省范围约 24~30。"),
    )
    near_gathering_point = models.BooleanField(_("靠近零工揽活聚集点"), default=False)
    transport_notes = models.CharField(_("交通指引"), max_length=200, blank=True)

    # Status with dates.
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNING, db_index=True)
    opened_on = models.DateField(_("投入运营日期"), null=True, blank=True)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)

    sign_hung = models.BooleanField(_("已悬挂统一标识"), default=False)
    trades = models.ManyToManyField(Trade, verbose_name=_("服务工种"), related_name="markets", blank=True)
    remarks = models.CharField(_("备注"), max_length=200, blank=True)

    # Zones, windows, areas and facilities: see FEATURES.
    zone_service = _feature("zone_service")
    zone_waiting = _feature("zone_waiting")
    zone_living = _feature("zone_living")
    window_registration = _feature("window_registration")
    window_training = _feature("window_training")
    window_rights = _feature("window_rights")
    window_policy = _feature("window_policy")
    area_negotiation = _feature("area_negotiation")
    area_information = _feature("area_information")
    fac_temperature = _feature("fac_temperature")
    fac_rest = _feature("fac_rest")
    fac_water = _feature("fac_water")
    fac_first_aid = _feature("fac_first_aid")
    fac_publicity = _feature("fac_publicity")
    fac_hotline_posted = _feature("fac_hotline_posted")
    fac_desks = _feature("fac_desks")
    fac_shelter = _feature("fac_shelter")
    fac_heat_cold = _feature("fac_heat_cold")
    fac_parking = _feature("fac_parking")
    fac_order = _feature("fac_order")
    fac_cctv = _feature("fac_cctv")
    fac_security = _feature("fac_security")
    fac_shop_food = _feature("fac_shop_food")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("零工市场")
        verbose_name_plural = _("零工市场")
        indexes = [models.Index(fields=["county", "status"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.build_name()
        super().save(*args, **kwargs)
        self._stored_text = {f: getattr(self, f) for f in CHECKED_TEXT_FIELDS}

    @classmethod
    def from_db(cls, db, field_names, values):
        market = super().from_db(db, field_names, values)
        # The phone and name fields as stored, so clean() checks only what a write changes:
        # a market saved before these checks can still be closed without retyping them.
        market._stored_text = {f: getattr(market, f) for f in CHECKED_TEXT_FIELDS if f in market.__dict__}
        return market

    def stored_text_errors(self):
        """{field: [messages]} for the phone and name fields as they are now (also unchanged ones)."""
        errors = {}
        for field in CHECKED_TEXT_FIELDS:
            try:
                normalize_market_text(field, getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.messages
        return errors

    def _valid_phone(self, field):
        return contact.valid_phone_or_blank(getattr(self, field), kinds=PHONE_KINDS[field])

    @property
    def valid_contact_phone(self):
        """联系电话 in its display form, or "" if it is empty or not a valid number."""
        return self._valid_phone("contact_phone")

    @property
    def valid_hotline(self):
        return self._valid_phone("hotline")

    @property
    def valid_complaint_phone(self):
        return self._valid_phone("complaint_phone")

    @property
    def valid_contact_person(self):
        try:
            return contact.validate_person_name(self.contact_person, required=False)
        except ValidationError:
            return ""

    def build_name(self):
        """贵州省{市州}{县区}({行业}行业)零工市场, or …{乡镇}零工驿站 for a township station."""
        county = self.county
        city = county.parent
        prefix = f"贵州省{city.short_name}{county.short_name}"
        if self.kind == self.Kind.STATION:
            return f"{prefix}{self.township}零工驿站"
        if self.kind == self.Kind.INDUSTRY:
            industry = self.industry.removesuffix("行业")
            return f"{prefix}({industry}行业)零工市场"
        return f"{prefix}零工市场"

    def clean(self):
        errors = {}
        stored = getattr(self, "_stored_text", {})
        for field in CHECKED_TEXT_FIELDS:
            value = getattr(self, field)
            if field in stored and value == stored[field]:
                continue
            try:
                setattr(self, field, normalize_market_text(field, value))
            except ValidationError as exc:
                errors[field] = exc.messages
        self.industry = (self.industry or "").strip()
        self.township = (self.township or "").strip()
        if self.kind == self.Kind.INDUSTRY and not self.industry.removesuffix("行业"):
            errors["industry"] = "行业零工市场必须填写行业，如“建筑”。"
        if self.kind != self.Kind.INDUSTRY:
            self.industry = ""
        if self.kind == self.Kind.STATION and not self.township:
            errors["township"] = "零工驿站必须填写所在乡镇(街道)。"
        if self.kind != self.Kind.STATION:
            self.township = ""
        if self.nature != self.Nature.COMMERCIAL:
            self.integrity_listed = False
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude"] = "经度和纬度需同时填写。"
        if self.status == self.Status.CLOSED and not self.closed_on:
            errors["closed_on"] = "已撤销的零工市场必须填写撤销日期。"
        if self.status != self.Status.CLOSED:
            self.closed_on = None
        if errors:
            raise ValidationError(errors)
        if self.county_id:
            name = self.build_name()
            if Market.objects.filter(name=name).exclude(pk=self.pk).exists():
                raise ValidationError(f"已存在同名零工市场“{name}”，同一县区不能重复设立。")
            self.name = name

    @property
    def is_public(self):
        return self.status == self.Status.OPERATING

    @property
    def features(self):
        """The zones, windows, areas and facilities this market has, in FEATURES order."""
        return [f for f in FEATURES if getattr(self, f.field)]

    @property
    def kind_label(self):
        """综合 / 行业（建筑） / 零工驿站（花溪镇）: the 类型/行业 column of 附件1."""
        return kind_label(self.kind, self.industry, self.township)


def kind_label(kind, industry, township):
    """`Market.kind_label` from the three stored values (the 附件1 rows read them without a model)."""
    if kind == Market.Kind.INDUSTRY:
        return f"行业（{industry.removesuffix('行业')}）"
    if kind == Market.Kind.STATION:
        return f"零工驿站（{township}）"
    return "综合"


def validate_weekdays(value):
    if not value or any(ch not in "1234567" for ch in value) or len(set(value)) != len(value):
        raise ValidationError("请至少选择一天（周一至周日）。")


class OpeningPeriod(models.Model):
    """One opening period: on `weekdays` (ISO digits, "12345" = 周一至周五) from opens to closes.

    Several periods a day are allowed (e.g. 06:00-12:00 and 14:00-18:00).
    """

    scope_county_path = "market__county"
    scope_market_path = "market"

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="opening_periods")
    weekdays = models.CharField(_("星期"), max_length=7, validators=[validate_weekdays])
    opens = models.TimeField(_("开始时间"))
    closes = models.TimeField(_("结束时间"))

    class Meta:
        ordering = ["market", "opens", "weekdays"]
        verbose_name = _("运行时间")
        verbose_name_plural = _("运行时间")

    def __str__(self):
        return f"{weekdays_text(self.weekdays)} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        if self.weekdays:
            self.weekdays = "".join(sorted(set(self.weekdays)))
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": "结束时间必须晚于开始时间。"})


@functools.cache
def weekdays_text(digits):
    """'12345' → 周一至周五; '67' → 周六、周日; '1234567' → 每天."""
    days = sorted({int(d) for d in digits})
    if days == list(range(1, 8)):
        return "每天"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAY_LABELS[days[0]]}至{WEEKDAY_LABELS[days[-1]]}"
    return "、".join(WEEKDAY_LABELS[d] for d in days)


def hours_text(periods):
    """A market's opening periods as one line, e.g. 周一至周五 06:00-12:00、14:00-18:00；周六 07:00-11:00."""
    return hours_line([(p.weekdays, p.opens, p.closes) for p in periods])


def hours_line(spans):
    """`hours_text` of (weekdays, opens, closes) tuples (the 附件1 rows read them without models)."""
    by_days = {}
    for weekdays, opens, closes in sorted(spans, key=lambda span: (span[1], span[0], span[2])):
        by_days.setdefault(weekdays, []).append(f"{opens:%H:%M}-{closes:%H:%M}")
    ordered = sorted(by_days.items(), key=lambda item: (item[0][0], -len(item[0])))
    return "；".join(f"{weekdays_text(days)} {'、'.join(times)}" for days, times in ordered)


class MarketVersion(ChoiceLabels, models.Model):
    """The full state of a market after one change: who, when, what.

    Written in the same transaction as every create/update/close, so "the registry as
    it stood on a date" is the latest version per market up to that date
    (`selectors.markets_as_of`). `snapshot` holds the model fields, the trades, the
    opening periods and the 附件1 row (`snapshot["row"]`, see attachment1.market_row).
    """

    scope_county_path = "market__county"
    scope_market_path = "market"

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        CLOSE = "close", _("撤销")
        IMPORT = "import", _("导入")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "gigmarket.User", verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Market.Status.choices)
    changed_fields = models.JSONField(_("变更字段"), default=list, blank=True)
    snapshot = models.JSONField(_("快照"), default=dict)

    class Meta:
        ordering = ["market", "-number"]
        verbose_name = _("零工市场历史版本")
        verbose_name_plural = _("零工市场历史版本")
        constraints = [models.UniqueConstraint(fields=["market", "number"], name="market_version_unique_number")]
        indexes = [models.Index(fields=["county", "created_at"])]

    def __str__(self):
        return f"{self.market_id} v{self.number}"


def standard_item_choices():
    """(key, label) of every item of the provincial standard (`standards.ITEMS`), in its order."""
    from .standards import ITEMS  # noqa: PLC0415 - cycle: standards.py reads Market from this module

    return [(item.key, item.label) for item in ITEMS]


class Rectification(ChoiceLabels, models.Model):
    """A 整改 record: one unmet item of the provincial standard at one market, with a
    deadline, a responsible person and photo evidence, until the item is met or it is closed.

    At most one open record per market and item (a partial unique constraint). Written only
    through `markets.rectification`; a market update that makes the item pass closes it
    (整改项已达标) in the same transaction.
    """

    scope_county_path = "market__county"
    scope_market_path = "market"
    AUDIT_MASKED_FIELDS = ("responsible_phone", "responsible_phone_encrypted")
    PII_COLUMNS = PiiColumns(encrypted=("responsible_phone_encrypted",))

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已关闭")

    class CloseReason(models.TextChoices):
        MET = "met", _("整改项已达标")
        MANUAL = "manual", _("人工关闭")
        MARKET_CLOSED = "market_closed", _("零工市场已撤销")

    market = models.ForeignKey(
        Market, verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="rectifications"
    )
    item = models.CharField(_("整改项目"), max_length=30, choices=standard_item_choices)
    deadline = models.DateField(_("整改期限"))
    responsible_person = models.CharField(_("整改责任人"), max_length=40)
    responsible_phone = PersonalField(_("责任人电话"), blank=True)
    note = models.TextField(_("整改要求"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    opened_by = user_ref(_("发起人"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = user_ref(_("关闭人"))
    close_reason = models.CharField(_("关闭原因"), max_length=15, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(_("关闭说明"), max_length=200, blank=True)
    # The claim of the overdue notice (reporting.services.reminders_send): set once, by a
    # conditional UPDATE, in the transaction that creates the notifications. A new deadline
    # clears it, so a record overdue again after an extension is notified again.
    overdue_notified_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        constraints = [
            models.UniqueConstraint(
                fields=["market", "item"],
                condition=models.Q(status="open"),
                name="markets_rectification_one_open",
                violation_error_message="该项目已有进行中的整改记录，请在原记录中跟进。",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="markets_rect_status_deadline")]

    def __str__(self):
        return f"{self.market.name} · {self.get_item_display()}"

    def get_absolute_url(self):
        return reverse("markets:rectification_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def clean(self):
        errors = {}
        try:
            self.responsible_person = contact.validate_person_name(self.responsible_person, label="整改责任人")
        except ValidationError as exc:
            errors["responsible_person"] = exc.messages
        try:
            self.responsible_phone = contact.normalize_phone(
                self.responsible_phone, kinds=contact.PERSONAL_KINDS, label="责任人电话", required=False
            )
        except ValidationError as exc:
            errors["responsible_phone"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def days_overdue(self, today=None):
        """Whole days past the deadline for an open record (0 if not overdue or closed)."""
        if not self.is_open:
            return 0
        today = today or timezone.localdate()
        return max((today - self.deadline).days, 0)

    @property
    def masked_phone(self):
        return mask_phone(self.responsible_phone)


class RectificationEvidence(ChoiceLabels, models.Model):
    """A photo proving a 整改 (a checked JPEG or PNG on the default storage, served only
    through the scoped view `markets:rectification_photo`)."""

    scope_county_path = "rectification__market__county"
    scope_market_path = "rectification__market"

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改记录"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.CharField(_("文件"), max_length=300, editable=False)  # a default_storage name
    filename = models.CharField(_("原文件名"), max_length=100, blank=True)
    kind = models.CharField(_("图片格式"), max_length=4, choices=[("jpeg", "JPEG"), ("png", "PNG")])
    size = models.PositiveIntegerField(_("文件大小(字节)"))
    width = models.PositiveIntegerField(_("宽度(像素)"))
    height = models.PositiveIntegerField(_("高度(像素)"))
    caption = models.CharField(_("照片说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    uploaded_by = user_ref(_("上传人"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("整改佐证照片")
        verbose_name_plural = _("整改佐证照片")

    def __str__(self):
        return self.caption or self.filename or f"照片{self.pk}"

    @property
    def content_type(self):
        return "image/png" if self.kind == "png" else "image/jpeg"
