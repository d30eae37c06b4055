"""即时快招 on site (notice 五.1), priority matching (七) and rights protection (八).

- `Match`: one worker brought together with one posting by a clerk, from 洽谈中 to
  已完工 (or 未到岗 / 已取消). Every transition is a `MatchEvent` row (who, when, why)
  and a timestamp on the match (for the same-day numbers). Transitions only happen
  in `matching.services`, which lock the posting row (headcount) and the worker row
  (no double booking) before counting.
- `RightsCase` with dated `RightsCaseNote`s: 劳动维权 window cases. An open 欠薪 case
  flags the employer wherever a clerk posts for it or matches to it.
- `Placement` with `PlacementFollowUp`s: 公益性岗位 for hard-to-employ workers.
"""

import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gigmarket.core.choices import ChoiceLabels
from gigmarket.core.models import Division, user_ref
from gigmarket.core.pii import PiiColumns, mask_phone
from gigmarket.core.pii_fields import PersonalField, hash_value
from registry.models import PayUnit


class MatchState(models.TextChoices):
    NEGOTIATING = "negotiating", _("洽谈中")
    CONFIRMED = "confirmed", _("已确认")
    ONBOARD = "onboard", _("已到岗")
    COMPLETED = "completed", _("已完工")
    NO_SHOW = "no_show", _("未到岗")
    CANCELLED = "cancelled", _("已取消")


# Bootstrap badge colour of each state (lists and the match page).
STATE_BADGES = {
    MatchState.NEGOTIATING: "text-bg-info",
    MatchState.CONFIRMED: "text-bg-primary",
    MatchState.ONBOARD: "text-bg-success",
    MatchState.COMPLETED: "text-bg-secondary",
}

# States that take one of the posting's places and book the worker's day.
HOLDING_STATES = (MatchState.CONFIRMED, MatchState.ONBOARD, MatchState.COMPLETED)
# States in which the worker is still attached to the posting (one live match per pair).
LIVE_STATES = (MatchState.NEGOTIATING, *HOLDING_STATES)
# The state machine: from → allowed targets.
TRANSITIONS = {
    MatchState.NEGOTIATING: (MatchState.CONFIRMED, MatchState.CANCELLED),
    MatchState.CONFIRMED: (MatchState.ONBOARD, MatchState.NO_SHOW, MatchState.CANCELLED),
    MatchState.ONBOARD: (MatchState.COMPLETED,),
    MatchState.COMPLETED: (),
    MatchState.NO_SHOW: (),
    MatchState.CANCELLED: (),
}
# Targets that need a reason from the clerk.
REASON_REQUIRED = (MatchState.CANCELLED, MatchState.NO_SHOW)
# The timestamp field set when a match enters a state.
STATE_TIMESTAMP = {
    MatchState.CONFIRMED: "confirmed_at",
    MatchState.ONBOARD: "onboarded_at",
    MatchState.COMPLETED: "completed_at",
    MatchState.NO_SHOW: "ended_at",
    MatchState.CANCELLED: "ended_at",
}
# Button labels for the one-click transitions.
ACTION_LABELS = {
    MatchState.CONFIRMED: "确认用工",
    MatchState.ONBOARD: "登记到岗",
    MatchState.COMPLETED: "登记完工",
    MatchState.NO_SHOW: "登记未到岗",
    MatchState.CANCELLED: "取消",
}


