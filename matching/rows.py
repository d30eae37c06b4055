"""The 对接记录 list's table rows, built in Python (issue 19).

Rendered through the template engine each row cost ~0.3 ms (a context push per cell,
variable resolution, filters, `{% url_for %}`, an include for the 欠薪 flag); here a row is
one `format_html`, and what repeats across rows is built once per request: the state
badges (`matching_tags.state_badge`), the 欠薪 flag per case count (the same
`matching/_wage_flag.html` single pages include), the pay amounts (`floatformat`) and the
pay-unit labels. `format_html` escapes every value, so user data (worker, employer, market
and trade names) is never marked safe.
"""

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from gigmarket.core.urlcache import url_for
from registry.choices import PayUnit

from .templatetags.matching_tags import state_badge

_ROW = (
    '<tr><td><a href="{}">{}</a></td>'
    "<td>{}</td><td>{}</td><td>{}{}</td>"
    '<td class="small">{}</td>'
    "<td>{}</td><td>{}元/{}</td><td>{}</td><td>{}</td></tr>"
)


class MatchRows:
    """Renders `matching/match_list.html`'s <tr>s for one request (`selectors.match_list_rows`)."""

    def __init__(self):
        self.units = {value: str(label) for value, label in PayUnit.choices}
        self.badges = {}
        self.flags = {}
        self.pay = {}

    def _badge(self, match):
        badge = self.badges.get(match.state)
        if badge is None:
            badge = self.badges[match.state] = state_badge(match)
        return badge

    def _wage_flag(self, count):
        """ " " and the 欠薪 badge, or "" when the employer has no open case."""
        if not count:
            return ""
        flag = self.flags.get(count)
        if flag is None:
            flag = self.flags[count] = mark_safe(" " + render_to_string("matching/_wage_flag.html", {"count": count}))
        return flag

    def _pay(self, amount):
        text = self.pay.get(amount)
        if text is None:
            text = self.pay[amount] = floatformat(amount, "-2")
        return text

    def row(self, match):
        days = f"{match.work_date:%Y-%m-%d}"
        if match.is_multi_day:
            days = f"{days} 至 {match.work_date_end:%Y-%m-%d}"
        return format_html(
            _ROW,
            url_for("matching:match_detail", match.pk),
            f"{timezone.localtime(match.created_at):%Y-%m-%d %H:%M}",
            match.worker.name,
            match.posting.trade.name,
            match.employer.name,
            self._wage_flag(match.open_wage_cases),
            match.market.name,
            days,
            self._pay(match.agreed_pay),
            self.units.get(match.pay_unit, match.pay_unit),
            "已参保" if match.insured else "未参保",
            self._badge(match),
        )

    def render(self, matches):
        return mark_safe("".join(self.row(m) for m in matches))  # each row built by format_html
