from django.urls import reverse

from gigmarket.core.models import AuditEvent
from registry.models import WindowVisit
from tests.factories.registry import WorkerFactory

RECORD = reverse("registry:visit_record")


def test_one_click_records_a_visit_without_a_person(client, clerk):
    client.force_login(clerk)
    response = client.post(RECORD, {"window": "rights"})
    assert response.status_code == 302
    visit = WindowVisit.objects.get()
    assert (visit.window, visit.market, visit.worker, visit.clerk) == ("rights", clerk.market, None, clerk)
    assert AuditEvent.objects.filter(action="create", target_type="registry.windowvisit").exists()


def test_a_visit_can_name_the_person_by_phone(client, clerk):
    worker = WorkerFactory(registered_market=clerk.market, mobile="13611112222")
    client.force_login(clerk)
    client.post(RECORD, {"window": "training", "person": "136 1111 2222", "topic": "电工培训"})
    visit = WindowVisit.objects.get()
    assert visit.worker == worker and visit.topic == "电工培训"


def test_an_unknown_person_keeps_the_input_and_records_nothing(client, clerk):
    client.force_login(clerk)
    response = client.post(RECORD, {"window": "policy", "person": "13600000000", "topic": "社保补贴"})
    assert response.status_code == 400
    assert "社保补贴" in response.content.decode()
    assert WindowVisit.objects.count() == 0


def test_desk_counts_todays_visits_per_window(client, clerk):
    client.force_login(clerk)
    for window in ["rights", "rights", "policy"]:
        client.post(RECORD, {"window": window})
    counts = client.get(reverse("registry:desk")).context["counts"]
    assert counts == {"register": 0, "training": 0, "rights": 2, "policy": 1}


def test_county_staff_and_auditors_cannot_record_visits(client, county_user, auditor):
    for user in (county_user, auditor):
        client.force_login(user)
        assert client.post(RECORD, {"window": "rights"}).status_code == 403
    assert WindowVisit.objects.count() == 0


def test_visit_list_is_scoped(client, clerk, county2_user):
    client.force_login(clerk)
    client.post(RECORD, {"window": "rights"})
    client.force_login(county2_user)
    assert list(client.get(reverse("registry:visit_list")).context["page"]) == []
