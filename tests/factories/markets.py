import datetime
from pathlib import Path

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from markets.models import FEATURE_FIELDS, Market, OpeningPeriod, Trade
from markets.rectification import rectification_open

from .core import division


class TradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trade
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试工种{n}")


class MarketFactory(factory.django.DjangoModelFactory):
    """A valid operating industry market; only `county=` is needed."""

    class Meta:
        model = Market

    county = factory.LazyFunction(lambda: division("520102"))
    kind = Market.Kind.INDUSTRY
    industry = factory.Sequence(lambda n: f"测试{n}")
    status = Market.Status.OPERATING
    address = "测试地址1号"


def complete_market(**kwargs):
    """A market meeting every item of the provincial standard (general kind by default)."""
    kwargs.setdefault("kind", Market.Kind.GENERAL)
    kwargs.setdefault("industry", "")
    fields = {
        "sign_hung": True,
        "near_gathering_point": True,
        "contact_person": "王敏",
        "contact_phone": "0851-85550101",
        "hotline": "12333",
        **dict.fromkeys(FEATURE_FIELDS, True),
        **kwargs,
    }
    market = MarketFactory(**fields)
    OpeningPeriod.objects.create(
        market=market, weekdays="12345", opens=datetime.time(6, 30), closes=datetime.time(12, 0)
    )
    market.trades.add(Trade.objects.get(code="JZ-01"))
    return market


def open_rectification(market, item="sign", *, by, deadline=None, **data):
    """An open 整改 for `item` (which `market` must miss), through the service."""
    data = {
        "deadline": deadline or timezone.localdate() + datetime.timedelta(days=30),
        "responsible_person": "李建国",
        "responsible_phone": "13800138000",
        "note": "",
        **data,
    }
    return rectification_open(market=market, item=item, data=data, by=by)


SAMPLE_PNG = Path(__file__).resolve().parent.parent / "core" / "data" / "chromium_12x7.png"


def png_upload(name="现场.png"):
    """A real 12 × 7 PNG (a Chromium screenshot) as an uploaded file."""
    return SimpleUploadedFile(name, SAMPLE_PNG.read_bytes(), content_type="image/png")
