"""Turning 附件1 rows (from attachment1.read_attachment1) into market data, row by row.

Pure reads: nothing is written here. `services.markets_import` writes the result
all-or-nothing.
"""

import dataclasses
import re

from django.core.exceptions import FieldDoesNotExist, ValidationError

from gigmarket.core.models import Division

from .attachment1 import COLUMNS, REQUIRED_KEYS, parse_choice, parse_features, parse_hours, parse_kind, parse_nature
from .models import CHECKED_TEXT_FIELDS, FEATURE_FIELDS, Market, Trade, normalize_market_text

HEADER = {c.key: c.header for c in COLUMNS}


@dataclasses.dataclass
class PlannedRow:
    number: int
    county: Division
    market: Market | None  # existing market with the same name (update), or None (create)
    data: dict
    trades: list
    periods: list
    name: str


def _divisions():
    cities = {}
    counties = {}
    for d in Division.objects.filter(level__in=[Division.Level.CITY, Division.Level.COUNTY]):
        if d.level == Division.Level.CITY:
            cities[d.name] = cities[d.short_name] = d
        else:
            counties.setdefault(d.parent_id, {})
            counties[d.parent_id][d.name] = counties[d.parent_id][d.short_name] = d
    return cities, counties


def plan_import(rows, *, allowed_county_ids):
    """Check every row; return (planned rows, errors). Errors are Chinese "第N行：…" lines."""
    cities, counties = _divisions()
    trades = {t.name: t for t in Trade.objects.all()}
    existing = {m.name: m for m in Market.objects.select_related("county__parent")}
    planned, errors, seen = [], [], {}
    for row in rows:
        v = row.values
        problems = []
        for key in REQUIRED_KEYS:
            if not v.get(key):
                problems.append(f"“{HEADER[key]}”不能为空")
        county = None
        city = cities.get(v.get("city", ""))
        if v.get("city") and city is None:
            problems.append(f"市州“{v['city']}”不存在")
        elif city is not None and v.get("county"):
            county = counties.get(city.id, {}).get(v["county"])
            if county is None:
                problems.append(f"县区“{v['county']}”不属于{city.name}")
            elif county.id not in allowed_county_ids:
                problems.append(f"{county.name}不在您的管辖范围内")
                county = None
        data = {}
        periods, trade_objs = [], []
        for key, parse in (
            ("kind", lambda t: dict(zip(("kind", "industry", "township"), parse_kind(t), strict=True))),
            ("nature", lambda t: dict(zip(("nature", "integrity_listed"), parse_nature(t), strict=True))),
            ("basis", lambda t: {"basis": parse_choice(t, Market.Basis.choices, "依托")}),
            ("status", lambda t: {"status": parse_choice(t, Market.Status.choices, "状态")}),
        ):
            if not v.get(key):
                continue
            try:
                data.update(parse(v[key]))
            except ValueError as exc:
                problems.append(str(exc))
        if data.get("status") == Market.Status.CLOSED:
            problems.append("导入不能撤销零工市场，请在平台中办理撤销")
        try:
            periods = parse_hours(v.get("hours", ""))
        except ValueError as exc:
            problems.append(str(exc))
        try:
            features = parse_features(v.get("features", ""))
            data.update({f: f in features for f in FEATURE_FIELDS})
        except ValueError as exc:
            problems.append(str(exc))
        for name in filter(None, (n.strip() for n in re.split(r"[、,，;；]", v.get("trades", "")))):
            if name in trades:
                trade_objs.append(trades[name])
            else:
                problems.append(f"服务工种“{name}”不在工种目录中")
        for key in ("address", "operator", "contact_person", "contact_phone", "remarks"):
            data[key] = v.get(key, "")
            if key in CHECKED_TEXT_FIELDS:
                # The same check as the market form: 联系人 a person's name, 联系电话 a valid number.
                try:
                    data[key] = normalize_market_text(key, data[key])
                except ValidationError as exc:
                    problems.extend(m.rstrip("。") for m in exc.messages)
        market = None
        name = ""
        if county is not None and not problems:
            candidate = Market(county=county, **{k: data.get(k, "") for k in ("kind", "industry", "township")})
            name = candidate.build_name()
            if name in seen:
                problems.append(f"与第{seen[name]}行是同一零工市场（{name}）")
            seen.setdefault(name, row.number)
            market = existing.get(name)
            target = Market(pk=market.pk if market else None, county=county)
            for key, value in data.items():
                setattr(target, key, value)
            if market is not None:
                for key in ("opened_on", "status_changed_on", "closed_on"):
                    setattr(target, key, getattr(market, key))
            try:
                target.full_clean(exclude=["name"], validate_unique=False)
            except ValidationError as exc:
                problems.extend(_messages(exc))
        if problems:
            errors.append(f"第{row.number}行：" + "；".join(problems) + "。")
        else:
            planned.append(PlannedRow(row.number, county, market, data, trade_objs, periods, name))
    return planned, errors


def _messages(exc):
    if hasattr(exc, "message_dict"):
        out = []
        for field, msgs in exc.message_dict.items():
            label = "" if field == "__all__" else _field_label(field)
            out.extend(f"{label}{msg}" if label else msg for msg in msgs)
        return out
    return list(exc.messages)


def _field_label(field):
    try:
        return f"{Market._meta.get_field(field).verbose_name}："
    except FieldDoesNotExist:
        return ""
