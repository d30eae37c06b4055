"""Forms name their fields; fields a form does not name cannot be smuggled in.

Every ModelForm of the portal lists `Meta.fields` explicitly (never "__all__", never
`exclude`). Posting extra fields — another county's `county`, `market`, `division`,
`registered_market`, `created_by` — to the main create and edit pages changes nothing
outside the user's scope.
"""

import importlib
import inspect

import pytest
from django import forms

from gigmarket.core.models import User
from markets.models import Market
from matching.models import Placement, RightsCase
from registry.models import Employer, PolicyNote, Posting, TrainingOffer, Worker

from .dbstate import row_counts
from .matrix import (
    case_payload,
    employer_edit_payload,
    market_create_payload,
    market_edit_payload,
    placement_payload,
    policy_payload,
    posting_payload,
    posting_quick_payload,
    training_payload,
    user_payload,
    worker_edit_payload,
    worker_register_payload,
)

APPS = ["gigmarket.core", "markets", "registry", "matching", "reporting"]


def model_forms():
    found = {}
    for app in APPS:
        module = importlib.import_module(f"{app}.forms")
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.ModelForm) and obj.__module__ == module.__name__:
                found[f"{app}.forms.{name}"] = obj
    return found


def field_list_problems(form_class):
    meta = getattr(form_class, "Meta", None)
    problems = []
    fields = getattr(meta, "fields", None)
    if not isinstance(fields, list | tuple):
        problems.append(f"Meta.fields is {fields!r}, not an explicit list")
    if getattr(meta, "exclude", None):
        problems.append(f"Meta.exclude = {meta.exclude!r}")
    return problems


def test_every_model_form_lists_its_fields_explicitly():
    found = model_forms()
    assert len(found) >= 10, f"expected the portal's ModelForms, found only {sorted(found)}"
    problems = {name: field_list_problems(cls) for name, cls in found.items()}
    assert not {name: p for name, p in problems.items() if p}


def test_the_field_check_catches_all_and_exclude():
    def form_with(**meta):
        return type("Probe", (), {"Meta": type("Meta", (), {"model": PolicyNote, **meta})})

    assert field_list_problems(form_with(fields="__all__")) == ["Meta.fields is '__all__', not an explicit list"]
    assert "Meta.exclude = ['county']" in field_list_problems(form_with(exclude=["county"]))
    assert field_list_problems(form_with(fields=["title"])) == []


# Extra fields on the real pages --------------------------------------------------------


@pytest.fixture
def far(world):
    """Ids from 遵义 (out of everyone's scope below the province) to smuggle in."""
    other = world.staff("zunyi")
    return {
        "county": world.county("zunyi").pk,
        "division": world.county("zunyi").pk,
        "market": world.market("zunyi").pk,
        "registered_market": world.market("zunyi").pk,
        "created_by": other.pk,
        "registered_by": other.pk,
        "employer": world.employer("zunyi").pk,
        "worker": world.worker("zunyi").pk,
        "id_hash": "0" * 64,
        "name_last4_hash": "0" * 64,
        "mobile_hash": "0" * 64,
        "mobile_encrypted": "x",
        "birth_year": "1900",
        "idempotency_key": "00000000-0000-0000-0000-000000000000",
        "is_superuser": "on",
        "is_staff": "on",
    }


def _login(client, world, role):
    user = world.users[role]
    client.force_login(user)
    return user


def test_market_edit_ignores_another_county(client, world, far):
    user = _login(client, world, "county")
    market = world.market("nanming")
    data = {**market_edit_payload(world, "nanming", user), **far}
    assert client.post(f"/markets/{market.pk}/edit/", data).status_code == 302
    market.refresh_from_db()
    assert market.county == world.county("nanming")
    assert market.address == "矩阵改过的地址8号"


