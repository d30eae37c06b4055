"""Show audit events in Chinese (see gigmarket/core/audit_display.py)."""

from django import template

from gigmarket.core.audit_display import change_rows, target_type_label

register = template.Library()


@register.filter
def audit_changes(event):
    """[(label, old, new)] for an AuditEvent; a single value shows as new only (old None)."""
    return change_rows(event)


@register.filter
def audit_target_type(event):
    """The Chinese name of the event's object type (零工市场, 零工, ...), or empty."""
    return target_type_label(event.target_type)
