import factory

from markets.models import Market, Trade

from .core import division


class TradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trade
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试工种{n}")


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market

    county = factory.LazyFunction(lambda: division("520102"))
    kind = Market.Kind.INDUSTRY
    industry = factory.Sequence(lambda n: f"测试{n}")
    status = Market.Status.OPERATING
    address = "测试地址1号"
