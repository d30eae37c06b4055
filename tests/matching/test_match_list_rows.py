"""The 对接记录 list's rows, built in Python (matching/rows.py): what a row shows, escaped."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import engines
from django.urls import reverse

from matching.models import Match
from registry.models import Employer, Worker
from tests.factories.matching import RightsCaseFactory, make_match
from tests.factories.registry import PostingFactory

LIST = reverse("matching:match_list")

# The row as the template engine rendered it before (match_list.html until issue 19).
TEMPLATE_ROWS = """{% load matching_tags portal_tags %}{% for m in page %}
    <tr>
      <td><a href="{% url_for 'matching:match_detail' m.pk %}">{{ m.created_at|date:"Y-m-d H:i" }}</a></td>
      <td>{{ m.worker.name }}</td>
      <td>{{ m.posting.trade.name }}</td>
      <td>{{ m.employer.name }}{% if m.open_wage_cases %} \
{% include "matching/_wage_flag.html" with count=m.open_wage_cases %}{% endif %}</td>
      <td class="small">{{ m.market.name }}</td>
      <td>{{ m.work_date|date:"Y-m-d" }}{% if m.is_multi_day %} 至 {{ m.work_date_end|date:"Y-m-d" }}{% endif %}</td>
      <td>{{ m.agreed_pay|floatformat:"-2" }}元/{{ m.get_pay_unit_display }}</td>
      <td>{% if m.insured %}已参保{% else %}未参保{% endif %}</td>
      <td>{% state_badge m %}</td>
    </tr>{% endfor %}"""


def tbody(html):
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", body)).strip()


@pytest.fixture
def matches(clerk, market):
    posting = PostingFactory(market=market, headcount=3)
    first = make_match(posting=posting, by=clerk, state="confirmed")
    second = make_match(posting=posting, by=clerk)
    Worker.objects.filter(pk=first.worker_id).update(name="<script>alert(1)</script>")
    Employer.objects.filter(pk=posting.employer_id).update(name="<b>黑心&公司</b>")
    day = datetime.date(2026, 5, 1)
    Match.objects.filter(pk=first.pk).update(
        work_date=day, work_date_end=day + datetime.timedelta(days=2), agreed_pay=Decimal("180.50")
    )
    Match.objects.filter(pk=second.pk).update(work_date=day, work_date_end=day, agreed_pay=Decimal("200.00"))
    for _ in range(2):
        RightsCaseFactory(employer_id=posting.employer_id, worker=first.worker, market=market)
    return first, second


def test_a_row_shows_link_names_dates_pay_flag_and_badge(client, clerk, matches):
    first, second = matches
    client.force_login(clerk)
    row = tbody(client.get(LIST).content.decode())
    assert f'<a href="{reverse("matching:match_detail", args=[first.pk])}">' in row
    assert "<td>2026-05-01 至 2026-05-03</td><td>180.50元/日</td>" in row
    assert "<td>2026-05-01</td><td>200元/日</td>" in row
    assert '<span class="badge text-bg-primary">已确认</span>' in row
    assert '<span class="badge text-bg-info">洽谈中</span>' in row
    assert "欠薪案件未结（2件）</span>" in row
    assert f"<td>{first.posting.trade.name}</td>" in row


def test_user_data_is_escaped(client, clerk, matches):
    client.force_login(clerk)
    html = client.get(LIST).content.decode()
    assert "<script>alert" not in html and "<b>黑心" not in html
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in html
    assert "&lt;b&gt;黑心&amp;公司&lt;/b&gt; <span" in tbody(html)


def test_rows_are_what_the_template_rendered(client, clerk, matches):
    client.force_login(clerk)
    response = client.get(LIST)
    expected = engines["django"].from_string(TEMPLATE_ROWS).render({"page": response.context["page"]})
    assert tbody(response.content.decode()) == re.sub(r"\s+", " ", re.sub(r">\s+<", "><", expected)).strip()


def test_an_empty_list_says_so(client, clerk):
    client.force_login(clerk)
    assert "暂无对接记录。" in client.get(LIST).content.decode()
