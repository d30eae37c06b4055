import pytest

from registry import access
from tests.access_checks import check_access_pair
from tests.factories.registry import (
    EmployerFactory,
    PolicyNoteFactory,
    PostingFactory,
    TrainingOfferFactory,
    WorkerFactory,
)

BUILDERS = {
    "worker": lambda market: WorkerFactory(registered_market=market),
    "employer": lambda market: EmployerFactory(county=market.county),
    "posting": lambda market: PostingFactory(market=market, employer=EmployerFactory(county=market.county)),
    "training": lambda market: TrainingOfferFactory(county=market.county),
    "policy": lambda market: PolicyNoteFactory(county=market.county),
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


def test_posting_comes_with_what_matching_and_registry_pages_read(market, county_user, django_assert_num_queries):
    posting = PostingFactory(market=market, employer=EmployerFactory(county=market.county))
    with django_assert_num_queries(1):
        got = access.get_posting_for_user(county_user, posting.pk)
        assert (got.employer.name, got.market.county.name, got.trade.name) == (
            posting.employer.name,
            market.county.name,
            posting.trade.name,
        )
