"""The capped paginator: exact counts below the cap, "N+" above it, always one cheap query."""

from gigmarket.core import pagination
from gigmarket.core.models import Division
from gigmarket.core.pagination import CappedCount, CappedPaginator
from tests.factories.matching import make_match


def counties():
    return Division.objects.filter(level=Division.Level.COUNTY).order_by("code")


def test_below_the_cap_the_count_is_exact(db, django_assert_num_queries):
    total = counties().count()
    paginator = CappedPaginator(counties(), 25, cap=total)
    with django_assert_num_queries(1):
        assert paginator.count == total
    assert not paginator.is_capped
    assert paginator.num_pages == -(-total // 25)


def test_above_the_cap_it_counts_no_further_and_says_so(db, django_assert_num_queries):
    paginator = CappedPaginator(counties(), 10, cap=30)
    with django_assert_num_queries(1) as ctx:
        assert paginator.count == 30
    assert "LIMIT 31" in ctx.captured_queries[0]["sql"]
    assert paginator.is_capped
    assert str(paginator.count) == "30+"
    assert paginator.num_pages == 3
    last = paginator.get_page(99)
    assert last.number == 3 and len(last) == 10
    assert [d.code for d in last] == [d.code for d in counties()[20:30]]


def test_capped_count_is_still_a_number():
    count = CappedCount(10_000)
    assert count + 1 == 10_001 and count > 9_999
    assert f"共 {count} 条" == "共 10000+ 条"


def test_match_list_shows_a_capped_total(client, county_user, market, monkeypatch):
    import matching.views

    for _ in range(4):
        make_match(market=market)
    monkeypatch.setattr(matching.views, "PAGE_SIZE", 2)
    client.force_login(county_user)
    assert "第 1 / 2 页，共 4 条" in client.get("/matching/matches/").content.decode()
    monkeypatch.setattr(pagination, "CAP", 3)
    assert "第 2 / 2 页，共 3+ 条" in client.get("/matching/matches/?page=2").content.decode()
