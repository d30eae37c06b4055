"""The worker list's rows, built in Python (registry/rows.py): what a row shows, escaped."""

import re

import pytest
from django.template import engines
from django.urls import reverse

from registry.models import Worker
from tests.factories.markets import TradeFactory
from tests.factories.registry import WorkerFactory, id_number_for

LIST = reverse("registry:worker_list")

# The row as the template engine rendered it before (worker_list.html until issue 19).
TEMPLATE_ROWS = """{% load portal_tags worker_tags %}{% for w in page %}
    <tr>
      <td>{% tier_badge w %}</td>
      <td><a href="{% url_for 'registry:worker_detail' w.pk %}">{{ w.name }}</a></td>
      <td class="font-monospace">{{ w.masked_id_number }}</td>
      <td>{{ w.get_gender_display }}</td>
      <td class="font-monospace">{{ w.masked_mobile }}</td>
      <td>{% for t in w.trades.all %}{{ t.name }}{% if not forloop.last %}、{% endif %}{% endfor %}</td>
      <td>{% if w.available_from %}{{ w.available_from|date:"m-d" }}{% endif %}{% if w.available_until %}\
至{{ w.available_until|date:"m-d" }}{% else %}起{% endif %}</td>
      <td>{{ w.county.short_name }}</td>
      <td>{{ w.registered_at|date:"Y-m-d" }}</td>
    </tr>{% endfor %}"""


def tbody(html):
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", body).strip()


@pytest.fixture
def worker(market):
    worker = WorkerFactory(registered_market=market, id_number=id_number_for(21), mobile="13812345678", disabled=True)
    worker.set_trades([TradeFactory(name="泥<瓦>工"), TradeFactory(name="保洁&家政")])
    # Straight to the row: the name rules would refuse it, and a list must escape it anyway.
    Worker.objects.filter(pk=worker.pk).update(
        name='<script>alert("x")</script>', available_from=None, available_until="2026-06-30"
    )
    return worker


def test_a_row_shows_link_name_masked_numbers_trades_and_badge(client, county_user, worker):
    client.force_login(county_user)
    html = client.get(LIST).content.decode()
    row = tbody(html)
    full = worker.full_id_number()
    assert f'<a href="{reverse("registry:worker_detail", args=[worker.pk])}">' in row
    assert f'<td class="font-monospace">{full[:4]}**********{full[-4:]}</td>' in row
    assert '<td class="font-monospace">138****5678</td>' in row
    assert full not in html and "13812345678" not in html
    assert 'title="残疾"><i class="bi bi-star-fill"></i> 一级重点帮扶</span>' in row
    assert "<td>泥&lt;瓦&gt;工、保洁&amp;家政</td>" in row
    assert "<td>至06-30</td>" in row


def test_user_data_is_escaped(client, county_user, worker):
    client.force_login(county_user)
    html = client.get(LIST).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a>" in html


def test_rows_are_what_the_template_rendered(client, county_user, worker, market):
    WorkerFactory(registered_market=market, low_income=True)
    WorkerFactory(registered_market=market, available_from="2026-03-01")
    client.force_login(county_user)
    response = client.get(LIST)
    expected = engines["django"].from_string(TEMPLATE_ROWS).render({"page": response.context["page"]})
    assert tbody(response.content.decode()) == re.sub(r">\s+<", "><", expected).strip()


def test_an_empty_list_says_so(client, county_user):
    client.force_login(county_user)
    assert "暂无零工登记。" in client.get(LIST).content.decode()
    assert "没有找到符合条件的零工。" in client.post(LIST, {"q": "查无此人"}).content.decode()
