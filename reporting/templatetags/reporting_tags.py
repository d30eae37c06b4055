from django import template

from reporting.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user):
    """Unread notification count for the top-bar badge (one query)."""
    if not user.is_authenticated:
        return 0
    return unread_count(user)
