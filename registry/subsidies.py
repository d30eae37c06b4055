"""Subsidies (notice 六, 七): the eligibility rules, declared once as data, and the writes.

`RULES` says for each subsidy who may have it (`who`: requirement codes, each one
function in `REQUIREMENTS` with its Chinese wording), what evidence the window must see,
the amount (fixed, a cap, or per training day up to a cap), what the period is (a
training, a month, a year, once) and how many times one person may have it (per year or
in a lifetime). `check_application` runs them and says in Chinese which rule fails.

Writes: `subsidy_apply` (checks, then 待审核), `subsidy_approve` (checks again, 已核准),
`subsidy_pay` (amount, date, voucher number, 已发放), `subsidy_return` (a reason, 已退回).
The same person is never approved twice for the same subsidy and period: the unique
index `registry_subsidy_granted_once` refuses the second row even when two reviewers
approve at the same moment; the service turns that into the Chinese message.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from gigmarket.core.audit import audit_record, snapshot
from gigmarket.core.exports import (
    a4_print_setup,
    sign_off_spans,
    sign_off_values,
    wrapped_row_height,
    xlsx_append_row,
    xlsx_style,
)
from gigmarket.core.models import AuditEvent, Role

from .insurance import covering_year
from .models import SubsidyApplication, SubsidyKind, TrainingSignup
from .recognition import is_recognised

# Who ---------------------------------------------------------------------------------------

MIN_AGE = 16
MAX_AGE = {"M": 60, "F": 55}


def _working_age(app, today):
    age = app.worker.age(today)
    limit = MAX_AGE.get(app.worker.gender, 60)
    if MIN_AGE <= age <= limit:
        return None
    return f"须在法定劳动年龄内（年满{MIN_AGE}周岁，男性不超过60周岁、女性不超过55周岁），该零工今年{age}岁"


def _recognised(app, today):
    if is_recognised(app.worker, today):
        return None
    return "须为已认定的就业困难人员（在有效期内）"


def _recognised_or_low_income(app, today):
    if app.worker.low_income or _recognised(app, today) is None:
        return None
    return "须为已认定的就业困难人员或低收入家庭成员"


def _completed_subsidised_training(app, today):
    signup = app.training_signup
    if signup is None:
        return "须选择该零工已结业的培训"
    if signup.worker_id != app.worker_id:
        return "所选培训报名不是该零工的"
    if not signup.offer.subsidy_eligible:
        return f"培训“{signup.offer.course}”不是可享受补贴的培训项目"
    if signup.status != TrainingSignup.Status.COMPLETED:
        return f"培训“{signup.offer.course}”尚未结业（{signup.get_status_display()}）"
    return None


def _insured(app, today):
    """An enrolment (registry.insurance) in force on some day of the subsidy year."""
    if not app.period[:4].isdigit():
        return "须有补贴年度内的新就业形态灵活就业意外伤害保险参保记录"
    year = int(app.period[:4])
    if covering_year(app.worker, year).exists():
        return None
    return f"须有覆盖{year}年的新就业形态灵活就业意外伤害保险参保记录（保险公司、保单号、保险起止日期），该零工没有"


REQUIREMENTS = {
    "working_age": ("年龄", _working_age),
    "recognised": ("就业困难人员", _recognised),
    "recognised_or_low_income": ("困难群体", _recognised_or_low_income),
    "completed_subsidised_training": ("培训结业", _completed_subsidised_training),
    "insured": ("参保", _insured),
}


# The rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubsidyRule:
    kind: str
    who: tuple
    evidence: tuple
    period: str  # "training" | "month" | "year" | "once"
    cap: Decimal
    per_day: Decimal | None = None  # amount per training day (up to `cap`)
    fixed: bool = False  # the amount is `cap`, exactly
    per_person: int = 1
    per_scope: str = "year"  # "year" | "lifetime"
    basis: str = ""

    @property
    def label(self):
        return SubsidyKind(self.kind).label

    def limit_text(self):
        scope = "每人每年" if self.per_scope == "year" else "每人"
        return f"{scope}最多{self.per_person}次"


RULES = {
    SubsidyKind.TRAINING: SubsidyRule(
        kind=SubsidyKind.TRAINING,
        who=("working_age", "completed_subsidised_training"),
        evidence=("结业证书或职业技能等级证书", "培训费发票"),
        period="training",
        cap=Decimal("1500"),
        per_person=3,
        basis="同一培训项目只补贴1次，每次不超过1500元，每人每年不超过3次。",
    ),
    SubsidyKind.LIVING: SubsidyRule(
        kind=SubsidyKind.LIVING,
        who=("working_age", "recognised_or_low_income", "completed_subsidised_training"),
        evidence=("培训考勤记录",),
        period="training",
        cap=Decimal("900"),
        per_day=Decimal("30"),
        per_person=3,
        basis="就业困难人员、低收入家庭成员参加补贴性培训，按每天30元补贴生活费，每次不超过900元。",
    ),
    SubsidyKind.SOCIAL_INSURANCE: SubsidyRule(
        kind=SubsidyKind.SOCIAL_INSURANCE,
        who=("working_age", "recognised"),
        evidence=("灵活就业社会保险缴费凭证",),
        period="month",
        cap=Decimal("500"),
        per_person=36,
        per_scope="lifetime",
        basis="就业困难人员灵活就业后缴纳社会保险费的，按月补贴，每月不超过500元，累计不超过36个月。",
    ),
    SubsidyKind.STARTUP: SubsidyRule(
        kind=SubsidyKind.STARTUP,
        who=("working_age",),
        evidence=("营业执照", "经营场所证明"),
        period="once",
        cap=Decimal("5000"),
        fixed=True,
        per_person=1,
        per_scope="lifetime",
        basis="首次创办小微企业或从事个体经营并正常经营满6个月的，一次性补贴5000元，每人只享受1次。",
    ),
    SubsidyKind.ACCIDENT_INSURANCE: SubsidyRule(
        kind=SubsidyKind.ACCIDENT_INSURANCE,
        who=("working_age", "insured"),
        evidence=("意外伤害保险保单",),
        period="year",
        cap=Decimal("100"),
        per_person=1,
        basis="参加新就业形态灵活就业意外伤害保险的，按年补贴保费，每人每年不超过100元。",
    ),
}


# Checks --------------------------------------------------------------------------------------


def period_for(rule, *, signup=None, month=None, year=None):
    """The period key of an application (see `SubsidyApplication.period`)."""
    if rule.period == "training":
        return f"training:{signup.offer_id}" if signup else ""
    if rule.period == "month":
        return f"{month:%Y-%m}" if month else ""
    if rule.period == "year":
        return str(year) if year else ""
    return "once"


def max_amount(rule, app):
    if rule.per_day is not None and app.training_signup_id:
        offer = app.training_signup.offer
        days = (offer.end_date - offer.start_date).days + 1
        return min(rule.per_day * days, rule.cap)
    return rule.cap


def _granted(app):
    qs = SubsidyApplication.objects.filter(
        worker_id=app.worker_id, kind=app.kind, status__in=SubsidyApplication.GRANTED
    ).exclude(pk=app.pk)
    return qs


def check_application(app, today=None):
    """The rules `app` fails, each a Chinese sentence naming the rule. Empty: eligible."""
    today = today or timezone.localdate()
    rule = RULES[SubsidyKind(app.kind)]
    failures = []
    for code in rule.who:
        name, requirement = REQUIREMENTS[code]
        problem = requirement(app, today)
        if problem:
            failures.append(f"不符合{rule.label}“{name}”条件：{problem}。")
    missing = [item for item in rule.evidence if item not in (app.evidence or [])]
    if missing:
        failures.append(f"{rule.label}须提交材料：{'、'.join(missing)}。")
    if not app.period:
        what = {"training": "培训项目", "month": "补贴月份", "year": "补贴年度"}.get(rule.period, "补贴期间")
        failures.append(f"请填写{what}。")
    elif rule.period == "month" and app.period > f"{today:%Y-%m}":
        failures.append("社会保险补贴只能申请当月及以前月份。")
    cap = max_amount(rule, app)
    if app.amount_requested is not None:
        if rule.fixed and app.amount_requested != rule.cap:
            failures.append(f"{rule.label}为定额{rule.cap:.0f}元。")
        elif app.amount_requested > cap:
            failures.append(f"{rule.label}申请金额不能超过{cap:.2f}元。")
        elif app.amount_requested <= 0:
            failures.append("申请金额应大于0。")
    if app.period:
        granted = _granted(app)
        if granted.filter(period=app.period).exists():
            failures.append(f"该零工{app.period_label}已享受过{rule.label}，同一期间不能重复享受。")
        elif rule.per_person:
            scoped = granted
            if rule.per_scope == "year":
                year = app.year
                scoped = [g for g in granted.select_related("training_signup__offer") if g.year == year]
            count = len(scoped) if isinstance(scoped, list) else scoped.count()
            if count >= rule.per_person:
                failures.append(f"{rule.label}{rule.limit_text()}，该零工已享受{count}次。")
    return failures


# Writes -------------------------------------------------------------------------------------

APPLICATION_FIELDS = ["worker", "kind", "period", "training_signup", "amount_requested", "evidence", "evidence_note"]


def can_review(user, county_id):
    """County staff of the application's county (the province for any county) review and pay."""
    if not user.can_write:
        return False
    if user.is_superuser or user.role == Role.PROVINCE:
        return True
    return user.role == Role.COUNTY and user.division_id == county_id


