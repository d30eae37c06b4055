from markets import access
from tests.access_checks import check_access_pair


def test_market_helpers_give_404_out_of_scope_and_403_to_read_only_writes(market, county_user, county2_user, auditor):
    check_access_pair(
        access.get_market_for_user,
        access.get_rw_market_for_user,
        market,
        owner=county_user,
        outsider=county2_user,
        auditor=auditor,
    )
