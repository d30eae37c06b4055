"""Naming by the provincial convention, uniqueness, opening-hours text."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from markets.models import Market, OpeningPeriod, hours_text
from tests.factories.core import division
from tests.factories.markets import MarketFactory


@pytest.mark.parametrize(
    ("code", "kind", "industry", "township", "expected"),
    [
        ("520102", "general", "", "", "贵州省贵阳市南明区零工市场"),
        ("520181", "general", "", "", "贵州省贵阳市清镇市零工市场"),
        ("522601", "industry", "建筑", "", "贵州省黔东南州凯里市(建筑行业)零工市场"),
        ("522601", "industry", "建筑行业", "", "贵州省黔东南州凯里市(建筑行业)零工市场"),
        ("520325", "general", "", "", "贵州省遵义市道真县零工市场"),
        ("520111", "station", "", "青岩镇", "贵州省贵阳市花溪区青岩镇零工驿站"),
    ],
)
def test_name_follows_the_provincial_convention(db, code, kind, industry, township, expected):
    market = Market(county=division(code), kind=kind, industry=industry, township=township)
    market.full_clean()
    market.save()
    assert Market.objects.get(pk=market.pk).name == expected


def test_a_second_general_market_in_the_same_county_is_refused(nanming):
    MarketFactory(county=nanming, kind="general", industry="")
    duplicate = Market(county=nanming, kind="general")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "已存在同名零工市场" in str(exc.value)


def test_industry_market_needs_its_industry_and_station_its_township(nanming):
    with pytest.raises(ValidationError) as exc:
        Market(county=nanming, kind="industry").full_clean()
    assert "行业零工市场必须填写行业" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        Market(county=nanming, kind="station").full_clean()
    assert "零工驿站必须填写所在乡镇" in str(exc.value)


def test_name_cannot_be_typed_by_hand(nanming):
    market = MarketFactory(county=nanming, kind="general", industry="")
    market.name = "随便起的名字"
    market.save()
    assert Market.objects.get(pk=market.pk).name == "贵州省贵阳市南明区零工市场"


def test_hours_text_groups_days_and_several_periods(market):
    t = datetime.time
    OpeningPeriod.objects.create(market=market, weekdays="12345", opens=t(14), closes=t(18))
    OpeningPeriod.objects.create(market=market, weekdays="12345", opens=t(6), closes=t(12))
    OpeningPeriod.objects.create(market=market, weekdays="67", opens=t(7), closes=t(11, 30))
    assert hours_text(market.opening_periods.all()) == "周一至周五 06:00-12:00、14:00-18:00；周六、周日 07:00-11:30"


def test_period_must_close_after_it_opens(market):
    period = OpeningPeriod(market=market, weekdays="1", opens=datetime.time(12), closes=datetime.time(6))
    with pytest.raises(ValidationError) as exc:
        period.full_clean()
    assert "结束时间必须晚于开始时间" in str(exc.value)


def test_seeded_trades_cover_what_gig_markets_serve(db):
    from markets.models import Trade

    names = set(Trade.objects.values_list("name", flat=True))
    assert {"木工", "钢筋工", "搬运装卸", "家政保洁", "农业采摘", "保安", "普工"} <= names
    assert Trade.objects.filter(code="JZ-01").exists()
