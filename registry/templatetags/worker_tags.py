"""The 分级服务 tier badge, `{% tier_badge worker %}`, on worker pages and in lists.

Built in Python rather than included per row: a list of 25–50 workers paid one template
include (a context push and a nested render) per row for a single <span>. The HTML of
each (tier, reasons, language) is built once per process: there are a few dozen of them.
"""

import functools

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

from ..tiers import Tier

register = template.Library()

# tier → (badge class, icon); 普通 has no icon.
_STYLES = {Tier.FIRST: ("text-bg-danger", "bi-star-fill"), Tier.SECOND: ("text-bg-warning", "bi-star-half")}


@register.simple_tag
def tier_badge(worker):
    return tier_badge_html(worker, timezone.localdate())


def tier_badge_html(worker, today):
    """The badge of `worker` on `today`; the worker list's row renderer calls it per row."""
    title = "、".join(worker.hardship_labels(today)) or "无困难情形"
    return _badge(worker.tier(today), title, get_language())


@functools.lru_cache(maxsize=256)
def _badge(tier, title, language):
    """The badge HTML; `language` is only the cache key (the tier's label is translated)."""
    badge, icon = _STYLES.get(tier, ("text-bg-secondary", None))
    if icon is None:
        return format_html('<span class="badge {} registry-tier" title="{}">{}</span>', badge, title, tier.label)
    html = '<span class="badge {} registry-tier" title="{}"><i class="bi {}"></i> {}</span>'
    return format_html(html, badge, title, icon, tier.label)