def test_market_create_in_another_county_is_refused_and_nothing_is_saved(client, world, far):
    user = _login(client, world, "county")
    before = Market.objects.count()
    data = {**market_create_payload(world, "nanming", user), "county": far["county"]}
    response = client.post("/markets/new/", data)
    assert response.status_code == 400
    assert "所选项目不可用，请重新选择" in response.content.decode()
    assert Market.objects.count() == before


def test_worker_registered_by_a_clerk_stays_in_the_clerks_market(client, world, far):
    user = _login(client, world, "clerk")
    data = {**worker_register_payload(world, "nanming", user), **far}
    data.pop("market")
    data["market"] = far["market"]
    assert client.post("/registry/workers/new/", data).status_code == 302
    worker = Worker.objects.latest("pk")
    assert worker.name == "矩阵登记"
    assert worker.county == world.county("nanming")
    assert worker.registered_market == user.market
    assert worker.registered_by == user


def test_county_user_cannot_register_a_worker_at_another_countys_market(client, world, far):
    user = _login(client, world, "county")
    counts = row_counts([Worker])
    data = {**worker_register_payload(world, "nanming", user), "market": far["market"]}
    assert client.post("/registry/workers/new/", data).status_code == 400
    assert row_counts([Worker]) == counts


def test_worker_edit_ignores_scope_and_identity_fields(client, world, far):
    user = _login(client, world, "county")
    worker = world.worker("nanming")
    identity = ("county", "registered_market", "id_hash", "name", "name_last4_hash", "birth_year", "mobile_hash")
    before = Worker.objects.filter(pk=worker.pk).values(*identity).get()
    data = {**worker_edit_payload(world, "nanming", user), **far, "name": "改名"}
    assert client.post(f"/registry/workers/{worker.pk}/edit/", data).status_code == 302
    after = Worker.objects.filter(pk=worker.pk).values(*identity).get()
    assert after == before
    worker.refresh_from_db()
    assert worker.notes == "矩阵修改"


def test_employer_edit_ignores_county_market_and_creator(client, world, far):
    user = _login(client, world, "clerk")
    employer = world.employer("nanming")
    before = Employer.objects.filter(pk=employer.pk).values("county", "registered_market", "created_by").get()
    data = {**employer_edit_payload(world, "nanming", user), **far}
    assert client.post(f"/registry/employers/{employer.pk}/edit/", data).status_code == 302
    after = Employer.objects.filter(pk=employer.pk).values("county", "registered_market", "created_by").get()
    assert after == before
    employer.refresh_from_db()
    assert employer.address == "矩阵改过的地址"


def test_quick_posting_lands_at_the_clerks_market_with_a_local_employer(client, world, far):
    user = _login(client, world, "clerk")
    extra = {f"{prefix}-{key}": value for key, value in far.items() for prefix in ("e", "p")}
    data = {**posting_quick_payload(world, "nanming", user), **far, **extra, "p-status": "filled"}
    assert client.post("/registry/postings/new/", data).status_code == 302
    posting = Posting.objects.latest("pk")
    assert posting.market == user.market
    assert posting.created_by == user
    assert posting.status == Posting.Status.OPEN
    assert posting.employer.county == world.county("nanming")
    assert posting.employer.name == "矩阵个人雇主"


def test_posting_for_a_known_employer_keeps_the_employer_and_market(client, world, far):
    user = _login(client, world, "clerk")
    employer = world.employer("nanming")
    data = {**posting_payload(world, "nanming", user), **far}
    assert client.post(f"/registry/employers/{employer.pk}/post/", data).status_code == 302
    posting = Posting.objects.latest("pk")
    assert (posting.employer, posting.market, posting.created_by) == (employer, user.market, user)


def test_training_offer_goes_to_the_users_county(client, world, far):
    user = _login(client, world, "county")
    data = {**training_payload(world, "nanming", user), **far}
    data.pop("market")
    assert client.post("/registry/training/new/", data).status_code == 302
    offer = TrainingOffer.objects.latest("pk")
    assert offer.county == world.county("nanming")
    assert offer.created_by == user


