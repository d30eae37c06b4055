from django.core.management import call_command

from gigmarket.core.models import User
from markets.models import Market


def counts():
    return {
        model.__name__: model.objects.count()
        for model in __import__("django.apps", fromlist=["apps"]).apps.get_models()
        if model._meta.app_label in {"gigmarket", "markets", "registry", "matching", "reporting"}
    }


def test_demo_loader_is_idempotent(demo_data, capsys):
    first = counts()  # after the shared load into the empty database
    call_command("load_demo")
    second = counts()
    # audit rows may grow (logins etc. are not part of the demo load); everything else must not
    first.pop("AuditEvent", None)
    second.pop("AuditEvent", None)
    assert first == second
    names = set(User.objects.values_list("username", flat=True))
    assert {"demo_province", "demo_auditor", "demo_city", "demo_county", "demo_county2", "demo_clerk"} <= names
    clerk = User.objects.get(username="demo_clerk")
    assert clerk.market.county.name == "南明区"
    assert Market.objects.filter(county__name="云岩区").exists()
    assert "demo_clerk" in capsys.readouterr().out


def test_demo_users_can_log_in_with_the_demo_password(client, demo_data, settings):
    assert client.login(username="demo_county", password=settings.DEMO_PASSWORD)
