"""Recording a training sign-up's progress: 参训, 结业, 退出, 恢复报名."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gigmarket.core.models import AuditEvent
from registry import services
from registry.models import TrainingSignup
from tests.factories.registry import TrainingOfferFactory, TrainingSignupFactory, WorkerFactory

Status = TrainingSignup.Status


@pytest.fixture
def offer(clerk):
    return TrainingOfferFactory(county=clerk.market.county, course="电工培训")


def signup_for(offer, market, status=Status.SIGNED):
    return TrainingSignupFactory(offer=offer, worker=WorkerFactory(registered_market=market), status=status)


def status_url(signup, offer=None):
    return reverse("registry:training_signup_status", args=[(offer or signup.offer).pk, signup.pk])


def transitions_of(signup):
    return list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.TRANSITION, target_type="registry.trainingsignup", target_id=str(signup.pk)
        )
        .order_by("pk")
        .values_list("changes", flat=True)
    )


def test_clerk_records_attending_then_completed_with_an_audit_row_each(client, clerk, offer):
    signup = signup_for(offer, clerk.market)
    client.force_login(clerk)

    response = client.post(status_url(signup), {"to": "attending"}, follow=True)
    assert response.redirect_chain == [(reverse("registry:training_detail", args=[offer.pk]), 302)]
    assert "已变更为“参训中”" in response.content.decode()
    client.post(status_url(signup), {"to": "completed"})

    signup.refresh_from_db()
    assert signup.status == Status.COMPLETED
    assert transitions_of(signup) == [{"status": ["signed", "attending"]}, {"status": ["attending", "completed"]}]
    event = AuditEvent.objects.filter(target_id=str(signup.pk), action=AuditEvent.Action.TRANSITION).first()
    assert event.actor == clerk
    assert event.county == offer.county


@pytest.mark.parametrize("start", [Status.SIGNED, Status.ATTENDING])
def test_a_signed_or_attending_worker_can_withdraw(client, county_user, offer, clerk, start):
    signup = signup_for(offer, clerk.market, status=start)
    client.force_login(county_user)
    client.post(status_url(signup), {"to": "withdrawn"})
    signup.refresh_from_db()
    assert signup.status == Status.WITHDRAWN
    assert transitions_of(signup) == [{"status": [start.value, "withdrawn"]}]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Status.SIGNED, Status.COMPLETED),  # 结业 only after 参训
        (Status.ATTENDING, Status.SIGNED),
        (Status.COMPLETED, Status.ATTENDING),
        (Status.COMPLETED, Status.WITHDRAWN),
        (Status.WITHDRAWN, Status.ATTENDING),
        (Status.WITHDRAWN, Status.COMPLETED),
    ],
)
def test_an_illegal_transition_is_refused_with_a_message_and_nothing_changes(client, clerk, offer, start, to):
    signup = signup_for(offer, clerk.market, status=start)
    client.force_login(clerk)
    response = client.post(status_url(signup), {"to": to.value}, follow=True)
    assert response.status_code == 200
    assert f"“{start.label}”的报名不能变更为“{to.label}”" in response.content.decode()
    signup.refresh_from_db()
    assert signup.status == start
    assert transitions_of(signup) == []


@pytest.mark.parametrize("payload", [{"to": "finished"}, {"to": ""}, {}])
def test_a_bad_value_is_refused_with_a_message(client, clerk, offer, payload):
    signup = signup_for(offer, clerk.market)
    client.force_login(clerk)
    response = client.post(status_url(signup), payload, follow=True)
    assert response.status_code == 400
    assert "无效的操作" in response.content.decode()
    signup.refresh_from_db()
    assert signup.status == Status.SIGNED
    assert transitions_of(signup) == []


def test_the_service_refuses_a_bad_value_in_chinese(clerk, offer):
    signup = signup_for(offer, clerk.market)
    with pytest.raises(ValidationError, match="无效的报名状态"):
        services.training_signup_transition(signup=signup, to="finished", by=clerk)


def test_repeating_the_current_status_changes_nothing(client, clerk, offer):
    signup = signup_for(offer, clerk.market, status=Status.ATTENDING)
    client.force_login(clerk)
    response = client.post(status_url(signup), {"to": "attending"}, follow=True)
    assert "已是“参训中”" in response.content.decode()
    assert transitions_of(signup) == []


def test_withdrawing_frees_a_place_on_a_full_offer(client, clerk):
    offer = TrainingOfferFactory(county=clerk.market.county, capacity=1)
    first = signup_for(offer, clerk.market)
    newcomer = WorkerFactory(registered_market=clerk.market)
    client.force_login(clerk)
    detail = reverse("registry:training_detail", args=[offer.pk])
    assert client.post(detail, {"person": newcomer.mobile}).status_code == 400  # full

    client.post(status_url(first), {"to": "withdrawn"})
    assert client.post(detail, {"person": newcomer.mobile}).status_code == 302

    assert offer.signups.get(worker=newcomer).status == Status.SIGNED


def test_reactivating_is_refused_while_the_offer_is_full(client, clerk):
    offer = TrainingOfferFactory(county=clerk.market.county, capacity=1)
    withdrawn = signup_for(offer, clerk.market, status=Status.WITHDRAWN)
    signup_for(offer, clerk.market)
    client.force_login(clerk)
    response = client.post(status_url(withdrawn), {"to": "signed"}, follow=True)
    assert "名额已满，不能恢复报名" in response.content.decode()
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWN
    assert transitions_of(withdrawn) == []


def test_reactivating_takes_a_free_place(client, clerk):
    offer = TrainingOfferFactory(county=clerk.market.county, capacity=2)
    withdrawn = signup_for(offer, clerk.market, status=Status.WITHDRAWN)
    signup_for(offer, clerk.market, status=Status.COMPLETED)  # a completed sign-up still holds its place
    client.force_login(clerk)
    client.post(status_url(withdrawn), {"to": "signed"})
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.SIGNED
    assert transitions_of(withdrawn) == [{"status": ["withdrawn", "signed"]}]
    # Now the offer is full again.
    with pytest.raises(services.TrainingFull):
        services.training_signup(offer=offer, worker=WorkerFactory(registered_market=clerk.market), by=clerk)


def test_other_county_gets_404_and_nothing_changes(client, county2_user, clerk, offer):
    signup = signup_for(offer, clerk.market)
    client.force_login(county2_user)
    assert client.post(status_url(signup), {"to": "attending"}).status_code == 404
    signup.refresh_from_db()
    assert signup.status == Status.SIGNED
    assert transitions_of(signup) == []


def test_a_signup_of_another_offer_is_404(client, clerk, offer):
    other_offer = TrainingOfferFactory(county=clerk.market.county)
    signup = signup_for(other_offer, clerk.market)
    client.force_login(clerk)
    assert client.post(status_url(signup, offer=offer), {"to": "attending"}).status_code == 404
    signup.refresh_from_db()
    assert signup.status == Status.SIGNED


def test_auditor_gets_403_and_sees_no_buttons(client, auditor, clerk, offer):
    signup = signup_for(offer, clerk.market)
    client.force_login(auditor)
    assert client.post(status_url(signup), {"to": "attending"}).status_code == 403
    signup.refresh_from_db()
    assert signup.status == Status.SIGNED
    body = client.get(reverse("registry:training_detail", args=[offer.pk])).content.decode()
    assert signup.worker.name in body
    assert status_url(signup) not in body


def test_get_is_405(client, clerk, offer):
    signup = signup_for(offer, clerk.market)
    client.force_login(clerk)
    assert client.get(status_url(signup)).status_code == 405


def test_detail_page_offers_the_next_statuses_of_each_row(client, clerk, offer):
    signed = signup_for(offer, clerk.market)
    completed = signup_for(offer, clerk.market, status=Status.COMPLETED)
    withdrawn = signup_for(offer, clerk.market, status=Status.WITHDRAWN)
    client.force_login(clerk)
    body = client.get(reverse("registry:training_detail", args=[offer.pk])).content.decode()
    signed_form = body.split(f'action="{status_url(signed)}"', 1)[1].split("</td>", 1)[0]
    assert 'value="attending"' in signed_form and 'value="withdrawn"' in signed_form
    assert 'value="completed"' not in signed_form
    assert status_url(completed) not in body  # 已结业 is final
    assert f'action="{status_url(withdrawn)}"' in body
    assert "<script>" not in body


# session, user, offer, the base template's unread count, county and market, signups with workers
DETAIL_QUERIES = 5  # issue 19: the user menu's division and market come with the session's user


def test_detail_page_query_count_does_not_grow_with_signups(client, clerk, offer, django_assert_num_queries):
    signup_for(offer, clerk.market)
    client.force_login(clerk)
    url = reverse("registry:training_detail", args=[offer.pk])
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200
    for status in (Status.SIGNED, Status.ATTENDING, Status.COMPLETED, Status.WITHDRAWN):
        signup_for(offer, clerk.market, status=status)
    with django_assert_num_queries(DETAIL_QUERIES):
        body = client.get(url).content.decode()
    assert body.count('name="to"') == 2 + 2 + 2 + 0 + 1


def test_signing_up_a_withdrawn_worker_again_points_to_the_restore_button(client, clerk, offer):
    signup = signup_for(offer, clerk.market, status=Status.WITHDRAWN)
    client.force_login(clerk)
    url = reverse("registry:training_detail", args=[offer.pk])
    body = client.post(url, {"person": signup.worker.mobile}, follow=True).content.decode()
    assert "已退出本培训" in body and "恢复报名" in body
    signup.refresh_from_db()
    assert signup.status == Status.WITHDRAWN
    assert offer.signups.count() == 1
