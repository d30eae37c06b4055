"""The worker list as CSV, streamed row by row (constant memory), personal data masked.

The column layout is declared once in `WORKER_COLUMNS`.
"""

import csv

from django.utils import timezone

from gigmarket.exports import csv_row

WORKER_COLUMNS = [
    ("姓名", lambda w: w.name),
    ("身份证号", lambda w: w.masked_id_number),
    ("性别", lambda w: w.get_gender_display()),
    ("出生年份", lambda w: w.birth_date.year),
    ("手机号码", lambda w: w.masked_mobile),
    ("求职工种", lambda w: "、".join(t.name for t in w.trades.all())),
    ("可上工日期(起)", lambda w: w.available_from or ""),
    ("可上工日期(止)", lambda w: w.available_until or "长期"),
    ("期望报酬", lambda w: f"{w.expected_pay}元/{w.get_pay_unit_display()}" if w.expected_pay is not None else ""),
    ("帮扶等级", lambda w: w.tier().label),
    ("困难情形", lambda w: "、".join(w.hardship_labels())),
    ("意外伤害保险", lambda w: "已参保" if w.has_injury_insurance else "未参保"),
    ("服务县(市、区)", lambda w: w.county.name),
    ("登记市场", lambda w: w.registered_market.name),
    ("登记时间", lambda w: timezone.localtime(w.registered_at).strftime("%Y-%m-%d %H:%M")),
]


class _Echo:
    def write(self, value):
        return value


def stream_workers_csv(qs, chunk_size=2000):
    """Yield CSV lines (UTF-8 with BOM so Excel reads Chinese) for a queryset of workers."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(csv_row([title for title, _ in WORKER_COLUMNS]))
    for worker in qs.iterator(chunk_size=chunk_size):
        yield writer.writerow(csv_row([str(get(worker)) for _, get in WORKER_COLUMNS]))