class Match(ChoiceLabels, models.Model):
    """A worker brought together with a posting at the market (现场对接洽谈)."""

    scope_county_path = "market__county"
    scope_market_path = "market"

    State = MatchState

    posting = models.ForeignKey(
        "registry.Posting", verbose_name=_("用工需求"), on_delete=models.PROTECT, related_name="matches"
    )
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("零工"), on_delete=models.PROTECT, related_name="matches"
    )
    employer = models.ForeignKey(
        "registry.Employer", verbose_name=_("用工主体"), on_delete=models.PROTECT, related_name="matches"
    )
    market = models.ForeignKey(
        "markets.Market", verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="matches"
    )
    state = models.CharField(_("状态"), max_length=12, choices=MatchState.choices, default=MatchState.NEGOTIATING)
    agreed_pay = models.DecimalField(_("约定报酬"), max_digits=8, decimal_places=2)
    pay_unit = models.CharField(_("计酬单位"), max_length=5, choices=PayUnit.choices, default=PayUnit.DAY)
    work_date = models.DateField(_("用工日期(起)"))
    work_date_end = models.DateField(_("用工日期(止)"))
    start_time = models.TimeField(_("上工时间"), null=True, blank=True)
    end_time = models.TimeField(_("收工时间"), null=True, blank=True)
    insured = models.BooleanField(
        _("已参加意外伤害保险"), default=False, help_text=_("对接时零工是否已参加新就业形态灵活就业意外伤害保险。")
    )
    insurance = models.ForeignKey(
        "registry.InsuranceEnrolment",
        verbose_name=_("本次用工意外伤害保险"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
        editable=False,
    )
    idempotency_key = models.UUIDField(_("提交标识"), unique=True, default=uuid.uuid4, editable=False)
    reason = models.CharField(_("取消/未到岗原因"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("对接时间"), default=timezone.now)
    created_by = user_ref(_("经办人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    onboarded_at = models.DateTimeField(_("到岗时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("取消/未到岗时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "worker"],
                condition=Q(state__in=[s.value for s in LIVE_STATES]),
                name="matching_match_one_live_per_pair",
                violation_error_message="该零工已在对接此用工需求。",
            ),
            models.CheckConstraint(
                condition=Q(work_date_end__gte=models.F("work_date")),
                name="matching_match_dates_ordered",
                violation_error_message="结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                condition=Q(agreed_pay__gte=0),
                name="matching_match_pay_not_negative",
                violation_error_message="约定报酬不能为负数。",
            ),
        ]
        indexes = [
            # The match list in its own order (-created_at, -id): the whole province, and a
            # window clerk's market (also the board and the per-market numbers).
            models.Index(fields=["-created_at", "-id"], name="matching_match_recent"),
            models.Index(fields=["market", "-created_at", "-id"], name="matching_match_market_created"),
            models.Index(fields=["market", "state", "work_date"], name="matching_match_market_state"),
            # Headcount count under the posting lock.
            models.Index(fields=["posting", "state"], name="matching_match_posting_state"),
            # "Is this worker already booked that day?" for confirmation and candidate ranking.
            models.Index(
                fields=["worker", "work_date", "work_date_end"],
                condition=Q(state__in=["confirmed", "onboard", "completed"]),
                name="matching_match_worker_booked",
            ),
            models.Index(fields=["employer", "state"], name="matching_match_employer_state"),
            models.Index(fields=["confirmed_at"], name="matching_match_confirmed_at"),
        ]

    def __str__(self):
        return f"{self.worker} → {self.posting}"

    @property
    def is_holding(self):
        return self.state in HOLDING_STATES

    @property
    def allowed_targets(self):
        return TRANSITIONS[MatchState(self.state)]

    def actions(self):
        """(state, button label) for the one-click transitions open from here."""
        return [(target.value, ACTION_LABELS[target]) for target in self.allowed_targets]

    @property
    def state_badge(self):
        """The badge class of the state (未到岗 and 已取消 warn)."""
        return STATE_BADGES.get(self.state, "text-bg-warning")

    @property
    def is_multi_day(self):
        return self.work_date_end != self.work_date


class MatchEvent(ChoiceLabels, models.Model):
    """One transition of a match: from, to, when, by whom, why."""

    scope_county_path = "match__market__county"
    scope_market_path = "match__market"

    match = models.ForeignKey(Match, verbose_name=_("对接记录"), on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=12, choices=MatchState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=MatchState.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = user_ref(_("经办人"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("对接状态变更")
        verbose_name_plural = _("对接状态变更")

    def __str__(self):
        return f"{self.get_from_state_display() or '新建'} → {self.get_to_state_display()}"


class RightsCase(ChoiceLabels, models.Model):
    """A case received at a market's 劳动维权 window (notice 八)."""

    scope_county_path = "market__county"
    scope_market_path = "market"

    class Kind(models.TextChoices):
        WAGES = "wages", _("欠薪")
        INJURY = "injury", _("工伤/意外")
        DISCRIMINATION = "discrimination", _("就业歧视")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        RECEIVED = "received", _("受理")
        MEDIATING = "mediating", _("调解中")
        RESOLVED = "resolved", _("已解决")
        TRANSFERRED = "transferred", _("已移交劳动监察")

    OPEN_STATES = (State.RECEIVED, State.MEDIATING)
    TRANSITIONS = {
        State.RECEIVED: (State.MEDIATING, State.RESOLVED, State.TRANSFERRED),
        State.MEDIATING: (State.RESOLVED, State.TRANSFERRED),
        State.RESOLVED: (),
        State.TRANSFERRED: (),
    }
    # Kinds that must name the employer.
    EMPLOYER_REQUIRED = (Kind.WAGES, Kind.INJURY)

    market = models.ForeignKey(
        "markets.Market", verbose_name=_("受理市场"), on_delete=models.PROTECT, related_name="rights_cases"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("零工"), on_delete=models.PROTECT, related_name="rights_cases"
    )
    employer = models.ForeignKey(
        "registry.Employer",
        verbose_name=_("用工主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rights_cases",
    )
    match = models.ForeignKey(
        Match,
        verbose_name=_("相关对接记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rights_cases",
    )
    summary = models.TextField(_("情况说明"))
    amount_owed = models.DecimalField(_("涉及金额(元)"), max_digits=10, decimal_places=2, default=0)
    amount_recovered = models.DecimalField(_("已追回金额(元)"), max_digits=10, decimal_places=2, default=0)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.RECEIVED)
    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = user_ref(_("受理人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("维权案件")
        verbose_name_plural = _("维权案件")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_owed__gte=0) & Q(amount_recovered__gte=0),
                name="matching_case_amounts_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "state", "-received_on"], name="matching_case_market_state"),
            # The 欠薪 flag: open wage cases of an employer.
            models.Index(
                fields=["employer"],
                condition=Q(kind="wages", state__in=["received", "mediating"]),
                name="matching_case_open_wages",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.worker}"

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def allowed_targets(self):
        return self.TRANSITIONS[self.State(self.state)]

    def clean(self):
        # Messages about the employer and the match are not tied to a field: forms look
        # those up from free text, so they have no `employer` / `match` field to attach to.
        errors = {}
        general = []
        if self.kind in self.EMPLOYER_REQUIRED and not self.employer_id:
            general.append("欠薪和工伤/意外案件须填写用工主体。")
        if self.match_id and self.worker_id and self.match.worker_id != self.worker_id:
            general.append("所选对接记录不是该零工的。")
        owed, recovered = self.amount_owed, self.amount_recovered
        if owed is not None and recovered is not None and recovered > owed:
            errors["amount_recovered"] = "已追回金额不能大于涉及金额。"
        if general:
            errors[NON_FIELD_ERRORS] = general
        if errors:
            raise ValidationError(errors)


class RightsCaseNote(models.Model):
    """A dated note on a case (调解经过、回访等)."""

    scope_county_path = "case__market__county"
    scope_market_path = "case__market"

    case = models.ForeignKey(RightsCase, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="notes")
    on = models.DateField(_("日期"), default=timezone.localdate)
    text = models.TextField(_("内容"))
    by = user_ref(_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")

    def __str__(self):
        return f"{self.on} {self.text[:20]}"


class Placement(ChoiceLabels, models.Model):
    """A 公益性岗位 placement for a hard-to-employ worker (notice 七)."""

    scope_county_path = "county"

    class Status(models.TextChoices):
        ACTIVE = "active", _("在岗")
        ENDED = "ended", _("已退出")

    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("零工"), on_delete=models.PROTECT, related_name="placements"
    )
    county = models.ForeignKey(
        Division, verbose_name=_("县(市、区)"), on_delete=models.PROTECT, related_name="matching_placements"
    )
    post = models.CharField(_("公益性岗位"), max_length=60)
    unit = models.CharField(_("用人单位"), max_length=100)
    start_date = models.DateField(_("上岗日期"))
    end_date = models.DateField(_("退出日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    monthly_pay = models.DecimalField(_("岗位补贴(元/月)"), max_digits=8, decimal_places=2, null=True, blank=True)
    next_follow_up = models.DateField(_("下次跟踪回访日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_by = user_ref(_("经办人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("公益性岗位安置")
        verbose_name_plural = _("公益性岗位安置")
        indexes = [
            models.Index(fields=["county", "status", "next_follow_up"], name="matching_placement_followup"),
        ]

    def __str__(self):
        return f"{self.worker} · {self.post}"

    def clean(self):
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "退出日期不能早于上岗日期。"
        if self.status == self.Status.ENDED and not self.end_date:
            errors["end_date"] = "已退出的安置须填写退出日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def follow_up_due(self):
        return (
            self.status == self.Status.ACTIVE
            and self.next_follow_up is not None
            and self.next_follow_up <= timezone.localdate()
        )


class PlacementFollowUp(models.Model):
    """A dated follow-up (跟踪回访) of a placement."""

    scope_county_path = "placement__county"

    placement = models.ForeignKey(
        Placement, verbose_name=_("安置"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    on = models.DateField(_("回访日期"), default=timezone.localdate)
    text = models.TextField(_("回访情况"))
    by = user_ref(_("回访人"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("跟踪回访")
        verbose_name_plural = _("跟踪回访")

    def __str__(self):
        return f"{self.on} {self.text[:20]}"


class ArrearsOverride(models.Model):
    """County staff let an employer with open 欠薪 cases post and be confirmed again (八).

    An employer with an open 欠薪 case is blocked (`matching.arrears`): no new posting is
    published and no match is confirmed. County staff of the employer's county may lift
    the block with a reason, until `valid_until` or until they revoke it. An override
    covers the cases open when it was granted: a 欠薪 case received later blocks again.
    """

    scope_county_path = "employer__county"

    employer = models.ForeignKey(
        "registry.Employer", verbose_name=_("用工主体"), on_delete=models.PROTECT, related_name="arrears_overrides"
    )
    reason = models.CharField(_("放行理由"), max_length=200)
    valid_until = models.DateField(_("放行有效期至"))
    granted_at = models.DateTimeField(_("放行时间"), default=timezone.now)
    granted_by = user_ref(_("核准人"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = user_ref(_("撤销人"))

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("欠薪限制放行")
        verbose_name_plural = _("欠薪限制放行")
        indexes = [models.Index(fields=["employer", "-granted_at"], name="matching_override_employer")]

    def __str__(self):
        return f"{self.employer} · {self.granted_at:%Y-%m-%d}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "请填写放行理由。"})
        if self.valid_until and self.valid_until < timezone.localdate(self.granted_at):
            raise ValidationError({"valid_until": "放行有效期不能早于今天。"})

    @property
    def is_active(self):
        return self.revoked_at is None and self.valid_until >= timezone.localdate()


class PayMethod(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")
    SOCIAL_CARD = "social_card", _("社保卡")


class WageSettlement(ChoiceLabels, models.Model):
    """The wage of a completed match (八): what was due, what was paid, when and how.

    The clerk records it at 完工 and the worker confirms it at the counter; only an amount
    the worker confirmed counts as paid. `matching.wages.wage_arrears_sweep` opens a 欠薪
    case (`arrears_case`) once the wage is unpaid or short-paid past the deadline.
    """

    scope_county_path = "match__market__county"
    scope_market_path = "match__market"

    class Confirmation(models.TextChoices):
        COUNTER = "counter", _("窗口现场确认")

    match = models.OneToOneField(
        Match, verbose_name=_("对接记录"), on_delete=models.PROTECT, related_name="wage_settlement"
    )
    wage_due = models.DecimalField(_("应付工资(元)"), max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField(_("实付工资(元)"), max_digits=10, decimal_places=2, default=0)
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    method = models.CharField(_("支付方式"), max_length=12, choices=PayMethod.choices, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    recorded_by = user_ref(_("登记人"))
    worker_confirmed_at = models.DateTimeField(_("零工确认时间"), null=True, blank=True)
    confirmed_via = models.CharField(_("确认方式"), max_length=10, choices=Confirmation.choices, blank=True)
    confirmed_by = user_ref(_("确认经办人"))
    arrears_case = models.OneToOneField(
        RightsCase,
        verbose_name=_("欠薪案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wage_settlement",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("工资结算")
        verbose_name_plural = _("工资结算")
        constraints = [
            models.CheckConstraint(
                condition=Q(wage_due__gte=0) & Q(amount_paid__gte=0),
                name="matching_wage_amounts_not_negative",
                violation_error_message="金额不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.match} · 工资结算"

    def clean(self):
        errors = {}
        if self.amount_paid and self.amount_paid > 0:
            if not self.paid_on:
                errors["paid_on"] = "已支付工资的，请填写支付日期。"
            if not self.method:
                errors["method"] = "已支付工资的，请选择支付方式。"
        if self.paid_on and self.paid_on > timezone.localdate():
            errors["paid_on"] = "支付日期不能晚于今天。"
        if self.paid_on and self.match_id and self.paid_on < self.match.work_date:
            errors["paid_on"] = "支付日期不能早于用工日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_confirmed(self):
        return self.worker_confirmed_at is not None

    @property
    def owed(self):
        """What the worker has not (confirmed to have) received."""
        paid = self.amount_paid if self.is_confirmed else 0
        return max(self.wage_due - paid, 0)

    @property
    def status_label(self):
        if self.arrears_case_id:
            return "已转欠薪案件"
        if not self.recorded_at:
            return "待登记"
        if not self.is_confirmed:
            return "待零工确认"
        return "已足额支付" if self.owed == 0 else "少付"


class PlacementEligibilityOverride(models.Model):
    """A 公益性岗位 placement of a worker not recognised as 就业困难人员, and why it was allowed."""

    scope_county_path = "placement__county"

    placement = models.OneToOneField(
        Placement, verbose_name=_("安置"), on_delete=models.CASCADE, related_name="eligibility_override"
    )
    reason = models.CharField(_("特批理由"), max_length=200)
    by = user_ref(_("核准人"))
    at = models.DateTimeField(_("核准时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公益性岗位特批安置")
        verbose_name_plural = _("公益性岗位特批安置")

    def __str__(self):
        return f"{self.placement} · 特批"


class ApplicationState(models.TextChoices):
    NEW = "new", _("新报名")
    MATCHED = "matched", _("已转洽谈")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已关闭")


# An application still waiting for the clerk or turned into a match (one per phone and posting).
APPLICATION_LIVE_STATES = (ApplicationState.NEW, ApplicationState.MATCHED)


class Application(ChoiceLabels, models.Model):
    """A worker's online 我要报名 on a posting: waits in the posting's market queue (新报名).

    The phone and the optional 身份证号 are `PersonalField`s (ciphertext + keyed hash);
    `worker` is the registered worker found by ID hash or phone, when known. The clerk
    turns it into a `Match` (洽谈中) through `services.application_accept`; when the
    posting fills, closes or expires, open applications close and the applicant is told.
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

    State = ApplicationState

    posting = models.ForeignKey(
        "registry.Posting", verbose_name=_("用工需求"), on_delete=models.CASCADE, related_name="applications"
    )
    market = models.ForeignKey(
        "markets.Market", verbose_name=_("零工市场"), on_delete=models.PROTECT, related_name="applications"
    )
    worker = models.ForeignKey(
        "registry.Worker",
        verbose_name=_("零工"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    match = models.ForeignKey(
        Match, verbose_name=_("对接记录"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=40)
    mobile = PersonalField(_("手机号码"), lookup=True, db_index=True)
    id_number = PersonalField(_("身份证号"), blank=True, lookup=True)
    state = models.CharField(_("状态"), max_length=10, choices=ApplicationState.choices, default=ApplicationState.NEW)
    close_reason = models.CharField(_("关闭原因"), max_length=100, blank=True)
    consent_version = models.CharField(_("个人信息告知版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("线上报名")
        verbose_name_plural = _("线上报名")
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "mobile_hash"],
                condition=Q(state__in=["new", "matched"]),
                name="matching_application_one_live_per_phone",
                violation_error_message="您已报名该岗位，请勿重复报名。",
            ),
        ]
        indexes = [
            models.Index(fields=["market", "state", "-created_at"], name="matching_application_queue"),
            models.Index(fields=["posting", "state"], name="matching_application_posting"),
            models.Index(fields=["state", "created_at"], name="matching_application_purge"),
        ]

    def __str__(self):
        return f"{self.name} → {self.posting_id}"

    @property
    def masked_mobile(self):
        return mask_phone(self.mobile)

    @property
    def is_live(self):
        return self.state in APPLICATION_LIVE_STATES
