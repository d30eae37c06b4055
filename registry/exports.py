"""The worker list as CSV, streamed (constant memory), personal data masked.

The 身份证号 and the mobile are stored encrypted: each row decrypts both to mask them.

The column layout is declared once in `WORKER_COLUMNS`; each column reads one row dict.
Rows are read as plain values in chunks (no model instances), trades are fetched once
per chunk, so memory stays flat and the query count does not grow with rows.
"""

from itertools import islice

from django.utils import timezone

from gigmarket.core.exports import csv_line
from gigmarket.core.pii import decrypt, mask_id_number, mask_phone

from .models import Gender, PayUnit, Tier, Worker

GENDERS = dict(Gender.choices)
PAY_UNITS = dict(PayUnit.choices)
TIERS = {tier.value: str(tier.label) for tier in Tier}
HARDSHIP = [
    ("employment_difficulty", "就业困难人员"),
    ("disabled", "残疾"),
    ("low_income", "低收入家庭"),
    ("senior_flag", "大龄"),
    ("long_wait_flag", "待工时间长"),
]

VALUE_FIELDS = [
    "pk",
    "name",
    "id_encrypted",
    "gender",
    "birth_year",
    "mobile_encrypted",
    "available_from",
    "available_until",
    "expected_pay",
    "pay_unit",
    "employment_difficulty",
    "disabled",
    "low_income",
    "senior_flag",
    "long_wait_flag",
    "priority_tier",
    "has_injury_insurance",
    "county__name",
    "registered_market__name",
    "registered_at",
]


def _pay(row):
    if row["expected_pay"] is None:
        return ""
    return f"{row['expected_pay']}元/{PAY_UNITS[row['pay_unit']]}"


WORKER_COLUMNS = [
    ("姓名", lambda r: r["name"]),
    ("身份证号", lambda r: mask_id_number(decrypt(r["id_encrypted"]))),
    ("性别", lambda r: GENDERS[r["gender"]]),
    ("出生年份", lambda r: r["birth_year"]),
    ("手机号码", lambda r: mask_phone(decrypt(r["mobile_encrypted"]))),
    ("求职工种", lambda r: "、".join(r["trades"])),
    ("可上工日期(起)", lambda r: r["available_from"] or ""),
    ("可上工日期(止)", lambda r: r["available_until"] or "长期"),
    ("期望报酬", _pay),
    ("帮扶等级", lambda r: TIERS[r["priority_tier"]]),
    ("困难情形", lambda r: "、".join(label for key, label in HARDSHIP if r[key])),
    ("意外伤害保险", lambda r: "已参保" if r["has_injury_insurance"] else "未参保"),
    ("服务县(市、区)", lambda r: r["county__name"]),
    ("登记市场", lambda r: r["registered_market__name"]),
    ("登记时间", lambda r: timezone.localtime(r["registered_at"]).strftime("%Y-%m-%d %H:%M")),
]


def _trade_names(worker_ids):
    names = {pk: [] for pk in worker_ids}
    through = Worker.trades.through.objects.filter(worker_id__in=worker_ids)
    for worker_id, trade_name in through.order_by("trade__sort_order", "trade__code").values_list(
        "worker_id", "trade__name"
    ):
        names[worker_id].append(trade_name)
    return names


def stream_workers_csv(qs, chunk_size=2000, progress=None):
    """Yield CSV lines (UTF-8 with BOM so Excel reads Chinese) for workers annotated by
    `selectors.annotate_hardship_flags`; cells written by `gigmarket.core.exports`.
    `progress(rows_done)`, if given, is called after each chunk."""
    done = 0
    yield "\ufeff" + csv_line([title for title, _ in WORKER_COLUMNS])
    rows = qs.prefetch_related(None).values(*VALUE_FIELDS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        trades = _trade_names([row["pk"] for row in chunk])
        lines = []
        for row in chunk:
            row["trades"] = trades[row["pk"]]
            lines.append(csv_line([get(row) for _, get in WORKER_COLUMNS]))
        done += len(chunk)
        yield "".join(lines)
        if progress is not None:
            progress(done)
