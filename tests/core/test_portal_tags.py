"""The rendering shortcuts of issue 19: URLs from a cached pattern, the navigation per role."""

import re

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from gigmarket.core.templatetags.portal_tags import NavCacheError
from gigmarket.core.urlcache import url_for
from tests.factories.core import UserFactory


def nav_of(client, user):
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    start = html.index('<ul class="navbar-nav me-auto">')
    return html[start : html.index('<ul class="navbar-nav">', start)]


def test_url_for_is_what_reverse_gives():
    assert url_for("markets:detail", 42) == reverse("markets:detail", args=[42])
    assert url_for("markets:detail", "7") == reverse("markets:detail", args=[7])
    assert url_for("registry:worker_list") == reverse("registry:worker_list")
    assert url_for("matching:posting_candidates", 918) == reverse("matching:posting_candidates", args=[918])


def test_url_for_follows_the_script_prefix():
    set_script_prefix("/portal/")
    try:
        assert url_for("markets:detail", 5) == reverse("markets:detail", args=[5]) == "/portal/markets/5/"
    finally:
        set_script_prefix("/")
    assert url_for("markets:detail", 5) == "/markets/5/"


@pytest.mark.parametrize("bad", ["5/../../admin", "abc", -1])
def test_url_for_refuses_anything_but_a_non_negative_integer(bad):
    with pytest.raises(ValueError):
        url_for("markets:detail", bad)


def test_the_tag_renders_the_same_link_as_the_url_tag():
    template = engines["django"].from_string(
        "{% load portal_tags %}{% url_for 'markets:detail' pk %}|{% url 'markets:detail' pk %}"
    )
    first, second = template.render({"pk": 31}).split("|")
    assert first == second == reverse("markets:detail", args=[31])


@pytest.mark.django_db
def test_each_role_keeps_its_own_navigation(client, clerk, province_user, county_user, auditor):
    # Rendered in turn through the one cached block: no role sees another role's entries.
    clerk_nav = nav_of(client, clerk)
    province_nav = nav_of(client, province_user)
    county_nav = nav_of(client, county_user)
    auditor_nav = nav_of(client, auditor)
    assert 'accesskey="1">登记零工' in clerk_nav
    for nav in (province_nav, county_nav, auditor_nav):
        assert "登记零工" not in nav
        assert "accesskey" not in nav
    assert "报送规则" in province_nav and "报送规则" in auditor_nav
    assert "报送规则" not in county_nav and "报送规则" not in clerk_nav
    assert "账号管理" in province_nav and "账号管理" in county_nav
    assert "账号管理" not in clerk_nav and "账号管理" not in auditor_nav
    assert "审计日志" not in clerk_nav
    assert "历史名录" not in clerk_nav and "历史名录" in county_nav
    # And a second clerk gets the clerk's navigation from the cache, links intact.
    again = nav_of(client, UserFactory(role="clerk", division=clerk.division, market=clerk.market))
    assert again == clerk_nav
    assert f'href="{reverse("registry:worker_list")}"' in again


@pytest.mark.django_db
def test_a_superuser_clerk_is_not_served_a_plain_clerks_navigation(client, clerk):
    plain = nav_of(client, clerk)
    admin = UserFactory(role="clerk", division=clerk.division, market=clerk.market, is_superuser=True)
    admin_nav = nav_of(client, admin)
    # The "or user.is_superuser" branches: 账号管理 and 审计日志 for the superuser only.
    assert "账号管理" in admin_nav and "审计日志" in admin_nav
    assert "账号管理" not in plain and "审计日志" not in plain


def test_the_per_user_badge_and_name_stay_outside_the_cached_block():
    base = engines["django"].engine.get_template("base.html").source
    cached = re.search(r"{% navcache .*?%}(.*?){% endnavcache %}", base, re.S).group(1)
    assert "display_name" not in cached and "_nav_right" not in cached


def test_a_cached_block_that_reads_an_unlisted_attribute_fails_loudly():
    template = engines["django"].from_string(
        '{% load portal_tags %}{% navcache user "role" %}{{ user.role }} {{ user.full_name }}{% endnavcache %}'
    )

    class U:
        role = "clerk"
        full_name = "张三"

    with pytest.raises(NavCacheError, match="full_name"):
        template.render({"user": U()})


def test_a_cached_block_that_reads_another_variable_fails_loudly():
    template = engines["django"].from_string(
        '{% load portal_tags %}{% navcache user "role" %}{{ user.role }}{{ unread }}{% endnavcache %}'
    )

    class U:
        role = "county"

    with pytest.raises(NavCacheError, match="unread"):
        template.render({"user": U(), "unread": 3})
