"""Demo markets in several 市州, some incomplete so the standard check has something to show.

Idempotent: each market is keyed on county, kind, industry and township; an existing
one is left as it is.
"""

import datetime

from django.utils import timezone

from gigmarket.core.demo import ensure_user
from gigmarket.core.models import Division, Role, User

from .models import FEATURE_FIELDS, Market, Rectification, Trade
from .rectification import rectification_open
from .services import market_create
from .standards import check_market

ALL_FEATURES = dict.fromkeys(FEATURE_FIELDS, True)
BASIC = {
    "zone_service": True,
    "zone_waiting": True,
    "window_registration": True,
    "window_policy": True,
    "area_negotiation": True,
    "fac_rest": True,
    "fac_water": True,
    "fac_shelter": True,
}
WEEKDAYS_EARLY = [("12345", "06:30", "12:00"), ("12345", "14:00", "17:30"), ("67", "07:00", "11:30")]
EVERY_DAY = [("1234567", "06:00", "12:00")]
CONSTRUCTION = ["JZ-01", "JZ-02", "JZ-03", "JZ-04", "JZ-05", "JZ-06", "JZ-07", "JZ-08", "JZ-10", "BY-01"]
SERVICES = ["BY-01", "BY-02", "JF-01", "JF-02", "JF-04", "CY-01", "CY-02", "FW-01", "FW-06"]

DEMO_MARKETS = [
    {
        "county": "520102",
        "kind": Market.Kind.GENERAL,
        "data": {
            "basis": Market.Basis.PUBLIC_HR_MARKET,
            "operator": "南明区公共就业和人才服务中心",
            "contact_person": "王敏",
            "contact_phone": "0851-85550101",
            "hotline": "12333",
            "complaint_phone": "0851-85550199",
            "address": "贵阳市南明区花果园大街1号",
            "longitude": "106.691234",
            "latitude": "26.563456",
            "near_gathering_point": True,
            "transport_notes": "公交2路、51路花果园站下车步行200米",
            "status": Market.Status.OPERATING,
            "opened_on": datetime.date(2022, 11, 1),
            "sign_hung": True,
            **ALL_FEATURES,
        },
        "hours": WEEKDAYS_EARLY,
        "trades": CONSTRUCTION + SERVICES,
    },
    {
        "county": "520103",
        "kind": Market.Kind.GENERAL,
        "data": {
            "basis": Market.Basis.NEW_BUILD,
            "construction_unit": "云岩区人力资源和社会保障局",
            "maintenance_unit": "云岩区城市管理局",
            "service_unit": "",
            "operator": "云岩区就业局",
            "contact_person": "李华",
            "contact_phone": "0851-86660202",
            "address": "贵阳市云岩区黔灵西路20号",
            "near_gathering_point": True,
            "status": Market.Status.OPERATING,
            "opened_on": datetime.date(2023, 1, 10),
            "sign_hung": False,
            **BASIC,
        },
        "hours": EVERY_DAY,
        "trades": SERVICES,
    },
    {
        "county": "520111",
        "kind": Market.Kind.STATION,
        "township": "青岩镇",
        "data": {
            "basis": Market.Basis.TOWNSHIP,
            "contact_person": "张勇",
            "contact_phone": "0851-83330303",
            "address": "贵阳市花溪区青岩镇便民服务中心一楼",
            "status": Market.Status.OPERATING,
            "opened_on": datetime.date(2023, 3, 1),
            "fac_temperature": True,
            "fac_desks": True,
            "fac_shelter": True,
        },
        "hours": [("1234567", "07:00", "11:00")],
        "trades": ["NY-01", "NY-02", "BY-01", "FW-06"],
    },
    {
        "county": "522601",
        "kind": Market.Kind.INDUSTRY,
        "industry": "建筑",
        "data": {
            "nature": Market.Nature.COMMERCIAL,
            "integrity_listed": True,
            "basis": Market.Basis.PRIVATE_AGENCY,
            "operator": "凯里市黔建人力资源服务有限公司",
            "contact_person": "杨光",
            "contact_phone": "0855-8220404",
            "hotline": "0855-8220400",
            "address": "黔东南州凯里市北京东路88号",
            "near_gathering_point": True,
            "status": Market.Status.OPERATING,
            "opened_on": datetime.date(2022, 12, 20),
            "sign_hung": True,
            **ALL_FEATURES,
            "fac_first_aid": False,
        },
        "hours": [("123456", "06:00", "11:00")],
        "trades": CONSTRUCTION,
    },
    {
        "county": "520302",
        "kind": Market.Kind.GENERAL,
        "data": {
            "basis": Market.Basis.GATHERING_POINT,
            "construction_unit": "红花岗区人力资源和社会保障局",
            "maintenance_unit": "红花岗区住房和城乡建设局",
            "service_unit": "红花岗区就业局",
            "address": "遵义市红花岗区丁字口广场东侧",
            "near_gathering_point": True,
            "status": Market.Status.PLANNING,
            "zone_service": True,
            "zone_waiting": True,
        },
        "hours": [],
        "trades": [],
    },
    {
        "county": "520402",
        "kind": Market.Kind.GENERAL,
        "data": {
            "basis": Market.Basis.COMMUNITY,
            "operator": "西秀区公共就业服务中心",
            "contact_person": "陈静",
            "contact_phone": "0851-33550505",
            "address": "安顺市西秀区中华南路15号",
            "status": Market.Status.SUSPENDED,
            "sign_hung": True,
            **BASIC,
        },
        "hours": [("12345", "08:00", "12:00")],
        "trades": SERVICES,
    },
]


