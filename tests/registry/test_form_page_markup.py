"""The form pages drawn with `{% bs_field %}` (gigmarket/core/templatetags/form_tags.py) show
the user what they showed with crispy: each page is rendered twice, once with its template
and once with the same template written back to crispy's filters (and the 求职工种 partial),
and the two are compared, whitespace runs as one space, on a fresh form and a refused one."""

import datetime
import re
import uuid
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories.markets import TradeFactory
from tests.factories.registry import EmployerFactory, WorkerFactory

NOW = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
NASTY = '<b>"它\'s" & 你</b>'
CONVERTED = (
    "registry/worker_edit.html",
    "registry/worker_register.html",
    "registry/posting_form.html",
    "registry/posting_quick.html",
)
TEMPLATE_DIR = django_settings.TEMPLATES[0]["DIRS"][0]


def as_crispy(source):
    """The template as it was before the tags: crispy's filters and the trades partial."""
    source = source.replace("{% load form_tags", "{% load crispy_forms_tags")
    source = re.sub(r"\{% bs_field (\S+) %\}", r"{{ \1|as_crispy_field }}", source)
    source = re.sub(r"\{% bs_form (\S+) %\}", r"{{ \1|crispy }}", source)
    return re.sub(
        r"\{% bs_inline_checks (\S+) %\}", r'{% include "registry/_trades_field.html" with field=\1 %}', source
    )


@pytest.fixture
def crispy_pages(tmp_path, settings):
    """Switches the converted templates to their crispy versions (the engine is rebuilt)."""
    for name in CONVERTED:
        source = (TEMPLATE_DIR / name).read_text()
        assert "as_crispy_field" not in source and "|crispy" not in source
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(as_crispy(source))

    def switch():
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    return switch


def normalised(response):
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    html = re.sub(r'<meta name="csrf-token" content="[^"]+"', "csrf", html)
    html = re.sub(r'name="token" value="[^"]+"', "token", html)
    return re.sub(r"\s+", " ", html)


def same_page(client, crispy_pages, url, data=None, status=200):
    def fetch(crispy):
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == status
        # Which way the fields were drawn: crispy's field template, or no template at all.
        names = {t.name for t in response.templates if t.name}
        form_templates = {n for n in names if n.startswith(("bootstrap5/", "django/forms/", "registry/_trades"))}
        assert ("bootstrap5/field.html" in form_templates) if crispy else not form_templates
        return normalised(response)

    with time_machine.travel(NOW, tick=False):  # the footer shows the time
        ours = fetch(crispy=False)
        crispy_pages()
        theirs = fetch(crispy=True)
    assert ours == theirs
    return ours


@pytest.fixture
def trades(db):
    return [TradeFactory(name="泥瓦工"), TradeFactory(name="搬运 & <装卸>")]


def test_worker_edit_page(client, clerk, market, trades, crispy_pages):
    worker = WorkerFactory(county=market.county, registered_market=market, notes=NASTY, trades=trades[:1])
    client.force_login(clerk)
    url = reverse("registry:worker_edit", args=[worker.pk])
    html = same_page(client, crispy_pages, url)
    assert "&lt;b&gt;&quot;它&#x27;s&quot; &amp; 你&lt;/b&gt;</textarea>" in html


def test_worker_edit_page_refused(client, clerk, market, trades, crispy_pages):
    worker = WorkerFactory(county=market.county, registered_market=market)
    client.force_login(clerk)
    data = {
        "education": "nope",
        "mobile": "123",
        "emergency_contact": NASTY,
        "emergency_phone": "abc",
        "available_from": "2026-13-01",
        "expected_pay": "abc",
        "pay_unit": "day",
        "trades": [trades[1].pk, 999999],
        "low_income": "on",
        "notes": NASTY,
    }
    html = same_page(client, crispy_pages, reverse("registry:worker_edit", args=[worker.pk]), data, status=400)
    assert "is-invalid" in html and "text-danger" in html


REGISTER = {
    "name": NASTY,
    "id_number": "52010219850615123X",
    "mobile": "13912345678",
    "available_from": datetime.date(2026, 1, 5).isoformat(),
    "available_until": "2026-01-01",
    "expected_pay": "-1",
    "pay_unit": "day",
    "notes": NASTY,
}


@pytest.mark.parametrize("post", [False, True], ids=["fresh", "refused"])
def test_worker_register_page(client, clerk, trades, crispy_pages, post):
    client.force_login(clerk)
    data = {**REGISTER, "trades": [trades[0].pk], "token": str(uuid.uuid4())} if post else None
    html = same_page(client, crispy_pages, reverse("registry:worker_register"), data, status=400 if post else 200)
    assert ("invalid-feedback" in html) is post


@pytest.mark.parametrize("post", [False, True], ids=["fresh", "refused"])
def test_worker_register_page_with_a_market_to_choose(client, county_user, market, trades, crispy_pages, post):
    client.force_login(county_user)
    data = {**REGISTER, "market": "", "token": "garbled"} if post else None
    html = same_page(client, crispy_pages, reverse("registry:worker_register"), data, status=400 if post else 200)
    assert 'name="market"' in html


POSTING = {
    "trade": "",
    "headcount": "0",
    "pay": "abc",
    "pay_unit": "day",
    "work_date": "2000-01-01",
    "start_time": "25:00",
    "place": NASTY,
    "requirements": NASTY,
}


@pytest.mark.parametrize("post", [False, True], ids=["fresh", "refused"])
def test_posting_quick_page(client, clerk, trades, crispy_pages, post):
    client.force_login(clerk)
    data = None
    if post:
        data = {"e-name": NASTY, "e-kind": "enterprise", "e-phone": "12", **{f"p-{k}": v for k, v in POSTING.items()}}
    html = same_page(client, crispy_pages, reverse("registry:posting_quick"), data, status=400 if post else 200)
    assert ("is-invalid" in html) is post


@pytest.mark.parametrize("post", [False, True], ids=["fresh", "refused"])
def test_posting_form_page(client, clerk, trades, crispy_pages, post):
    employer = EmployerFactory(county=clerk.market.county)
    client.force_login(clerk)
    url = reverse("registry:posting_create", args=[employer.pk])
    html = same_page(client, crispy_pages, url, POSTING if post else None, status=400 if post else 200)
    assert ("is-invalid" in html) is post
