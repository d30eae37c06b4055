"""Show audit changes in Chinese: field labels and choice labels instead of codes."""

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

register = template.Library()

EMPTY = "（空）"
# Keys that services record beside model fields.
EXTRA_LABELS = {"reason": "原因", "password": "密码", "trades": "工种", "hours": "运行时间", "lockout": "锁定"}
# Two-factor login (gigmarket.services two_factor_*).
EXTRA_LABELS |= {
    "two_factor": "两步验证",
    "second_factor": "验证方式",
    "recovery_codes": "恢复码",
    "failures": "连续失败次数",
    "lockout_minutes": "锁定分钟数",
    "via": "操作途径",
}


def _model(label):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model, name):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _show(field, value):
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value) or EMPTY
    return str(choices.get(value, value))


@register.filter
def audit_changes(event):
    """[(label, old, new)] for an AuditEvent; a single value shows as new only (old None)."""
    model = _model(event.target_type)
    rows = []
    for name, value in (event.changes or {}).items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else EXTRA_LABELS.get(name, name)
        if isinstance(value, list) and len(value) == 2:
            rows.append((label, _show(field, value[0]), _show(field, value[1])))
        else:
            rows.append((label, None, _show(field, value)))
    return rows
