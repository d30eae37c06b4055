from django.urls import reverse

from registry.models import PolicyNote, TrainingSignup, WindowVisit
from tests.factories.registry import PolicyNoteFactory, TrainingOfferFactory, WorkerFactory


def test_clerk_signs_a_worker_up_once(client, clerk):
    offer = TrainingOfferFactory(county=clerk.market.county)
    worker = WorkerFactory(registered_market=clerk.market, mobile="13655556666")
    client.force_login(clerk)
    url = reverse("registry:training_detail", args=[offer.pk])
    client.post(url, {"person": "13655556666"})
    client.post(url, {"person": worker.full_id_number()})
    assert TrainingSignup.objects.filter(offer=offer, worker=worker).count() == 1
    assert WindowVisit.objects.filter(window="training", worker=worker).count() == 1


def test_a_full_training_refuses_more_signups(client, clerk):
    offer = TrainingOfferFactory(county=clerk.market.county, capacity=1)
    first = WorkerFactory(registered_market=clerk.market)
    second = WorkerFactory(registered_market=clerk.market)
    client.force_login(clerk)
    url = reverse("registry:training_detail", args=[offer.pk])
    client.post(url, {"person": first.mobile})
    response = client.post(url, {"person": second.mobile})
    assert response.status_code == 400
    assert "名额已满" in response.content.decode()
    assert list(offer.signups.values_list("worker", flat=True)) == [first.pk]


def test_county_user_publishes_a_training_offer(client, county_user):
    client.force_login(county_user)
    data = {"course": "焊工培训", "start_date": "2026-12-01", "end_date": "2026-12-10", "mode": "offline"}
    response = client.post(reverse("registry:training_create"), data)
    assert response.status_code == 302
    assert county_user.division.registry_training_offers.get().course == "焊工培训"


def test_other_county_training_is_404(client, county2_user, nanming):
    offer = TrainingOfferFactory(county=nanming)
    client.force_login(county2_user)
    assert client.get(reverse("registry:training_detail", args=[offer.pk])).status_code == 404


def test_public_policy_page_shows_public_notes_only(client, nanming):
    PolicyNoteFactory(county=nanming, title="公开的解读")
    PolicyNoteFactory(county=nanming, title="内部的解读", is_public=False)
    body = client.get(reverse("registry:public_policies")).content.decode()
    assert "公开的解读" in body and "内部的解读" not in body


def test_county_user_publishes_and_edits_a_policy_note(client, county_user, county2_user):
    client.force_login(county_user)
    data = {"category": "insurance", "title": "意外伤害保险", "body": "内容", "source": "", "is_public": "on"}
    assert client.post(reverse("registry:policy_create"), data).status_code == 302
    note = PolicyNote.objects.get()
    client.force_login(county2_user)
    edit = reverse("registry:policy_edit", args=[note.pk])
    assert client.post(edit, {**data, "title": "改掉"}).status_code == 404
    note.refresh_from_db()
    assert note.title == "意外伤害保险"
