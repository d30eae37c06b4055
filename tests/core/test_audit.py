from gigmarket.core.audit import audit_record, diff
from gigmarket.core.models import AuditEvent
from gigmarket.core.services import user_update
from tests.factories.core import UserFactory


def test_it_derives_county_and_city_from_the_target(market, county_user):
    event = audit_record(actor=county_user, action="update", target=market, changes={"address": ["a", "b"]})
    assert event.county == market.county
    assert event.city == market.county.parent
    assert event.target_type == "markets.market"
    assert event.actor_username == "nm_county"


def test_diff_reports_only_the_changed_fields():
    changes = diff({"a": 1, "b": "x", "phone": "13800000000"}, {"a": 2, "b": "x", "phone": "13900000000"})
    assert changes == {"a": [1, 2], "phone": ["13800000000", "13900000000"]}


def test_user_update_writes_an_audit_row_with_masked_phone(county_user):
    clerk = UserFactory(role="clerk", division=county_user.division, phone="13800000000")
    user_update(user=clerk, data={"phone": "13911112222", "full_name": "新名字"}, by=county_user)
    event = AuditEvent.objects.get(action="update", target_id=str(clerk.pk))
    assert event.changes["phone"] == ["***", "***"]
    assert event.changes["full_name"][1] == "新名字"
    assert "13911112222" not in str(event.changes)


def test_login_and_failed_login_are_audited(client, county_user):
    from tests.factories.core import TEST_PASSWORD

    client.post("/accounts/login/", {"username": "nm_county", "password": "wrong"})
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    client.post("/accounts/login/", {"username": "nm_county", "password": TEST_PASSWORD})
    assert AuditEvent.objects.filter(action="login", actor=county_user).count() == 1
