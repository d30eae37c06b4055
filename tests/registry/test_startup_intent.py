"""创业意愿 on the worker: edited at the counter, a filter of the worker list, and the open 创业培训 offers."""

import datetime

from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import AuditEvent
from registry.models import TrainingOffer, Worker
from tests.factories.core import division
from tests.factories.registry import TrainingOfferFactory, WorkerFactory, id_number_for

TODAY = timezone.localdate()


def test_the_counter_records_the_intent_and_it_is_audited(client, clerk, market):
    worker = WorkerFactory(registered_market=market, mobile="13812345678")
    client.force_login(clerk)
    data = {"mobile": "13812345678", "pay_unit": "day", "startup_intent": "planned", "startup_note": "开早餐店"}
    assert client.post(reverse("registry:worker_edit", args=[worker.pk]), data).status_code == 302
    worker.refresh_from_db()
    assert worker.startup_intent == Worker.StartupIntent.PLANNED and worker.startup_note == "开早餐店"
    event = AuditEvent.objects.get(action="update", target_id=str(worker.pk))
    assert "startup_intent" in event.changes


def test_the_worker_list_filters_by_intent(client, clerk, market):
    planned = WorkerFactory(registered_market=market, startup_intent="planned", name="有计划")
    considering = WorkerFactory(registered_market=market, startup_intent="considering", name="有意向")
    none = WorkerFactory(registered_market=market, name="无意愿")
    client.force_login(clerk)

    def names(value):
        page = client.get(reverse("registry:worker_list"), {"startup": value}).context["page"]
        return {w.pk for w in page}

    assert names("any") == {planned.pk, considering.pk}
    assert names("planned") == {planned.pk}
    assert names("") >= {planned.pk, considering.pk, none.pk}
    assert names("bogus") >= {none.pk}  # an unknown value filters nothing


def test_worker_page_lists_open_startup_training_in_scope(client, clerk, market):
    worker = WorkerFactory(registered_market=market, startup_intent="considering")
    open_offer = TrainingOfferFactory(course="SYB创业培训第1期", kind=TrainingOffer.Kind.STARTUP)
    TrainingOfferFactory(
        course="已结束的创业培训",
        kind="创业培训",
        start_date=TODAY - datetime.timedelta(days=30),
        end_date=TODAY - datetime.timedelta(days=1),
    )
    TrainingOfferFactory(course="电工培训", kind=TrainingOffer.Kind.SHORTAGE)
    TrainingOfferFactory(course="遵义的创业培训", kind="创业培训", county=division("520302"))
    TrainingOfferFactory(course="未发布的创业培训", kind="创业培训", is_published=False)
    client.force_login(clerk)
    response = client.get(reverse("registry:worker_detail", args=[worker.pk]))
    assert list(response.context["startup_offers"]) == [open_offer]
    assert "SYB创业培训第1期" in response.content.decode()


def test_no_startup_section_without_intent(client, clerk, market):
    worker = WorkerFactory(registered_market=market, id_number=id_number_for(55))
    TrainingOfferFactory(course="SYB创业培训第2期", kind="创业培训")
    client.force_login(clerk)
    response = client.get(reverse("registry:worker_detail", args=[worker.pk]))
    assert "可报名的创业培训" not in response.content.decode()
