"""The audit log in Chinese: object types, change labels and values, for the page and its export.

Services record `AuditEvent.changes` as JSON in three shapes:

- a diff, `{field: [old, new]}` (updates, and creates written as a diff from nothing);
- a snapshot, `{field: value}` (most creates: each value is the new value, lists included);
- extra keys beside model fields: `reason`, `trades`, `lockout` (a dict), an export's
  `filters` (a dict), an admin change's `fields` (field names), a case's `note` and a
  placement's `follow_up` (`[date, text]`).

A key is labelled with the target model's field verbose_name, else from `EXTRA_LABELS`;
values are shown with the field's choice labels. Any JSON value renders: dicts, lists of
dicts, dates and decimals (stored as text), numbers, booleans. Nothing here raises on an
unexpected shape: the audit page must never fail because a service recorded something new.
"""

import datetime
import decimal
import functools

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .exports import a4_print_setup, wrapped_row_height, xlsx_append_row, xlsx_style
from .pii_fields import PersonalField

EMPTY = "（空）"

# Keys that services record beside model fields, and keys inside recorded dicts.
EXTRA_LABELS = {
    "sms_withheld": "不再发送的待发短信(条)",
    "reason": "原因",
    "transfer": "转移",
    "password": "密码",
    "two_factor": "两步验证",
    "second_factor": "验证方式",
    "recovery_codes": "恢复码",
    "lockout_minutes": "锁定分钟数",
    # The audit archive (manage.py audit_archive) and the re-key run (manage.py pii_rekey).
    "before": "截止日期",
    "count": "条数",
    "first_id": "起始编号",
    "last_id": "结束编号",
    "first_at": "起始时间",
    "last_at": "结束时间",
    "sha256": "SHA-256校验值",
    "operator": "操作系统账号",
    "key_id": "写入密钥",
    "cipher": "加密算法",
    "hash": "摘要算法",
    "dry_run": "试运行",
    "all_rows": "全部重算",
    "models": "数据表",
    "pending": "待处理",
    "rekeyed": "已重新加密",
    "failed": "失败",
    "batches": "批次",
    "interrupted": "中断",
    "trades": "工种",
    "hours": "运行时间",
    "lockout": "锁定",
    "minutes": "锁定分钟数",
    "failures": "连续失败次数",
    "rows": "行数",
    "filters": "筛选条件",
    "personal_data": "含完整个人信息",
    "field": "查看内容",
    "via": "操作途径",
    "fields": "修改字段",
    "file": "文件",
    "created": "新增",
    "updated": "更新",
    "source": "数据来源",
    "kind": "类别",
    "region": "区域层级",
    "range": "统计时段",
    "offer": "培训项目",
    "by": "说明",
    "note": "办理记录",
    "follow_up": "跟踪回访",
    "owed": "欠付金额",
    "eligibility_override": "特批理由",
    "year": "年度",
    # Filter names of exports (markets, workers, the audit log).
    "q": "查询条件",
    "city": "市州",
    "county": "县区",
    "status": "状态",
    "nature": "性质",
    "trade": "工种",
    "period": "报送期",
    "action": "操作",
    "actor": "操作账号",
    "target_type": "对象类型",
    "target": "对象",
    "date_from": "起始日期",
    "date_to": "截止日期",
    "truncated": "超出上限仅导出部分",
    # The people's side (issue 15): online applications, 扫码登记 and their purge.
    "channel": "渠道",
    "applications": "线上报名",
    "preregistrations": "扫码预登记",
    "days": "保存天数",
}

# Codes recorded under extra keys, in Chinese.
VALUE_LABELS = {
    ("via", "admin"): "系统管理后台",
    ("source", "snapshot"): "报送时的名录快照",
    ("source", "live"): "当前名录",
    ("kind", "monitoring"): "运行监测报表",
    ("region", "province"): "全省",
    ("region", "city"): "市州",
    ("region", "county"): "县(市、区)",
    ("region", "market"): "零工市场",
    ("channel", "online"): "线上",
    ("channel", "counter"): "现场",
}

# Extra keys whose value is a dated entry `[date, text]`, not `[old, new]`.
DATED_ENTRIES = {"note", "follow_up"}
# Extra keys whose list value is a list of model field names.
FIELD_NAME_LISTS = {"fields"}


@functools.cache
def model_for(label):
    """The model of an `app_label.modelname` target type, or None."""
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def target_type_label(label):
    """`markets.market` → 零工市场; an unknown label is shown as recorded; none → empty."""
    model = model_for(label)
    if model is None:
        return label or ""
    return str(model._meta.verbose_name)


def target_types_matching(text, labels):
    """The labels among `labels` whose model's Chinese name (or English model name) contains `text`."""
    text = (text or "").strip().lower()
    if not text:
        return []
    found = []
    for label in labels:
        model = model_for(label)
        names = [label.rsplit(".", 1)[-1].lower()]
        if model is not None:
            names += [str(model._meta.verbose_name).lower(), str(model._meta.verbose_name_plural).lower()]
        if any(text in name for name in names):
            found.append(label)
    return found


def project_target_types():
    """Every model of the portal's own apps: what an audit row can point at."""
    own = {config.label for config in apps.get_app_configs() if config.name in settings.PROJECT_APPS}
    return [m._meta.label_lower for m in apps.get_models() if m._meta.app_label in own]


def _field(model, name):
    if model is None or not isinstance(name, str):
        return None
    personal = getattr(model, name, None)
    if isinstance(personal, PersonalField):  # an encrypted attribute (mobile), not a column
        return personal
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def key_label(model, key):
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return EXTRA_LABELS.get(key, str(key))


