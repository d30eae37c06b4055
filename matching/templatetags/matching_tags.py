"""Template helpers: one-time form tokens, the state and 欠薪 badges, durations in Chinese."""

import uuid

from django import template
from django.utils.html import format_html

from ..arrears import arrears_block
from ..settlement import employer_pay_records
from ..wages import open_wage_case_counts

register = template.Library()


@register.simple_tag
def form_token():
    """A fresh token for one rendered 对接 form: submitting it twice makes one match."""
    return uuid.uuid4().hex


@register.simple_tag
def state_badge(match):
    """The match's state as a badge; built here, not included per row of the 对接记录 list."""
    return format_html('<span class="badge {}">{}</span>', match.state_badge, match.get_state_display())


@register.inclusion_tag("matching/_wage_flag.html")
def wage_flag(employer):
    """The 欠薪 warning for one employer (one query). Lists annotate `open_wage_cases` instead."""
    if employer is None:
        return {"count": 0}
    return {"count": open_wage_case_counts([employer.pk]).get(employer.pk, 0)}


@register.filter
def duration_cn(value):
    """A timedelta as 2小时05分 / 35分钟 / —."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}小时{minutes:02d}分"
    return f"{hours // 24}天{hours % 24}小时"


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.0f}%"


@register.inclusion_tag("matching/_arrears_notice.html", takes_context=True)
def arrears_notice(context, employer):
    """The 欠薪 block of one employer, and why, where a clerk posts for it or confirms it."""
    if employer is None:
        return {"block": None}
    return {"block": arrears_block(employer.pk), "employer": employer, "request": context.get("request")}


@register.inclusion_tag("matching/_pay_record.html")
def pay_record(employer):
    """Days-to-pay of one employer from its confirmed wage settlements (one query)."""
    if employer is None:
        return {"record": None}
    return {"record": employer_pay_records([employer.pk]).get(employer.pk), "employer": employer}
