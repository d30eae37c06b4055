"""The admin is for looking: no superuser adds, changes or deletes a product record there.

A change in the admin would skip the portal's services (validation, history, audit). The
only editable admins are the core's accounts and divisions, which audit every save
themselves (`AuditedAdminMixin`).
"""

import inspect

import pytest
from django.contrib import admin
from django.test import RequestFactory

from gigmarket.core.admin import AuditedAdminMixin
from gigmarket.core.models import Division, User
from reporting.models import Submission

pytestmark = pytest.mark.django_db

EDITABLE = {
    Division: "audited: a county is renamed or deactivated by the superuser, each save audited",
    User: "audited: accounts and their scope, each save audited",
}


def _request(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return request


@pytest.fixture
def superuser():
    return User.objects.create_superuser(username="root-admin", password="Root-Pass-2026!")


OURS = {"gigmarket", "markets", "registry", "matching", "reporting"}


def _admins():
    """The project's admins and their inlines (third-party admins — celery beat, axes — are theirs)."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OURS:
            continue
        yield model, model_admin
        for inline in model_admin.get_inline_instances(_request(User(is_superuser=True, is_active=True))):
            yield inline.model, inline


def test_every_product_admin_is_read_only_even_for_a_superuser(superuser):
    request = _request(superuser)
    editable = []
    for model, model_admin in _admins():
        if model in EDITABLE:
            continue
        takes_obj = "obj" in inspect.signature(model_admin.has_add_permission).parameters  # inlines do
        rights = {
            "add": model_admin.has_add_permission(request, None)
            if takes_obj
            else model_admin.has_add_permission(request),
            "change": model_admin.has_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
        }
        if any(rights.values()):
            editable.append((model._meta.label, sorted(k for k, v in rights.items() if v)))
    assert editable == [], "\n".join(map(str, editable))


def test_the_editable_admins_audit_their_saves():
    for model in EDITABLE:
        assert isinstance(admin.site._registry[model], AuditedAdminMixin)


def test_reporting_submissions_cannot_be_changed_in_the_admin(client, superuser):
    """The case issue 14 found: a superuser could edit a submission outside the audited flow."""
    client.force_login(superuser)
    response = client.get("/admin/reporting/submission/add/")
    assert response.status_code == 403
    assert Submission.objects.count() == 0
