"""The 分级服务 badge that worker pages and lists show ({% tier_badge worker %})."""

import pytest
from django.template import engines
from django.urls import reverse

from tests.factories.registry import WorkerFactory

pytestmark = pytest.mark.django_db


def badge(worker):
    return engines["django"].from_string("{% load worker_tags %}{% tier_badge w %}").render({"w": worker})


def test_first_tier_is_red_with_a_star_and_says_why():
    html = badge(WorkerFactory(disabled=True, low_income=True))
    assert html == (
        '<span class="badge text-bg-danger registry-tier" title="残疾、低收入家庭">'
        '<i class="bi bi-star-fill"></i> 一级重点帮扶</span>'
    )


def test_second_tier_is_amber_with_half_a_star():
    html = badge(WorkerFactory(low_income=True))
    assert html == (
        '<span class="badge text-bg-warning registry-tier" title="低收入家庭">'
        '<i class="bi bi-star-half"></i> 二级优先帮扶</span>'
    )


def test_no_hardship_is_a_plain_grey_badge():
    html = badge(WorkerFactory())
    assert html == '<span class="badge text-bg-secondary registry-tier" title="无困难情形">普通</span>'


def test_the_worker_list_shows_each_rows_badge(client, county_user, market):
    WorkerFactory(registered_market=market, disabled=True)
    client.force_login(county_user)
    html = client.get(reverse("registry:worker_list")).content.decode()
    assert 'title="残疾"><i class="bi bi-star-fill"></i> 一级重点帮扶</span>' in html
