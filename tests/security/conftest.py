import pytest
from django.core.cache import cache

from .world import World


@pytest.fixture
def world(province_user, auditor, city_user, county_user, county2_user, clerk, market, market2, zunyi_market):
    users = {
        "province": province_user,
        "auditor": auditor,
        "city": city_user,
        "county": county_user,
        "county2": county2_user,
        "clerk": clerk,
    }
    markets = {"nanming": market, "yunyan": market2, "zunyi": zunyi_market}
    counties = {key: m.county for key, m in markets.items()}
    return World(users=users, markets=markets, counties=counties)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Public pages and open-data files are cached; every test starts without them."""
    cache.clear()
    yield
    cache.clear()
