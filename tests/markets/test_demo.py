from gigmarket.core.models import User
from markets import demo
from markets.models import Market, Rectification
from markets.standards import check_market


def test_demo_markets_span_cities_kinds_and_compliance(demo_data):
    demo.load()  # again, on top of the shared load: nothing is duplicated
    markets = list(Market.objects.select_related("county__parent"))
    assert len(markets) == len(demo.DEMO_MARKETS)
    assert demo.clerk_market().name == "贵州省贵阳市南明区零工市场"
    assert Market.objects.filter(name="贵州省黔东南州凯里市(建筑行业)零工市场").exists()
    assert Market.objects.filter(kind=Market.Kind.STATION).exists()
    assert len({m.county.parent_id for m in markets}) >= 3
    results = [check_market(m) for m in markets]
    assert any(r.compliant for r in results) and any(not r.compliant for r in results)
    assert all(m.versions.exists() for m in markets)


def test_load_demo_binds_demo_clerk_to_the_nanming_market(demo_data):
    assert User.objects.get(username="demo_clerk").market == demo.clerk_market()


def test_demo_opens_rectifications_for_missed_items_once(demo_data):
    records = list(Rectification.objects.select_related("market"))
    assert records, "the demo has 整改 records to show"
    for record in records:
        missed = {item.key for item in check_market(record.market).missed}
        assert record.item in missed and record.status == Rectification.Status.OPEN
    demo.load_rectifications()
    assert Rectification.objects.count() == len(records)
