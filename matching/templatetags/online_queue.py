"""{% online_queue_counts market %}: the market's online queues (新报名, 预登记) on the clerk's board."""

from django import template

from matching.selectors import market_queue_counts

register = template.Library()


@register.inclusion_tag("matching/_online_queue_counts.html")
def online_queue_counts(market):
    return {"market": market, "counts": market_queue_counts(market)}
