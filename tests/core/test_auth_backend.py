"""The session's user read (PortalModelBackend): one query with division and market, old sessions kept."""

from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client

from gigmarket.core.security import LEGACY_SESSION_BACKEND, PortalModelBackend
from tests.factories.core import TEST_PASSWORD

LOGIN = "/accounts/login/"


def test_a_login_stores_the_portal_backend(client, clerk):
    response = client.post(LOGIN, {"username": clerk.username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "gigmarket.core.security.PortalModelBackend"


def test_the_user_comes_with_division_parent_and_market_in_one_query(clerk, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = PortalModelBackend().get_user(clerk.pk)
        label = user.scope_label
        city = user.division.parent
    assert label == f"{clerk.division.name} · {clerk.market.name}"
    assert city == clerk.division.parent


def test_a_session_stored_under_the_old_backend_path_still_works(clerk):
    client = Client()
    client.force_login(clerk, backend=LEGACY_SESSION_BACKEND)
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == clerk
    assert clerk.market.name in response.content.decode()


def test_an_old_session_of_a_deactivated_user_is_signed_out(clerk):
    client = Client()
    client.force_login(clerk, backend=LEGACY_SESSION_BACKEND)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated


def test_a_wrong_password_is_checked_once(rf, clerk, monkeypatch):
    checked = []
    original = AbstractBaseUser.check_password

    def counting(self, raw_password):
        checked.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    request = rf.post(LOGIN, REMOTE_ADDR="10.0.0.1")
    assert authenticate(request, username=clerk.username, password="wrong-Pass-1") is None
    assert checked == ["wrong-Pass-1"]
    assert authenticate(request, username=clerk.username, password=TEST_PASSWORD) == clerk
