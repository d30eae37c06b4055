"""Every non-public page needs a login; pages speak Chinese."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# URL names anyone may open without logging in. A new public page is added here on purpose.
PUBLIC_URL_NAMES = {
    "home",
    "login",
    "logout",
    "markets:directory",
    "markets:directory_detail",
    "markets:directory_qr",
    "registry:board",
    "registry:public_postings",
    "registry:public_policies",
    "jobs:search",
    "jobs:large_type",
    "jobs:apply",
    "jobs:my",
    "jobs:my_logout",
    "jobs:my_withdraw",
    "prereg:register",
    "prereg:withdraw",
    "hire:form",
    "hire:mine",
    "healthz",
    "csp_report",
    "reporting:open_csv",
    "reporting:open_json",
    # The provider's reply webhook (404 unless its secret token matches) and the demo's
    # message page (404 unless DEBUG).
    "sms:inbound",
    "sms:demo",
}


def iter_patterns(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            ns = p.namespace or namespace
            yield from iter_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name


def concrete(route):
    """Fill converters with sample values: ints → 1, others → 'x'."""
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug|uuid|path):?\w*>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


ALL_ROUTES = sorted(set(iter_patterns(get_resolver().url_patterns)), key=lambda r: r[0])
NON_PUBLIC_ROUTES = [(route, name) for route, name in ALL_ROUTES if name not in PUBLIC_URL_NAMES]


def test_public_list_names_real_pages():
    assert {name for _, name in ALL_ROUTES} >= PUBLIC_URL_NAMES


@pytest.mark.parametrize(("route", "name"), NON_PUBLIC_ROUTES)
def test_non_public_pages_require_login(client, db, route, name):
    response = client.get(concrete(route))
    assert response.status_code == 302, f"{route} ({name}) is reachable without login"
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_chinese(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "工作人员登录" in body
    assert "登录账号" in body and "密码" in body
    assert 'lang="zh-CN"' in body


def test_failed_login_message_is_chinese(client, county_user):
    body = client.post("/accounts/login/", {"username": "nm_county", "password": "x"}).content.decode()
    assert "登录账号或密码不正确" in body


@pytest.mark.parametrize("username", ["prov", "auditor", "gy_city", "nm_county", "nm_clerk"])
def test_every_role_gets_a_chinese_dashboard(
    client, request, username, province_user, auditor, city_user, county_user, clerk
):
    user = {u.username: u for u in [province_user, auditor, city_user, county_user, clerk]}[username]
    client.force_login(user)
    body = client.get("/").content.decode()
    assert "工作台" in body
    assert user.get_role_display() in body
    assert user.scope_label in body


def test_anonymous_home_is_public_and_chinese(client, db):
    body = client.get("/").content.decode()
    assert "贵州省零工市场" in body


def test_unknown_page_is_a_chinese_404(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