def subsidy_apply(*, worker, data, by):
    """Receive an application at the window: checked against the rules, then 待审核."""
    with transaction.atomic():
        app = SubsidyApplication(worker=worker, county_id=worker.county_id, submitted_by=by, **data)
        app.full_clean(exclude=["period"] if not app.period else None)
        failures = check_application(app)
        if failures:
            raise ValidationError(failures)
        app.save()
        audit_record(actor=by, action=AuditEvent.Action.CREATE, target=app, changes=snapshot(app, APPLICATION_FIELDS))
        return app


def _locked(app):
    return (
        SubsidyApplication.objects.select_for_update(of=("self",))
        .select_related("worker", "training_signup__offer")
        .get(pk=app.pk)
    )


def _require(app, to, by):
    if not can_review(by, app.county_id):
        raise PermissionDenied("只有申请人所在县(市、区)人社部门可以审核和发放补贴。")
    current = SubsidyApplication.Status(app.status)
    if to not in app.allowed_targets:
        raise ValidationError(f"“{current.label}”的申请不能变更为“{to.label}”。")
    return current


def subsidy_approve(*, application, amount, by):
    """Approve with an amount (not above the rule's cap); the rules are checked again."""
    with transaction.atomic():
        app = _locked(application)
        current = _require(app, SubsidyApplication.Status.APPROVED, by)
        failures = check_application(app)
        rule = RULES[SubsidyKind(app.kind)]
        if amount is None or amount <= 0:
            failures.append("请填写核准金额。")
        elif amount > min(app.amount_requested, max_amount(rule, app)):
            failures.append(f"核准金额不能超过申请金额和{rule.label}上限。")
        if failures:
            raise ValidationError(failures)
        app.status = SubsidyApplication.Status.APPROVED
        app.amount_approved = amount
        app.reviewed_at = timezone.now()
        app.reviewed_by = by
        try:
            with transaction.atomic():
                app.save(update_fields=["status", "amount_approved", "reviewed_at", "reviewed_by"])
        except IntegrityError:
            raise ValidationError(f"该零工{app.period_label}已核准过{rule.label}，不能重复核准。") from None
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=app,
            changes={"status": [current.value, app.status], "amount_approved": str(amount)},
        )
        return app


