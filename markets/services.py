"""Writes for markets and trades.

Every write runs in one transaction: validate (`full_clean`), save, write a
`MarketVersion` with the full snapshot, write the audit row, close the 整改 records whose
item the market now meets (`rectification.rectifications_close_met`), and (on commit)
drop the cached public 名录 pages (the lists and that market's page; a trade change, all).
"""

import uuid

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gigmarket.core.audit import audit_record, diff, snapshot
from gigmarket.core.models import AuditEvent

from .attachment1 import market_row
from .importing import plan_import
from .models import Market, MarketVersion, OpeningPeriod, Trade
from .rectification import rectifications_close_for_market_closed, rectifications_close_met

# Fields kept in every snapshot and compared for history (everything a user edits).
SNAPSHOT_FIELDS = [
    f.name
    for f in Market._meta.concrete_fields
    if f.name not in ("id", "created_at", "updated_at") and not f.many_to_many
]
# Plain record fields a form or an import may set (county is fixed at creation).
EDITABLE_FIELDS = [f for f in SNAPSHOT_FIELDS if f not in ("name", "county", "closed_on")]

# Cached public pages (the 名录 list and detail pages, the open-data files) carry
# generation tokens in their keys; changing a token makes the old entries unreachable (they
# expire on their own). A market change replaces the list token and that market's token
# only: other markets' detail pages stay cached. A trade change (names shown everywhere)
# replaces the token every public key carries.
PUBLIC_CACHE_ALL_KEY = "markets:public:generation"
PUBLIC_CACHE_LIST_KEY = "markets:public:generation:list"
PUBLIC_CACHE_MARKET_KEY = "markets:public:generation:market:{pk}"


def _tokens(*keys):
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, None)
    if missing:
        found.update(cache.get_many(missing))
    return ".".join(found[key] for key in keys)


def public_cache_generation():
    """A token that changes whenever any market (or trade) changes: for pages listing markets."""
    return _tokens(PUBLIC_CACHE_ALL_KEY, PUBLIC_CACHE_LIST_KEY)


def public_market_generation(pk):
    """A token that changes when market `pk` (or any trade) changes: for that market's own page."""
    return _tokens(PUBLIC_CACHE_ALL_KEY, PUBLIC_CACHE_MARKET_KEY.format(pk=pk))


def invalidate_public_cache(market=None):
    """Drop cached public pages: the lists and `market`'s page (a pk), or everything if None."""
    if market is None:
        cache.set(PUBLIC_CACHE_ALL_KEY, uuid.uuid4().hex, None)
        return
    cache.set_many(
        {PUBLIC_CACHE_LIST_KEY: uuid.uuid4().hex, PUBLIC_CACHE_MARKET_KEY.format(pk=market): uuid.uuid4().hex}, None
    )


def _invalidate_market_on_commit(market):
    pk = market.pk
    transaction.on_commit(lambda: invalidate_public_cache(market=pk))


def market_snapshot(market):
    """The full state of a market as JSON-safe data, including its 附件1 row."""
    fresh = (
        Market.objects.filter(pk=market.pk)
        .select_related("county__parent")
        .prefetch_related("trades", "opening_periods")
        .get()
    )
    periods = sorted(fresh.opening_periods.all(), key=lambda p: (p.opens, p.weekdays))
    return {
        "fields": snapshot(fresh, SNAPSHOT_FIELDS),
        "trades": [t.code for t in fresh.trades.all()],
        "periods": [[p.weekdays, f"{p.opens:%H:%M}", f"{p.closes:%H:%M}"] for p in periods],
        "row": market_row(fresh),
    }


def _flat(snapshot):
    """Fields plus trades and hours as display strings, for audit diffs."""
    if not snapshot:
        return {}
    return {**snapshot["fields"], "trades": snapshot["row"]["trades"], "hours": snapshot["row"]["hours"]}


def _write_version(market, *, action, by, before, extra=None):
    after = market_snapshot(market)
    if extra:
        after.update(extra)
    changes = diff(_flat(before), _flat(after))
    last = market.versions.aggregate(n=Max("number"))["n"] or 0
    MarketVersion.objects.create(
        market=market,
        number=last + 1,
        actor=by if getattr(by, "pk", None) else None,
        actor_name=getattr(by, "username", "") or "",
        action=action,
        county=market.county,
        status=market.status,
        changed_fields=sorted(changes),
        snapshot=after,
    )
    return changes


def _set_periods(market, periods):
    """Replace the opening periods with `periods` [(weekdays, opens, closes)], validated."""
    objs = []
    for weekdays, opens, closes in periods:
        period = OpeningPeriod(market=market, weekdays=weekdays, opens=opens, closes=closes)
        period.full_clean()
        objs.append(period)
    market.opening_periods.all().delete()
    OpeningPeriod.objects.bulk_create(objs)


def _apply(market, data):
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for key, value in data.items():
        setattr(market, key, value)


@transaction.atomic
def market_create(*, county, data, trades=(), periods=(), by, action=MarketVersion.Action.CREATE):
    """Create a market in `county` with `data` (EDITABLE_FIELDS), trades and opening periods."""
    market = Market(county=county)
    _apply(market, data)
    today = timezone.localdate()
    market.status_changed_on = market.status_changed_on or today
    if market.status == Market.Status.OPERATING and not market.opened_on:
        market.opened_on = today
    market.full_clean()
    market.save()
    market.trades.set(trades)
    _set_periods(market, periods)
    changes = _write_version(market, action=action, by=by, before=None)
    audit_record(actor=by, action=AuditEvent.Action.CREATE, target=market, changes=changes)
    _invalidate_market_on_commit(market)
    return market


