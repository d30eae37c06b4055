"""The staff market list's rows, built in Python (markets/rows.py): what a row shows, escaped."""

import re

import pytest
from django.template import engines
from django.urls import reverse

from markets.models import Market
from markets.standards import check_market
from tests.factories.markets import MarketFactory, complete_market

LIST = reverse("markets:list")

# The row as the template engine rendered it before (market_list.html until issue 19).
TEMPLATE_ROWS = """{% load portal_tags %}{% for m, check in rows %}
    <tr>
      <td><a href="{% url_for 'markets:detail' m.pk %}">{{ m.name }}</a></td>
      <td>{{ m.county.parent.short_name }}</td>
      <td>{{ m.county.short_name }}</td>
      <td>{{ m.kind_label }}</td>
      <td>{{ m.get_nature_display }}</td>
      <td><span class="badge {% if m.status == 'operating' %}text-bg-success{% elif m.status == 'closed' %}\
text-bg-secondary{% else %}text-bg-warning{% endif %}">{{ m.get_status_display }}</span></td>
      <td>{% if check.compliant %}<span class="text-success">全部达标</span>{% else %}\
<span class="text-danger" title="{{ check.missed_text }}">{{ check.met_count }}/{{ check.total }}</span>{% endif %}</td>
      <td class="small text-muted">{{ m.updated_at|date:"Y-m-d H:i" }}</td>
    </tr>{% endfor %}"""


def tbody(html):
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", body).strip()


@pytest.fixture
def markets(nanming):
    compliant = complete_market(county=nanming)
    station = MarketFactory(county=nanming, kind="station", township="花溪镇", industry="", status="planning")
    closed = MarketFactory(county=nanming, status="closed", nature="commercial")
    # Straight to the row: the form would refuse it, and a list must escape it anyway.
    Market.objects.filter(pk=closed.pk).update(name='<script>alert("x")</script>')
    return compliant, station, closed


def test_a_row_shows_link_places_kind_status_and_check(client, province_user, markets):
    compliant, station, closed = markets
    client.force_login(province_user)
    row = tbody(client.get(LIST).content.decode())
    url = reverse("markets:detail", args=[compliant.pk])
    assert f'<tr><td><a href="{url}">{compliant.name}</a></td><td>贵阳市</td><td>南明区</td><td>综合</td>' in row
    assert '<span class="text-success">全部达标</span>' in row
    assert '<td>零工驿站（花溪镇）</td><td>公益性</td><td><span class="badge text-bg-warning">筹建中</span></td>' in row
    assert (
        '<td>市场化</td><td><span class="badge text-bg-secondary">已撤销</span></td>'
        '<td><span class="text-danger" title="' in row
    )


def test_user_data_is_escaped(client, province_user, markets):
    client.force_login(province_user)
    html = client.get(LIST).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a>" in html


def test_rows_are_what_the_template_rendered(client, province_user, markets):
    client.force_login(province_user)
    response = client.get(LIST)
    rows = [(m, check_market(m)) for m in response.context["page"]]
    expected = engines["django"].from_string(TEMPLATE_ROWS).render({"rows": rows})
    assert tbody(response.content.decode()) == re.sub(r">\s+<", "><", expected).strip()
