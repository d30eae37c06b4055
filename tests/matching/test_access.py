import pytest

from matching import access
from tests.access_checks import check_access_pair
from tests.factories.matching import PlacementFactory, RightsCaseFactory, make_match
from tests.factories.registry import EmployerFactory, PostingFactory, WorkerFactory

BUILDERS = {
    "match": lambda market: make_match(market=market, employer=EmployerFactory(county=market.county)),
    "case": lambda market: RightsCaseFactory(worker=WorkerFactory(registered_market=market)),
    "placement": lambda market: PlacementFactory(worker=WorkerFactory(registered_market=market)),
}


@pytest.mark.parametrize("thing", sorted(BUILDERS))
def test_helpers_give_404_out_of_scope_and_403_to_read_only_writes(thing, market, county_user, county2_user, auditor):
    check_access_pair(
        getattr(access, f"get_{thing}_for_user"),
        getattr(access, f"get_rw_{thing}_for_user"),
        BUILDERS[thing](market),
        owner=county_user,
        outsider=county2_user,
        auditor=auditor,
    )


def test_match_comes_with_everything_its_page_shows(market, county_user, django_assert_num_queries):
    match = make_match(posting=PostingFactory(market=market, employer=EmployerFactory(county=market.county)))
    with django_assert_num_queries(1):
        got = access.get_match_for_user(county_user, match.pk)
        assert got.market.county.parent.name == "贵阳市"
        assert got.posting.trade.name == match.posting.trade.name