DEMO_CLERK = ("demo_clerk", "南明区窗口演示用户")


def load():
    trades = {t.code: t for t in Trade.objects.all()}
    for spec in DEMO_MARKETS:
        county = Division.objects.filter(code=spec["county"]).first()
        if county is None:
            continue
        exists = Market.objects.filter(
            county=county,
            kind=spec["kind"],
            industry=spec.get("industry", ""),
            township=spec.get("township", ""),
        ).exists()
        if exists:
            continue
        data = {**spec["data"], "industry": spec.get("industry", ""), "township": spec.get("township", "")}
        periods = [
            (days, datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
            for days, opens, closes in spec["hours"]
        ]
        market_create(
            county=county,
            data={**data, "kind": spec["kind"]},
            trades=[trades[c] for c in spec["trades"] if c in trades],
            periods=periods,
            by=None,
        )
    market = clerk_market()
    ensure_user(DEMO_CLERK[0], role=Role.CLERK, division=market.county, full_name=DEMO_CLERK[1], market=market)
    load_rectifications()


# 整改 for the first two missed items of each incomplete demo market: (days to the
# deadline, responsible person); opened by the county's demo account, else the 市州's or
# the province's.
DEMO_RECTIFICATION_PLANS = [(14, "李建国"), (3, "张丽")]
DEMO_OPENERS = {"520102": "demo_county", "520103": "demo_county2", "520100": "demo_city"}


def load_rectifications():
    """Open the demo 整改 once (a market with any record is left as it is)."""
    today = timezone.localdate()
    markets = Market.objects.exclude(status=Market.Status.CLOSED).select_related("county__parent")
    for market in markets:
        if Rectification.objects.filter(market=market).exists():
            continue
        county = market.county
        username = DEMO_OPENERS.get(county.code) or DEMO_OPENERS.get(county.parent.code) or "demo_province"
        by = User.objects.filter(username=username).first()
        for (days, person), item in zip(DEMO_RECTIFICATION_PLANS, check_market(market).missed, strict=False):
            rectification_open(
                market=market,
                item=item.key,
                data={
                    "deadline": today + datetime.timedelta(days=days),
                    "responsible_person": person,
                    "responsible_phone": "13800138000",
                    "note": f"按全省统一标准完成“{item.label}”建设，整改后上传现场照片。",
                },
                by=by,
            )


def clerk_market():
    """The 南明区 market that demo_clerk works at."""
    return Market.objects.get(county__code="520102", kind=Market.Kind.GENERAL)