def test_training_offer_at_another_countys_market_is_refused(client, world, far):
    user = _login(client, world, "county")
    counts = row_counts([TrainingOffer])
    data = {**training_payload(world, "nanming", user), "market": far["market"]}
    assert client.post("/registry/training/new/", data).status_code == 400
    assert row_counts([TrainingOffer]) == counts


def test_policy_note_goes_to_the_users_county(client, world, far):
    user = _login(client, world, "clerk")
    data = {**policy_payload(world, "nanming", user), **far}
    assert client.post("/registry/policies/new/", data).status_code == 302
    note = PolicyNote.objects.latest("pk")
    assert (note.county, note.created_by) == (world.county("nanming"), user)


def test_rights_case_keeps_the_clerks_market_and_the_looked_up_worker(client, world, far):
    user = _login(client, world, "clerk")
    data = {**far, **case_payload(world, "nanming", user)}
    data["market"] = far["market"]
    assert client.post("/matching/cases/new/", data).status_code == 302
    case = RightsCase.objects.latest("pk")
    assert (case.market, case.worker, case.created_by) == (user.market, world.worker("nanming"), user)
    assert case.employer is None


def test_rights_case_at_another_countys_market_is_refused(client, world, far):
    user = _login(client, world, "county")
    counts = row_counts([RightsCase])
    data = {**case_payload(world, "nanming", user), "market": far["market"]}
    assert client.post("/matching/cases/new/", data).status_code == 400
    assert row_counts([RightsCase]) == counts


def test_placement_county_follows_the_worker(client, world, far):
    user = _login(client, world, "county")
    data = {**far, **placement_payload(world, "nanming", user)}
    assert client.post("/matching/placements/new/", data).status_code == 302
    placement = Placement.objects.latest("pk")
    # Only a recognised 就业困难人员 may take a 公益性岗位 without an override: the payload names one.
    assert (placement.county, placement.worker) == (world.county("nanming"), world.recognised("nanming"))


def test_placement_edit_cannot_move_it_to_another_worker_or_county(client, world, far):
    user = _login(client, world, "county")
    placement = world.placement("nanming")
    data = {**placement_payload(world, "nanming", user, worker=False), **far}
    assert client.post(f"/matching/placements/{placement.pk}/edit/", data).status_code == 302
    placement.refresh_from_db()
    assert (placement.county, placement.worker) == (world.county("nanming"), world.worker("nanming"))
    assert placement.post == "矩阵保洁"


def test_user_created_by_a_county_is_a_local_clerk_without_admin_rights(client, world, far):
    user = _login(client, world, "county")
    data = {**user_payload(world, "nanming", user), **far}
    data["market"] = world.market("nanming").pk
    data["division"] = ""  # a real field of the form: its scope check is the parametrized test below
    assert client.post("/users/new/", data).status_code == 302
    made = User.objects.get(username=data["username"])
    assert (made.role, made.division, made.market) == ("clerk", world.county("nanming"), world.market("nanming"))
    assert not made.is_superuser and not made.is_staff


@pytest.mark.parametrize(
    "change",
    [
        {"role": "province", "division": "520000"},
        {"role": "county", "division": "520302"},
        {"role": "clerk", "market": "zunyi"},
    ],
    ids=["to-province", "to-other-county", "to-other-market"],
)
def test_county_cannot_raise_or_move_a_clerk_out_of_scope(client, world, change):
    from gigmarket.core.models import Division

    user = _login(client, world, "county")
    target = world.staff("nanming")
    data = user_payload(world, "nanming", user, target=target)
    data["role"] = change["role"]
    if "division" in change:
        data["division"] = Division.objects.get(code=change["division"]).pk
    if "market" in change:
        data["market"] = world.market(change["market"]).pk
    response = client.post(f"/users/{target.pk}/", data)
    assert response.status_code == 400
    fresh = User.objects.get(pk=target.pk)
    assert (fresh.role, fresh.division, fresh.market, fresh.full_name) == (
        "clerk",
        world.county("nanming"),
        world.market("nanming"),
        target.full_name,
    )