@transaction.atomic
def market_update(*, market, data, trades=None, periods=None, by, action=MarketVersion.Action.UPDATE):
    """Update a market's record; `trades` / `periods` replace the current ones when given.

    Nothing is written (no version, no audit row) if nothing changed.
    """
    market = Market.objects.select_for_update(of=("self",)).select_related("county__parent").get(pk=market.pk)
    before = market_snapshot(market)
    old_status = market.status
    _apply(market, data)
    if market.status != old_status:
        if "status_changed_on" not in data or data["status_changed_on"] == before["fields"]["status_changed_on"]:
            market.status_changed_on = timezone.localdate()
        if market.status == Market.Status.OPERATING and not market.opened_on:
            market.opened_on = timezone.localdate()
    market.full_clean()
    market.save()
    if trades is not None:
        market.trades.set(trades)
    if periods is not None:
        _set_periods(market, periods)
    after = market_snapshot(market)
    if _flat(after) == _flat(before):
        transaction.set_rollback(True)
        return market
    changes = _write_version(market, action=action, by=by, before=before)
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=market, changes=changes)
    rectifications_close_met(market=market, by=by)
    _invalidate_market_on_commit(market)
    return market


@transaction.atomic
def market_close(*, market, closed_on, reason, by):
    """Close (撤销) a market: status 已撤销 with the date. The record is kept, never deleted."""
    market = Market.objects.select_for_update(of=("self",)).select_related("county__parent").get(pk=market.pk)
    if market.status == Market.Status.CLOSED:
        raise ValidationError("该零工市场已撤销。")
    before = market_snapshot(market)
    market.status = Market.Status.CLOSED
    market.closed_on = closed_on
    market.status_changed_on = closed_on
    market.full_clean()
    market.save()
    changes = _write_version(market, action=MarketVersion.Action.CLOSE, by=by, before=before, extra={"reason": reason})
    changes["reason"] = reason
    audit_record(actor=by, action=AuditEvent.Action.TRANSITION, target=market, changes=changes)
    rectifications_close_for_market_closed(market=market, by=by)
    _invalidate_market_on_commit(market)
    return market


# ------------------------------------------------------------------ trades


TRADE_FIELDS = ["code", "name", "category", "sort_order", "is_active"]


@transaction.atomic
def trade_create(*, data, by):
    trade = Trade(**data)
    trade.full_clean()
    trade.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=trade,
        changes=snapshot(trade, TRADE_FIELDS),
    )
    return trade


@transaction.atomic
def trade_update(*, trade, data, by):
    before = snapshot(trade, TRADE_FIELDS)
    for key, value in data.items():
        if key not in TRADE_FIELDS:
            raise ValueError(f"not editable: {key}")
        setattr(trade, key, value)
    trade.full_clean()
    trade.save()
    changes = diff(before, snapshot(trade, TRADE_FIELDS))
    if changes:
        audit_record(actor=by, action=AuditEvent.Action.UPDATE, target=trade, changes=changes)
        transaction.on_commit(invalidate_public_cache)
    return trade


# ------------------------------------------------------------------ export audit


def markets_export_record(*, by, count, filters):
    """Audit one export of the market list (who, how many rows, which filters)."""
    return audit_record(
        actor=by,
        action=AuditEvent.Action.EXPORT,
        county=by.division,
        target_repr=f"零工市场名录（{count}条）",
        changes={"rows": count, "filters": filters},
    )


# ------------------------------------------------------------------ import


class ImportRejected(Exception):
    """The file was rejected whole; `errors` lists each problem in Chinese."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


@transaction.atomic
def markets_import(*, rows, allowed_county_ids, by, filename=""):
    """Create or update markets from 附件1 rows, all-or-nothing.

    A row whose built name matches an existing market updates it; otherwise a new
    market is created. Any bad row rejects the whole file (ImportRejected with one
    Chinese line per bad row); nothing is written. Returns (created, updated) counts.
    """
    planned, errors = plan_import(rows, allowed_county_ids=allowed_county_ids)
    if errors:
        raise ImportRejected(errors)
    created = updated = 0
    for plan in planned:
        try:
            if plan.market is None:
                market_create(
                    county=plan.county,
                    data=plan.data,
                    trades=plan.trades,
                    periods=plan.periods,
                    by=by,
                    action=MarketVersion.Action.IMPORT,
                )
                created += 1
            else:
                market_update(
                    market=plan.market,
                    data=plan.data,
                    trades=plan.trades,
                    periods=plan.periods,
                    by=by,
                    action=MarketVersion.Action.IMPORT,
                )
                updated += 1
        except ValidationError as exc:
            raise ImportRejected([f"第{plan.number}行：{'；'.join(exc.messages)}。"]) from exc
    audit_record(
        actor=by,
        action=AuditEvent.Action.IMPORT,
        county=by.division,
        target_repr=f"零工市场名录导入 {filename}"[:200],
        changes={"file": filename, "rows": len(planned), "created": created, "updated": updated},
    )
    return created, updated