def _field_name_label(model, name):
    """A field named in an admin change message: Django records its label untranslated
    ("Active"), the portal's own labels are Chinese already."""
    if not isinstance(name, str):
        return show_value(name)
    field = _field(model, name) or _field_by_source_label(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return gettext(name)


def _field_by_source_label(model, label):
    """The field whose untranslated verbose_name is `label` (case aside), or None."""
    if model is None:
        return None
    with translation.override(None):
        for field in model._meta.get_fields():
            name = getattr(field, "verbose_name", None)
            if name is not None and str(name).lower() == label.lower():
                return field
    return None


def _choices(field):
    if field is None or not getattr(field, "choices", None):
        return {}
    try:
        return {k: v for k, v in field.flatchoices if isinstance(k, (str, int))}
    except TypeError:
        return {}


def _datetime_text(value):
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def show_value(value, *, model=None, field=None, key=None):
    """One recorded value as Chinese text."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        parts = [
            f"{key_label(model, k)}：{show_value(v, model=model, field=_field(model, k), key=k)}"
            for k, v in value.items()
        ]
        return "；".join(parts)
    if isinstance(value, (list, tuple, set)):
        if key in FIELD_NAME_LISTS:
            return "、".join(_field_name_label(model, v) for v in value)
        separator = "；" if any(isinstance(v, (dict, list)) for v in value) else "、"
        return separator.join(show_value(v, model=model, field=field, key=key) for v in value)
    if isinstance(value, datetime.datetime):
        return _datetime_text(value.isoformat())
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (str, int)) and (key, value) in VALUE_LABELS:
        return VALUE_LABELS[(key, value)]
    choices = _choices(field)
    if isinstance(value, (str, int)) and value in choices:
        return str(choices[value])
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        return _datetime_text(value)
    return str(value)


def _is_pair(value):
    return isinstance(value, list) and len(value) == 2


def _is_snapshot(event, changes):
    """A create that recorded plain values (not a diff from nothing): lists are values, not pairs."""
    if event.action != "create":
        return False
    return not all(_is_pair(v) for v in changes.values())


def change_rows(event):
    """[(label, old, new)] for an AuditEvent; a single value has old None."""
    changes = event.changes if isinstance(event.changes, dict) else {"changes": event.changes}
    export = event.action == "export"
    model = None if export else model_for(event.target_type)
    snapshot = _is_snapshot(event, changes)
    rows = []
    for key, value in changes.items():
        field = _field(model, key)
        label = key_label(model, key)
        if field is None and key in DATED_ENTRIES and _is_pair(value):
            rows.append((label, None, f"{show_value(value[0])}：{show_value(value[1], key=key)}"))
        elif _is_pair(value) and not snapshot and key not in FIELD_NAME_LISTS:
            old, new = (show_value(v, model=model, field=field, key=key) for v in value)
            rows.append((label, old, new))
        else:
            rows.append((label, None, show_value(value, model=model, field=field, key=key)))
    return rows


def changes_text(event):
    """The changes of an event on one line (the export's 变更内容 column)."""
    parts = []
    for label, old, new in change_rows(event):
        parts.append(f"{label}：{old} → {new}" if old is not None else f"{label}：{new}")
    return "；".join(parts)


# The export ----------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("时间", 20),
    ("操作账号", 14),
    ("操作", 12),
    ("对象类型", 14),
    ("对象", 25),
    ("区划", 14),
    ("变更内容", 44),
    ("IP地址", 16),
]


def audit_export_row(event):
    return [
        f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M:%S}",
        event.actor_username or "",
        event.get_action_display(),
        target_type_label(event.target_type),
        event.target_repr,
        str(event.county or event.city or "省级"),
        changes_text(event),
        event.ip_address or "",
    ]


def audit_workbook(events, *, title, more=False):
    """A write-only workbook of `events` (an iterable), one row each, every cell through the
    formula-safe writer. `more` adds a closing line saying the list was cut."""
    thin = Side(style="thin")
    THIN_BORDER = Border(left=thin, right=thin, top=thin, bottom=thin)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    # Printable as filed: A4 landscape, all columns on the page width, the header row on
    # every page and frozen on screen, page numbers in the footer (docs/exports.md).
    widths = [width for _header, width in EXPORT_COLUMNS]
    a4_print_setup(sheet, widths=widths, title_rows="2:2", freeze="A3")
    # Long objects and changes wrap inside their columns instead of running off the page.
    header_style = xlsx_style(sheet, font=Font(bold=True, size=10), border=THIN_BORDER)
    body_style = xlsx_style(
        sheet, font=Font(size=10), alignment=Alignment(wrap_text=True, vertical="top"), border=THIN_BORDER
    )
    xlsx_append_row(sheet, [title], styles=[xlsx_style(sheet, font=Font(bold=True, size=14))])
    xlsx_append_row(sheet, [header for header, _width in EXPORT_COLUMNS], styles=[header_style] * len(EXPORT_COLUMNS))
    count = 0
    for event in events:
        row = audit_export_row(event)
        # Heights before the row is written (a write-only sheet writes rows as they come).
        sheet.row_dimensions[3 + count].height = wrapped_row_height(row, widths)
        xlsx_append_row(sheet, row, styles=[body_style] * len(EXPORT_COLUMNS))
        count += 1
    if more:
        xlsx_append_row(sheet, [f"仅导出了最近的 {count} 条，请缩小筛选范围后分次导出。"])
    return workbook, count