def subsidy_pay(*, application, amount, paid_on, voucher_no, by):
    """Record the payment of an approved subsidy: amount, date and voucher number."""
    with transaction.atomic():
        app = _locked(application)
        current = _require(app, SubsidyApplication.Status.PAID, by)
        errors = []
        voucher_no = (voucher_no or "").strip()
        if amount is None or amount != app.amount_approved:
            errors.append(f"发放金额应等于核准金额{app.amount_approved:.2f}元。")
        if paid_on is None or paid_on > timezone.localdate():
            errors.append("请填写发放日期（不能晚于今天）。")
        elif app.reviewed_at and paid_on < timezone.localdate(app.reviewed_at):
            errors.append("发放日期不能早于核准日期。")
        if not voucher_no:
            errors.append("请填写凭证号。")
        if errors:
            raise ValidationError(errors)
        app.status = SubsidyApplication.Status.PAID
        app.amount_paid, app.paid_on, app.voucher_no, app.paid_by = amount, paid_on, voucher_no[:40], by
        app.save(update_fields=["status", "amount_paid", "paid_on", "voucher_no", "paid_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=app,
            changes={
                "status": [current.value, app.status],
                "amount_paid": str(amount),
                "paid_on": paid_on.isoformat(),
                "voucher_no": app.voucher_no,
            },
        )
        return app


def subsidy_return(*, application, reason, by):
    """Return an application with a reason (材料不全、不符合条件…)."""
    with transaction.atomic():
        app = _locked(application)
        current = _require(app, SubsidyApplication.Status.RETURNED, by)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("请填写退回原因。")
        app.status = SubsidyApplication.Status.RETURNED
        app.return_reason = reason[:200]
        app.reviewed_at = timezone.now()
        app.reviewed_by = by
        app.save(update_fields=["status", "return_reason", "reviewed_at", "reviewed_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.TRANSITION,
            target=app,
            changes={"status": [current.value, app.status], "reason": app.return_reason},
        )
        return app


# Reads -----------------------------------------------------------------------------------------


def totals(qs, *, year):
    """Approved and paid amounts per county and subsidy in `year` (by 核准 / 发放 date). One query each."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    approved = (
        qs.filter(status__in=SubsidyApplication.GRANTED, reviewed_at__date__gte=start, reviewed_at__date__lt=end)
        .values("county_id", "county__name", "kind")
        .annotate(n=Count("id"), amount=Sum("amount_approved"))
    )
    paid = (
        qs.filter(status=SubsidyApplication.Status.PAID, paid_on__gte=start, paid_on__lt=end)
        .values("county_id", "county__name", "kind")
        .annotate(n=Count("id"), amount=Sum("amount_paid"))
    )
    rows = {}

    def row_for(row):
        key = (row["county_id"], row["kind"])
        if key not in rows:
            rows[key] = {
                "county": row["county__name"],
                "kind": str(SubsidyKind(row["kind"]).label),
                "approved_n": 0,
                "approved": Decimal("0"),
                "paid_n": 0,
                "paid": Decimal("0"),
            }
        return rows[key]

    for row in approved:
        row_for(row).update(approved_n=row["n"], approved=row["amount"] or Decimal("0"))
    for row in paid:
        row_for(row).update(paid_n=row["n"], paid=row["amount"] or Decimal("0"))
    return sorted(rows.values(), key=lambda r: (r["county"], r["kind"]))


# The finance office's workbook ---------------------------------------------------------------

SUMMARY_COLUMNS = [
    ("县(市、区)", 16),
    ("补贴类别", 22),
    ("核准笔数", 10),
    ("核准金额(元)", 14),
    ("发放笔数", 10),
    ("发放金额(元)", 14),
]
DETAIL_COLUMNS = [
    ("县(市、区)", 14),
    ("姓名", 10),
    ("身份证号", 22),
    ("补贴类别", 20),
    ("补贴期间", 14),
    ("核准金额(元)", 12),
    ("发放金额(元)", 12),
    ("发放日期", 12),
    ("凭证号", 18),
]


FONT_NAME = "宋体"
HEADER_ROW = 3


def _merge(sheet, row, first, last):
    if last > first:
        sheet.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")


class _HouseSheet:
    """A sheet filed as a 盖章 form: the title, 填报单位（盖章） and 统计年度, the header
    (repeated on every A4 page and frozen), the rows, then the sign-off row."""

    def __init__(self, workbook, name, *, title, filing, columns):
        self.sheet = sheet = workbook.create_sheet(name)
        self.filing = filing
        self.widths = [w for _h, w in columns]
        self.count = count = len(columns)
        a4_print_setup(sheet, widths=self.widths, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", freeze=f"A{HEADER_ROW + 1}")
        thin = Side(style="thin")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)

        def style(*, bold=False, size=10, align="left", boxed=True):
            return xlsx_style(
                sheet,
                font=Font(name=FONT_NAME, bold=bold, size=size),
                alignment=Alignment(horizontal=align, vertical="center", wrap_text=True),
                border=border if boxed else None,
            )

        self.text = style()
        self.count_style = style(align="right")
        self.money = xlsx_style(
            sheet,
            font=Font(name=FONT_NAME, size=10),
            alignment=Alignment(horizontal="right", vertical="center"),
            border=border,
            number_format="#,##0.00",
        )
        self.sign = style(boxed=False)
        sheet.row_dimensions[1].height = 26
        _merge(sheet, 1, 1, count)
        xlsx_append_row(
            sheet,
            [title] + [None] * (count - 1),
            styles=[style(bold=True, size=16, align="center", boxed=False)] * count,
        )
        half = max(count // 2, 1)
        _merge(sheet, 2, 1, half)
        _merge(sheet, 2, half + 1, count)
        meta = [None] * count
        meta[0] = f"填报单位（盖章）：{filing.unit}"
        meta[half] = filing.source
        xlsx_append_row(
            sheet, meta, styles=[style(boxed=False)] * half + [style(align="right", boxed=False)] * (count - half)
        )
        headers = [h for h, _w in columns]
        sheet.row_dimensions[HEADER_ROW].height = wrapped_row_height(headers, self.widths)
        xlsx_append_row(sheet, headers, styles=[style(bold=True, align="center")] * count)
        self.row = HEADER_ROW + 1

    def _style(self, value):
        if isinstance(value, Decimal):
            return self.money
        if isinstance(value, int):
            return self.count_style
        return self.text

    def add_line(self, values):
        self.sheet.row_dimensions[self.row].height = wrapped_row_height(values, self.widths)
        xlsx_append_row(self.sheet, values, styles=[self._style(v) for v in values])
        self.row += 1

    def sign_off(self):
        xlsx_append_row(self.sheet, [None])
        row = self.row + 1
        self.sheet.row_dimensions[row].height = 24
        for first, last in sign_off_spans(self.count):
            _merge(self.sheet, row, first, last)
        f = self.filing
        values = sign_off_values(self.count, person=f.person, phone=f.phone, date=f.date)
        xlsx_append_row(self.sheet, values, styles=[self.sign] * self.count)


def finance_workbook(*, title, summary, paid, filing):
    """The 补贴发放 workbook for the finance office: totals per county and subsidy, then each
    payment; each sheet filed as `filing` (gigmarket.core.exports.Filing) with its sign-off."""
    workbook = Workbook(write_only=True)
    sheet = _HouseSheet(workbook, "汇总", title=title, filing=filing, columns=SUMMARY_COLUMNS)
    for row in summary:
        sheet.add_line([row["county"], row["kind"], row["approved_n"], row["approved"], row["paid_n"], row["paid"]])
    total = ["合计", "", sum(r["approved_n"] for r in summary), sum(r["approved"] for r in summary)]
    sheet.add_line(total + [sum(r["paid_n"] for r in summary), sum(r["paid"] for r in summary)])
    sheet.sign_off()
    sheet = _HouseSheet(workbook, "发放明细", title=title, filing=filing, columns=DETAIL_COLUMNS)
    for app in paid:
        sheet.add_line(
            [
                app.county.name,
                app.worker.name,
                app.worker.masked_id_number,
                app.get_kind_display(),
                app.period_label,
                app.amount_approved,
                app.amount_paid,
                f"{app.paid_on:%Y-%m-%d}",
                app.voucher_no,
            ]
        )
    sheet.sign_off()
    return workbook
