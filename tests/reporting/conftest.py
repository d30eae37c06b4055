import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The public open-data files are cached; every test starts without them."""
    cache.clear()
    yield
    cache.clear()
