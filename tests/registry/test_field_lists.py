"""Each write's field list is declared once, in `registry.services`: the forms read the same tuple.

So a field added to a service's list is on its form and in the data the form hands the
service (and one added to the form alone fails here).
"""

import pytest

from registry import forms, need_forms, services
from tests.factories.registry import WorkerFactory

PAIRS = [
    (forms.WorkerDetailsForm, (*services.WORKER_EDIT_FIELDS, "trades")),
    (forms.EmployerForm, services.EMPLOYER_FIELDS),
    (forms.PostingForm, services.POSTING_DATA_FIELDS),
    (forms.TrainingOfferForm, services.TRAINING_FIELDS),
    (forms.PolicyNoteForm, services.POLICY_FIELDS),
]


@pytest.mark.parametrize(("form_class", "fields"), PAIRS, ids=lambda value: getattr(value, "__name__", ""))
def test_the_model_form_edits_exactly_the_fields_its_service_accepts(form_class, fields):
    assert tuple(form_class._meta.fields) == tuple(fields)
    assert set(form_class.base_fields) >= set(fields)


def test_the_quick_registration_form_has_every_quick_field():
    assert set(forms.WorkerQuickForm.base_fields) >= set(services.WORKER_QUICK_FIELDS)


def test_the_online_need_form_has_every_field_need_submit_takes():
    assert set(need_forms.NeedForm.base_fields) >= set(services.NEED_SUBMIT_FIELDS)


def test_the_audit_lists_are_built_from_the_same_tuples():
    assert services.WORKER_AUDIT_FIELDS[2:] == list(services.WORKER_EDIT_FIELDS)
    assert services.POSTING_FIELDS[1:-1] == list(services.POSTING_DATA_FIELDS)
    assert set(services.NEED_SUBMIT_FIELDS) <= set(services.NEED_FIELDS)


@pytest.mark.django_db
def test_every_field_the_edit_form_takes_is_stored_by_the_service(market, county_user):
    worker = WorkerFactory(registered_market=market)
    data = {
        "mobile": "13800000009",
        "available_from": "2026-03-01",
        "pay_unit": "day",
        "startup_intent": "none",
        "notes": "会开叉车",
        "certificates": "电工证",
    }
    form = forms.WorkerDetailsForm(data, instance=worker)
    assert form.is_valid(), form.errors
    handed = form.service_data()
    assert set(handed) == set(services.WORKER_EDIT_FIELDS)
    services.worker_update(worker=worker, data=handed, by=county_user)
    worker.refresh_from_db()
    assert (worker.notes, worker.certificates, worker.mobile) == ("会开叉车", "电工证", "13800000009")
