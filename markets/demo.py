"""Demo markets. Idempotent: keyed on county and kind."""

from gigmarket.models import Division

from .models import Market

DEMO_MARKETS = [
    # county code, kind, industry, township, status, address
    ("520102", Market.Kind.GENERAL, "", "", Market.Status.OPERATING, "贵阳市南明区花果园大街1号"),
    ("520103", Market.Kind.GENERAL, "", "", Market.Status.OPERATING, "贵阳市云岩区黔灵西路20号"),
]


def load():
    for code, kind, industry, township, status, address in DEMO_MARKETS:
        county = Division.objects.get(code=code)
        Market.objects.get_or_create(
            county=county,
            kind=kind,
            industry=industry,
            township=township,
            defaults={"status": status, "address": address},
        )


def clerk_market():
    """The 南明区 market that demo_clerk works at."""
    return Market.objects.get(county__code="520102", kind=Market.Kind.GENERAL)
