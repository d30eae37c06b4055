"""The provincial standard check (notice 二.2, 二.3, 三.1–三.3, 九).

`check_market(market)` returns, for one market, every standard item with met / missed
and a Chinese explanation. It reads only the market's own fields plus two flags,
`has_hours` and `has_trades`, which `selectors.with_check_flags()` annotates in the
same query (so checking a page of markets costs no extra queries). Without the
annotations it falls back to the prefetched (or queried) relations.

Items that do not apply to a market (e.g. the four windows for a township 零工驿站,
responsible units for a market built on an existing service agency) are left out.
"""

import dataclasses

from .models import FEATURES_BY_FIELD, Market


@dataclasses.dataclass(frozen=True)
class Item:
    key: str
    label: str
    basis: str  # where the notice asks for it
    fields: tuple = ()  # feature/record fields that must all be set
    kinds: tuple = (Market.Kind.GENERAL, Market.Kind.INDUSTRY)


@dataclasses.dataclass(frozen=True)
class ItemResult:
    key: str
    label: str
    basis: str
    met: bool
    note: str


@dataclasses.dataclass(frozen=True)
class MarketCheck:
    market: Market
    items: list

    @property
    def met_count(self):
        return sum(1 for i in self.items if i.met)

    @property
    def total(self):
        return len(self.items)

    @property
    def missed(self):
        return [i for i in self.items if not i.met]

    @property
    def missed_text(self):
        """The missed items' labels in one string (a list row's tooltip)."""
        return "、".join(str(i.label) for i in self.missed)

    @property
    def compliant(self):
        return not self.missed


ALL_KINDS = (Market.Kind.GENERAL, Market.Kind.INDUSTRY, Market.Kind.STATION)

ITEMS = [
    Item("sign", "统一标识", "三.1 标识悬挂于入口上方或左、右侧显著位置", ("sign_hung",)),
    Item("zones", "功能区域", "三.3 应设置综合服务区、零工待工区", ("zone_service", "zone_waiting")),
    Item(
        "windows",
        "四个服务窗口",
        "三.3 综合服务区设求职(用工)登记、技能培训、劳动维权、政策咨询窗口",
        ("window_registration", "window_training", "window_rights", "window_policy"),
    ),
    Item(
        "areas",
        "待工区功能区域",
        "三.3 零工待工区设劳务交易洽谈、求职用工信息发布两个功能区域",
        ("area_negotiation", "area_information"),
    ),
    Item(
        "facilities",
        "待工区设施用品",
        "三.3 提供防疫测温、休息等候、饮水、急救药箱，放置宣传资料，公布服务热线",
        ("fac_temperature", "fac_rest", "fac_water", "fac_first_aid", "fac_publicity", "fac_hotline_posted"),
    ),
    Item(
        "station_facilities",
        "便民设施",
        "二.3 零工服务场所配备卫生防疫、写字桌椅等便民辅助设施",
        ("fac_temperature", "fac_desks"),
        (Market.Kind.STATION,),
    ),
    Item("shelter", "遮风避雨", "三.2 具备遮风避雨功能", ("fac_shelter",), ALL_KINDS),
    Item("location", "靠近零工聚集点", "三.2 选址原则上靠近零工揽活聚集点", ("near_gathering_point",)),
    Item("units", "责任单位", "二.2 新建零工市场明确建设、管护、服务保障责任单位"),
    Item("address", "地址", "九 向社会公布地址", ("address",), ALL_KINDS),
    Item("hours", "运行时间", "九 向社会公布运行时间", (), ALL_KINDS),
    Item("contact", "联系方式", "九 向社会公布联系方式（联系电话或服务热线）", (), ALL_KINDS),
    Item("trades", "服务工种", "九 向社会公布职业(工种、岗位)", (), ALL_KINDS),
]
ITEMS_BY_KEY = {i.key: i for i in ITEMS}

UNIT_FIELDS = {"construction_unit": "建设", "maintenance_unit": "管护", "service_unit": "服务保障"}
NEW_BASES = (Market.Basis.NEW_BUILD, Market.Basis.GATHERING_POINT)


def _label(field):
    feature = FEATURES_BY_FIELD.get(field)
    if feature:
        return feature.label
    return str(Market._meta.get_field(field).verbose_name)


def _flag(market, attr, relation):
    if hasattr(market, attr):
        return bool(getattr(market, attr))
    return len(getattr(market, relation).all()) > 0


def applicable_items(market):
    items = [i for i in ITEMS if market.kind in i.kinds]
    if market.basis not in NEW_BASES:
        items = [i for i in items if i.key != "units"]
    return items


def _result(item, market):
    if item.key == "units":
        missing = [label for field, label in UNIT_FIELDS.items() if not getattr(market, field).strip()]
        if missing:
            return False, f"未明确{'、'.join(missing)}责任单位"
        return True, "建设、管护、服务保障责任单位已明确"
    if item.key == "hours":
        if _flag(market, "has_hours", "opening_periods"):
            return True, "已登记运行时间"
        return False, "未登记运行时间（星期和起止时间）"
    if item.key == "contact":
        # The stored values are checked again: a number saved before the checks existed
        # (or typed straight into the database) does not count.
        if market.valid_contact_phone or market.valid_hotline:
            return True, "已公布联系电话或服务热线"
        invalid = [
            f"{_label(field)}“{getattr(market, field).strip()}”无效"
            for field in ("contact_phone", "hotline")
            if getattr(market, field).strip()
        ]
        if invalid:
            return False, "、".join(invalid) + "，请改为有效号码"
        return False, "未填写联系电话或服务热线"
    if item.key == "trades":
        if _flag(market, "has_trades", "trades"):
            return True, "已登记服务工种"
        return False, "未登记服务工种"
    missing = [field for field in item.fields if not getattr(market, field)]
    if not missing:
        return True, "已具备"
    if item.key == "sign":
        return False, "未悬挂统一标识"
    if item.key == "location":
        return False, "未靠近零工揽活聚集点"
    if item.key == "address":
        return False, "未填写地址"
    return False, "缺少：" + "、".join(_label(f) for f in missing)


def check_market(market):
    """Every applicable standard item for `market`, met or missed, with a Chinese note."""
    results = []
    for item in applicable_items(market):
        met, note = _result(item, market)
        results.append(ItemResult(item.key, item.label, item.basis, met, note))
    return MarketCheck(market, results)


def summarise(markets, key):
    """Compliance per group. `key(market)` → (group id, group label).

    Returns a list of dicts {id, label, total, compliant, rate, missed: {item key: n}}
    in first-seen order, plus a "total" dict for all markets.
    """
    groups = {}
    total = {"id": None, "label": "合计", "total": 0, "compliant": 0, "missed": {i.key: 0 for i in ITEMS}}
    for market in markets:
        check = check_market(market)
        gid, glabel = key(market)
        group = groups.setdefault(
            gid, {"id": gid, "label": glabel, "total": 0, "compliant": 0, "missed": {i.key: 0 for i in ITEMS}}
        )
        for bucket in (group, total):
            bucket["total"] += 1
            bucket["compliant"] += 1 if check.compliant else 0
            for item in check.missed:
                bucket["missed"][item.key] += 1
    rows = list(groups.values())
    for bucket in [*rows, total]:
        bucket["rate"] = round(100 * bucket["compliant"] / bucket["total"]) if bucket["total"] else None
        bucket["missed_list"] = [(i, bucket["missed"][i.key]) for i in ITEMS]
    return rows, total
