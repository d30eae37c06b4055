"""Seeded, skewed, provincial-scale data for the benchmark.

`generate(scale=..., seed=...)` fills an empty database (after `migrate`) with markets
over every active county, workers with valid 身份证号 stored exactly as
`registry.services.worker_register` stores them (keyed hash and Fernet ciphertext of the
身份证号, keyed hash of name + last 4, birth year, gender, encrypted and hashed mobile),
employers (phone encrypted and hashed) with valid credit codes, postings, matches in every
state, window visits, rights cases, placements, reporting periods with a submission
for (almost) every county and period, and the monitoring rollups.

Speed: on PostgreSQL every big table is written with COPY from generated CSV streams
(`copy_expert`), with explicit ids so foreign keys are known without reading back; on
SQLite (tests) the same rows go through `bulk_create`. Nothing is saved row by row.

Skew: urban districts get most markets, workers and postings; a few trades dominate
(Zipf); registrations, visits and postings peak in the morning and grow over the years.
"""

import bisect
import csv
import datetime
import io
import itertools
import json
import random
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from gigmarket.core.models import Division, Role, User
from gigmarket.core.pii import encrypt, lookup_hash
from markets.models import Market, MarketVersion, OpeningPeriod, Trade
from markets.services import market_snapshot
from matching.models import Match, Placement, RightsCase
from registry.models import Employer, Posting, WindowVisit, Worker, WorkerTrade, name_last4_key
from registry.ranking_key import RANKING_KEY_COLUMNS
from registry.services import refresh_worker_tiers
from registry.validators import build_credit_code, build_id_number
from reporting.models import BEIJING, DailyStat, MonthlyStat, ReportingPeriod, Submission
from reporting.rollups import rollup_channels, rollup_days
from reporting.services import county_markets, freeze_rows, periods_generate

# Counts per scale. `days` is how far back the activity goes.
SCALES = {
    "tiny": {
        "markets": 30,
        "workers": 300,
        "employers": 40,
        "postings": 300,
        "matches": 700,
        "visits": 2_000,
        "cases": 20,
        "placements": 10,
        "days": 40,
    },
    "small": {
        "markets": 200,
        "workers": 20_000,
        "employers": 2_000,
        "postings": 20_000,
        "matches": 50_000,
        "visits": 200_000,
        "cases": 1_000,
        "placements": 200,
        "days": 365,
    },
    "province": {
        "markets": 2_000,
        "workers": 2_000_000,
        "employers": 200_000,
        "postings": 2_000_000,
        "matches": 5_000_000,
        "visits": 20_000_000,
        "cases": 50_000,
        "placements": 10_000,
        "days": 3 * 365,
    },
}
SCALES["medium"] = {k: (v if k == "days" else max(v // 10, 1)) for k, v in SCALES["province"].items()}
SCALES["medium"]["markets"] = 2_000

BENCH_PASSWORD = "bench-Password-2024"
USERNAMES = {
    "superuser": "bench_admin",
    "province": "bench_province",
    "city": "bench_city",
    "county": "bench_county",
    "clerk": "bench_clerk",
}
CHUNK = 50_000
NULL = r"\N"

# Urban districts where most of the activity is (GB/T 2260 codes).
URBAN = {
    "520102": 9,  # 南明区
    "520103": 9,  # 云岩区
    "520115": 7,  # 观山湖区
    "520111": 5,  # 花溪区
    "520112": 4,  # 乌当区
    "520113": 4,  # 白云区
    "520302": 6,  # 红花岗区
    "520303": 6,  # 汇川区
    "520201": 5,  # 钟山区
    "520502": 5,  # 七星关区
    "522601": 5,  # 凯里市
    "522701": 4,  # 都匀市
    "522301": 4,  # 兴义市
    "520402": 4,  # 西秀区
    "520602": 4,  # 碧江区
}
INDUSTRIES = ["建筑", "家政", "物流", "制造", "农业", "餐饮"]
TOWN_HEADS = "龙马青石白云花山水平安新兴大田长坪高桥金竹红岩沙坝"
TOWN_TAILS = ["镇", "乡", "街道"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰海燕文斌志强小红兴旺德福成林春花永贵"
MOBILE_PREFIXES = ["138", "139", "150", "151", "152", "158", "159", "182", "183", "187", "188", "135", "136", "137"]
# Registrations, visits and postings by hour of day (Beijing): a morning rush.
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 2, 10, 18, 16, 11, 8, 6, 3, 3, 5, 5, 4, 3, 1, 0, 0, 0, 0, 0]
WINDOWS = [("register", 50), ("policy", 25), ("training", 15), ("rights", 10)]


def _cum(weights):
    return list(itertools.accumulate(weights))


class Picker:
    """Fast weighted choice from a fixed population (bisect on cumulative weights)."""

    def __init__(self, rng, items, weights):
        self.rng, self.items, self.cum = rng, list(items), _cum(weights)
        self.total = self.cum[-1]

    def __call__(self):
        return self.items[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


@dataclass
class Context:
    rng: random.Random
    counts: dict
    today: datetime.date
    start: datetime.date
    log: object
    pg: bool


# ---------------------------------------------------------------- writing rows


def _prep(value):
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_rows(model, columns, rows, *, pg):
    """Insert `rows` (tuples in `columns` order, attnames) into `model`'s table; returns the count.

    PostgreSQL: COPY … FROM STDIN (CSV) in chunks, other NOT NULL columns filled with
    their model default. SQLite: `bulk_create` of model instances.
    """
    total = 0
    if not pg:
        for chunk in _chunks(rows, 2_000):
            model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in chunk])
            total += len(chunk)
        return total
    meta = model._meta
    given = set(columns)
    fill_cols, fill_vals = [], []
    for f in meta.concrete_fields:
        if f.attname in given or f.primary_key:
            continue
        default = f.get_default()
        if default is None and not f.null:
            raise ValueError(f"{meta.db_table}.{f.column} needs a value")
        fill_cols.append(f.column)
        fill_vals.append(_prep(default))
    db_cols = [meta.get_field(c).column if c != "id" else "id" for c in columns] + fill_cols
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_cols)
    sql = f"COPY {meta.db_table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, CHUNK):
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            for row in chunk:
                writer.writerow([_prep(v) for v in row] + fill_vals)
            buf.seek(0)
            cursor.cursor.copy_expert(sql, buf)
            total += len(chunk)
    return total


def _chunks(iterable, size):
    it = iter(iterable)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences(models):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


# ---------------------------------------------------------------- bulk loading

# Tables that get millions of rows: their foreign keys and secondary indexes are dropped
# while they are filled and rebuilt once at the end (each FK then validates in one join,
# each index is built by one sort, instead of a deferred trigger and a B-tree insert per
# row; at province scale the rollups' deferred checks alone held the COMMIT for minutes).
# Primary keys and unique constraints stay, so duplicates still fail at once.
BULK_MODELS = [Worker, WorkerTrade, Employer, Posting, Match, WindowVisit, DailyStat, MonthlyStat]


def _loose_schema(cursor, tables):
    """(drop statements, restore statements) for the FKs and non-constraint indexes of `tables`."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        ORDER BY 1, 2""",
        [tables],
    )
    fks = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1""",
        [tables],
    )
    indexes = cursor.fetchall()
    q = connection.ops.quote_name
    drop = [f"ALTER TABLE {table} DROP CONSTRAINT {q(name)}" for table, name, _ in fks]
    drop += [f"DROP INDEX {name}" for name, _ in indexes]
    restore = [definition for _, definition in indexes]
    restore += [f"ALTER TABLE {table} ADD CONSTRAINT {q(name)} {definition}" for table, name, definition in fks]
    return drop, restore


class bulk_load:
    """Context manager: the bulk tables without FKs and secondary indexes inside, restored on exit
    (also when generation fails, so the schema is never left loose). PostgreSQL only."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.restore = []
        self.seconds = 0.0

    def __enter__(self):
        if not self.ctx.pg:
            return self
        tables = [m._meta.db_table for m in BULK_MODELS]
        with transaction.atomic(), connection.cursor() as cursor:
            # Inside an outer transaction (the tests) deferred checks may be queued on the
            # referenced tables, and PostgreSQL refuses to alter a table with queued events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            drop, self.restore = _loose_schema(cursor, tables)
            for sql in drop:
                cursor.execute(sql)
        self.ctx.log(f"bulk load: dropped {len(drop)} foreign keys and indexes")
        return self

    def __exit__(self, *exc):
        if not self.restore:
            return False
        t = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for sql in self.restore:
                cursor.execute(sql)
        self.seconds = round(time.monotonic() - t, 1)
        self.ctx.log(f"bulk load: rebuilt {len(self.restore)} indexes and foreign keys in {self.seconds}s")
        return False


# ---------------------------------------------------------------- helpers


def _moment(ctx, day):
    """A Beijing datetime on `day` following the morning-rush hour distribution."""
    hour = bisect.bisect_right(ctx.hour_cum, ctx.rng.random() * ctx.hour_cum[-1])
    return datetime.datetime(
        day.year, day.month, day.day, hour, ctx.rng.randrange(60), ctx.rng.randrange(60), tzinfo=BEIJING
    )


def _day(ctx):
    """A day in the activity window, weighted towards recent days (the portal grows)."""
    span = (ctx.today - ctx.start).days
    offset = int(span * (ctx.rng.random() ** 0.7))
    return ctx.start + datetime.timedelta(days=min(offset, span))


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _mobile(n, salt):
    prefix = MOBILE_PREFIXES[(n + salt) % len(MOBILE_PREFIXES)]
    return f"{prefix}{(n * 48271 + salt * 7919) % 100_000_000:08d}"


# ---------------------------------------------------------------- steps


def _markets(ctx, counties, trades):
    rng = ctx.rng
    n = ctx.counts["markets"]
    weights = [URBAN.get(c.code, 1) for c in counties]
    county_pick = Picker(rng, counties, weights)
    plan = [(c, Market.Kind.GENERAL, "", "") for c in counties][:n]
    industries = {}
    towns = {}
    while len(plan) < n:
        county = county_pick()
        if rng.random() < 0.08 and len(industries.setdefault(county.pk, set())) < len(INDUSTRIES):
            industry = rng.choice([i for i in INDUSTRIES if i not in industries[county.pk]])
            industries[county.pk].add(industry)
            plan.append((county, Market.Kind.INDUSTRY, industry, ""))
            continue
        used = towns.setdefault(county.pk, set())
        town = rng.choice(TOWN_HEADS) + rng.choice(TOWN_HEADS) + rng.choice(TOWN_TAILS)
        if town in used:
            continue
        used.add(town)
        plan.append((county, Market.Kind.STATION, "", town))
    first = _next_id(Market)
    markets = []
    opened = ctx.start - datetime.timedelta(days=30)
    created = datetime.datetime.combine(opened, datetime.time(9), tzinfo=BEIJING)
    for i, (county, kind, industry, town) in enumerate(plan):
        m = Market(
            id=first + i,
            county=county,
            kind=kind,
            industry=industry,
            township=town,
            status=Market.Status.OPERATING if rng.random() < 0.93 else Market.Status.PLANNING,
            opened_on=opened,
            status_changed_on=opened,
            basis=rng.choice(Market.Basis.values),
            operator=f"{county.short_name}人力资源和社会保障局",
            contact_person=_name(rng),
            contact_phone=_mobile(i, 3),
            address=f"{county.name}{town or '人民路'}{rng.randrange(1, 300)}号",
            created_at=created,
            updated_at=created,
        )
        for field in ("zone_service", "zone_waiting", "window_registration", "window_policy", "fac_rest", "fac_water"):
            setattr(m, field, True)
        for field in ("zone_living", "window_training", "window_rights", "fac_cctv", "fac_first_aid", "fac_shelter"):
            setattr(m, field, rng.random() < 0.7)
        m.name = m.build_name()
        markets.append(m)
    Market.objects.bulk_create(markets, batch_size=1_000)
    through = Market.trades.through
    links, periods = [], []
    trade_pick = Picker(rng, trades, [1 / (k + 1) for k in range(len(trades))])
    for m in markets:
        chosen = {trade_pick() for _ in range(rng.randrange(3, 9))}
        links += [through(market_id=m.pk, trade_id=t.pk) for t in chosen]
        periods.append(OpeningPeriod(market=m, weekdays="123456", opens=datetime.time(6), closes=datetime.time(12)))
        if rng.random() < 0.5:
            periods.append(OpeningPeriod(market=m, weekdays="12345", opens=datetime.time(14), closes=datetime.time(18)))
    through.objects.bulk_create(links, batch_size=5_000)
    OpeningPeriod.objects.bulk_create(periods, batch_size=5_000)
    _market_versions(markets)
    return markets


def _market_versions(markets):
    versions = []
    for m in markets:
        snap = market_snapshot(m)
        versions.append(
            MarketVersion(
                market=m,
                number=1,
                created_at=m.created_at,
                actor_name="generate_data",
                action=MarketVersion.Action.CREATE,
                county_id=m.county_id,
                status=m.status,
                changed_fields=[],
                snapshot=snap,
            )
        )
    MarketVersion.objects.bulk_create(versions, batch_size=1_000)


def _market_pickers(ctx, markets):
    """Markets weighted by county size and kind (a county's main market is the busiest)."""
    weights = []
    for m in markets:
        w = URBAN.get(m.county.code, 1) * (6 if m.kind == Market.Kind.GENERAL else 2 if m.kind == "industry" else 1)
        weights.append(w if m.status == Market.Status.OPERATING else 0.05)
    return Picker(ctx.rng, markets, weights)


def _workers(ctx, markets, trades, counties):
    rng = ctx.rng
    n = ctx.counts["workers"]
    first = _next_id(Worker)
    market_pick = _market_pickers(ctx, markets)
    trade_pick = Picker(rng, [t.pk for t in trades], [1 / (k + 1) ** 1.1 for k in range(len(trades))])
    regions = [c.code for c in counties]
    birth_span = 16_436  # 1961-01-01 .. 2005-12-31
    birth0 = datetime.date(1961, 1, 1)
    by_county = {}
    trade_rows = []
    cols = [
        "id", "name", "id_hash", "id_encrypted", "name_last4_hash", "birth_year", "gender", "mobile_encrypted",
        "mobile_hash",
        "available_from", "available_until", "expected_pay", "pay_unit", "low_income", "disabled",
        "employment_difficulty", "has_injury_insurance", "registered_market_id", "county_id",
        "registered_at", "last_confirmed_match_at", "updated_at", "waiting_since", "priority_tier",
    ]  # fmt: skip

    def rows():
        for i in range(n):
            wid = first + i
            market = market_pick()
            # Unique by construction: (birth date, sequence) is a bijection of i.
            birth = birth0 + datetime.timedelta(days=(i * 7919) % birth_span)
            seq = i // birth_span
            region = regions[(i * 31) % len(regions)] if rng.random() < 0.3 else market.county.code
            id_number = build_id_number(region, birth, seq)
            registered = _moment(ctx, _day(ctx))
            avail_from = ctx.today - datetime.timedelta(days=rng.randrange(0, 30)) if rng.random() < 0.8 else None
            by_county.setdefault(market.county_id, []).append(wid)
            for t in {trade_pick() for _ in range(rng.choice((1, 1, 2, 2, 3)))}:
                # The ranking key's tier is the placeholder below until the tiers step syncs it.
                trade_rows.append((wid, t, market.county_id, market.pk, 3, registered))
            name = _name(rng)
            mobile = _mobile(i, 0)
            yield (
                wid,
                name,
                lookup_hash(id_number),
                encrypt(id_number),
                lookup_hash(name_last4_key(name, id_number[-4:])),
                birth.year,
                "M" if int(id_number[16]) % 2 else "F",
                encrypt(mobile),
                lookup_hash(mobile),
                avail_from,
                ctx.today + datetime.timedelta(days=rng.randrange(5, 90)) if rng.random() < 0.2 else None,
                Decimal(rng.randrange(100, 400)) if rng.random() < 0.7 else None,
                "day",
                rng.random() < 0.08,
                rng.random() < 0.02,
                rng.random() < 0.05,
                rng.random() < 0.35,
                market.pk,
                market.county_id,
                registered,
                None,
                registered,
                registered,
                3,  # set by registry.services.refresh_worker_tiers after the matches
            )

    written = write_rows(Worker, cols, rows(), pg=ctx.pg)
    write_rows(WorkerTrade, ["worker_id", "trade_id", *RANKING_KEY_COLUMNS], trade_rows, pg=ctx.pg)
    return written, by_county, len(trade_rows)


def _employers(ctx, markets, counties):
    rng = ctx.rng
    n = ctx.counts["employers"]
    first = _next_id(Employer)
    market_pick = _market_pickers(ctx, markets)
    kinds = Picker(rng, ["enterprise", "business", "person", "institution"], [45, 30, 22, 3])
    cols = [
        "id",
        "kind",
        "name",
        "credit_code",
        "contact_name",
        "phone_encrypted",
        "phone_hash",
        "county_id",
        "registered_market_id",
        "created_at",
    ]
    by_county = {}
    suffix = ["建筑工程有限公司", "家政服务有限公司", "物流有限公司", "农业专业合作社", "餐饮店", "劳务有限公司"]

    def rows():
        for i in range(n):
            eid = first + i
            market = market_pick()
            kind = kinds()
            by_county.setdefault(market.county_id, []).append(eid)
            if kind == "person":
                name, code = _name(rng), ""
            else:
                name = (
                    f"{market.county.short_name}{rng.choice(TOWN_HEADS)}{rng.choice(TOWN_HEADS)}{rng.choice(suffix)}{i}"
                )
                code = build_credit_code(market.county.code, i + 1) if kind in ("enterprise", "institution") else ""
            yield (
                eid,
                kind,
                name,
                code,
                _name(rng),
                encrypt(_mobile(i, 5)),
                lookup_hash(_mobile(i, 5)),
                market.county_id,
                market.pk,
                _moment(ctx, _day(ctx)),
            )

    write_rows(Employer, cols, rows(), pg=ctx.pg)
    return by_county, first, n


def _postings(ctx, markets, trades, employers_by_county, employer_range):
    rng = ctx.rng
    n = ctx.counts["postings"]
    first = _next_id(Posting)
    market_pick = _market_pickers(ctx, markets)
    trade_pick = Picker(rng, [t.pk for t in trades], [1 / (k + 1) ** 1.1 for k in range(len(trades))])
    head_pick = Picker(rng, [1, 2, 3, 4, 5, 8, 10, 20], [40, 20, 12, 8, 8, 5, 5, 2])
    emp_first, emp_n = employer_range
    cols = [
        "id", "employer_id", "market_id", "trade_id", "headcount", "pay", "pay_unit", "work_date",
        "work_date_end", "start_time", "end_time", "place", "valid_until", "status", "created_at", "closed_at",
    ]  # fmt: skip
    plan = []  # (id, market_id, employer_id, headcount, work_date, work_date_end, created_at, status)

    def rows():
        for i in range(n):
            pid = first + i
            market = market_pick()
            pool = employers_by_county.get(market.county_id)
            employer = rng.choice(pool) if pool and rng.random() < 0.9 else emp_first + rng.randrange(emp_n)
            created = _moment(ctx, _day(ctx))
            work = created.date() + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)))
            end = work + datetime.timedelta(days=rng.choice((0, 0, 0, 0, 1, 2, 6)))
            headcount = head_pick()
            if end < ctx.today:
                status = Posting.Status.FILLED if rng.random() < 0.6 else Posting.Status.EXPIRED
            else:
                status = Posting.Status.OPEN if rng.random() < 0.85 else Posting.Status.FILLED
            closed = None if status == Posting.Status.OPEN else created + datetime.timedelta(hours=rng.randrange(1, 48))
            plan.append((pid, market.pk, employer, headcount, work, end, created, status))
            yield (
                pid,
                employer,
                market.pk,
                trade_pick(),
                headcount,
                Decimal(rng.randrange(120, 400)),
                "day",
                work,
                end if end != work else None,
                datetime.time(7, 30),
                datetime.time(17, 30),
                f"{market.county.name}{rng.choice(TOWN_HEADS)}{rng.choice(TOWN_HEADS)}工地",
                end,
                status,
                created,
                closed,
            )

    write_rows(Posting, cols, rows(), pg=ctx.pg)
    return plan


def _matches(ctx, postings, workers_by_county, markets_by_id):
    """Matches per posting; holding states never exceed the posting's headcount."""
    rng = ctx.rng
    target = ctx.counts["matches"]
    first = _next_id(Match)
    per_posting = target / max(len(postings), 1)
    all_counties = list(workers_by_county)
    cols = [
        "id", "posting_id", "worker_id", "employer_id", "market_id", "state", "agreed_pay", "pay_unit",
        "work_date", "work_date_end", "start_time", "end_time", "insured", "idempotency_key", "reason",
        "created_at", "confirmed_at", "onboarded_at", "completed_at", "ended_at",
    ]  # fmt: skip
    counter = itertools.count(first)
    confirmed_workers = {}

    def rows():
        made = 0
        for pid, market_id, employer_id, headcount, work, end, created, _status in postings:
            if made >= target:
                return
            k = min(int(per_posting * 2 * rng.random() + 0.5), headcount + 3)
            pool = (
                workers_by_county.get(markets_by_id[market_id].county_id) or workers_by_county[rng.choice(all_counties)]
            )
            start = rng.randrange(len(pool))
            stride = rng.randrange(1, 97)
            held = 0
            seen = set()
            for j in range(k):
                worker = pool[(start + j * stride) % len(pool)]
                if worker in seen:
                    continue
                seen.add(worker)
                at = created + datetime.timedelta(minutes=rng.randrange(5, 180))
                future = end >= ctx.today
                roll = rng.random()
                if held >= headcount:
                    state = "cancelled" if roll < 0.7 else "negotiating" if future else "cancelled"
                elif future:
                    state = "negotiating" if roll < 0.35 else "confirmed" if roll < 0.75 else "onboard"
                else:
                    state = "completed" if roll < 0.72 else "no_show" if roll < 0.8 else "cancelled"
                if state in ("confirmed", "onboard", "completed"):
                    held += 1
                confirmed = at + datetime.timedelta(minutes=rng.randrange(5, 90)) if state != "negotiating" else None
                if state == "cancelled" and roll < 0.5:
                    confirmed = None
                onboarded = (
                    datetime.datetime.combine(work, datetime.time(7, rng.randrange(0, 59)), tzinfo=BEIJING)
                    if state in ("onboard", "completed")
                    else None
                )
                if onboarded and confirmed and onboarded < confirmed:
                    onboarded = confirmed + datetime.timedelta(minutes=30)
                completed = (
                    datetime.datetime.combine(end, datetime.time(17, 40), tzinfo=BEIJING)
                    if state == "completed"
                    else None
                )
                ended = at + datetime.timedelta(hours=2) if state in ("cancelled", "no_show") else None
                if confirmed and state in ("confirmed", "onboard", "completed"):
                    confirmed_workers[worker] = max(confirmed_workers.get(worker, confirmed), confirmed)
                made += 1
                yield (
                    next(counter),
                    pid,
                    worker,
                    employer_id,
                    market_id,
                    state,
                    Decimal(rng.randrange(120, 400)),
                    "day",
                    work,
                    end,
                    datetime.time(7, 30),
                    datetime.time(17, 30),
                    rng.random() < 0.4,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    "个人原因" if state in ("cancelled", "no_show") else "",
                    at,
                    confirmed,
                    onboarded,
                    completed,
                    ended,
                )

    written = write_rows(Match, cols, rows(), pg=ctx.pg)
    return written, confirmed_workers


def _last_confirmed(ctx, confirmed_workers):
    """Set workers' last_confirmed_match_at like match_confirm does (one set-based update)."""
    items = list(confirmed_workers.items())
    if not items:
        return
    if ctx.pg:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_lc (worker_id bigint, at timestamptz) ON COMMIT DROP")
            for chunk in _chunks(items, CHUNK):
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(chunk)
                buf.seek(0)
                cursor.cursor.copy_expert("COPY bench_lc FROM STDIN WITH (FORMAT csv)", buf)
            cursor.execute(
                "UPDATE registry_worker w SET last_confirmed_match_at = l.at FROM bench_lc l WHERE w.id = l.worker_id"
            )
    else:
        for worker_id, at in items:
            Worker.objects.filter(pk=worker_id).update(last_confirmed_match_at=at)


def _visits(ctx, markets, workers_by_county):
    rng = ctx.rng
    n = ctx.counts["visits"]
    market_pick = _market_pickers(ctx, markets)
    window_pick = Picker(rng, [w for w, _ in WINDOWS], [w for _, w in WINDOWS])
    first = _next_id(WindowVisit)
    cols = ["id", "market_id", "window", "worker_id", "created_at", "visit_date"]

    def rows():
        for i in range(n):
            market = market_pick()
            at = _moment(ctx, _day(ctx))
            pool = workers_by_county.get(market.county_id)
            worker = pool[rng.randrange(len(pool))] if pool and rng.random() < 0.7 else None
            yield (first + i, market.pk, window_pick(), worker, at, at.date())

    return write_rows(WindowVisit, cols, rows(), pg=ctx.pg)


def _cases_and_placements(ctx, markets, workers_by_county, employers_by_county):
    rng = ctx.rng
    market_pick = _market_pickers(ctx, markets)
    kinds = Picker(rng, ["wages", "injury", "discrimination", "other"], [60, 15, 5, 20])
    first = _next_id(RightsCase)
    cols = [
        "id", "market_id", "kind", "worker_id", "employer_id", "summary", "amount_owed", "amount_recovered",
        "state", "received_on", "closed_on", "created_at",
    ]  # fmt: skip

    def rows():
        made = 0
        while made < ctx.counts["cases"]:
            market = market_pick()
            workers = workers_by_county.get(market.county_id)
            employers = employers_by_county.get(market.county_id)
            if not workers or not employers:
                continue
            day = _day(ctx)
            state = (
                "resolved"
                if day < ctx.today - datetime.timedelta(days=60) and rng.random() < 0.8
                else rng.choice(["received", "mediating", "resolved", "transferred"])
            )
            owed = Decimal(rng.randrange(300, 20_000))
            yield (
                first + made,
                market.pk,
                kinds(),
                rng.choice(workers),
                rng.choice(employers),
                "零工反映用工主体未按约定支付报酬。",
                owed,
                owed if state == "resolved" else Decimal(0),
                state,
                day,
                day + datetime.timedelta(days=rng.randrange(1, 40)) if state in ("resolved", "transferred") else None,
                _moment(ctx, day),
            )
            made += 1

    cases = write_rows(RightsCase, cols, rows(), pg=ctx.pg)
    placements = []
    counties = list(workers_by_county)
    for _ in range(ctx.counts["placements"]):
        county = rng.choice(counties)
        start = _day(ctx)
        placements.append(
            Placement(
                worker_id=rng.choice(workers_by_county[county]),
                county_id=county,
                post=rng.choice(["保洁员", "护路员", "护林员", "公共设施管护员"]),
                unit="乡镇人民政府",
                start_date=start,
                next_follow_up=start + datetime.timedelta(days=90),
                monthly_pay=Decimal(1_600),
            )
        )
    Placement.objects.bulk_create(placements, batch_size=2_000)
    return cases, len(placements)


def _users(markets):
    province = Division.objects.get(level=Division.Level.PROVINCE)
    busiest = next(m for m in markets if m.county.code == "520102" and m.kind == Market.Kind.GENERAL)
    county = busiest.county
    specs = [
        ("superuser", {"is_superuser": True, "is_staff": True, "role": Role.PROVINCE, "division": province}),
        ("province", {"role": Role.PROVINCE, "division": province}),
        ("city", {"role": Role.CITY, "division": county.parent}),
        ("county", {"role": Role.COUNTY, "division": county}),
        ("clerk", {"role": Role.CLERK, "division": county, "market": busiest}),
    ]
    users = {}
    for key, fields in specs:
        user, _ = User.objects.update_or_create(username=USERNAMES[key], defaults={**fields, "full_name": f"压测{key}"})
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        users[key] = user
    return users


def _submissions(ctx, counties, users):
    """A submission for (almost) every active county and every period already due."""
    periods_generate(today=ctx.today)
    rng = ctx.rng
    rows_by_county = {c.pk: freeze_rows(county_markets(c)) for c in counties}
    subs = []
    for period in ReportingPeriod.objects.filter(due_date__lt=ctx.today):
        deadline = period.deadline
        for county in counties:
            if rng.random() < 0.05:
                continue  # a laggard
            late = rng.random() < 0.12
            at = (
                deadline + datetime.timedelta(days=rng.randrange(1, 10))
                if late
                else deadline - datetime.timedelta(days=rng.randrange(1, 5), hours=rng.randrange(1, 12))
            )
            status = Submission.Status.ACCEPTED if rng.random() < 0.8 else rng.choice(list(Submission.Status.values))
            rows = rows_by_county[county.pk]
            subs.append(
                Submission(
                    period=period,
                    county=county,
                    status=status,
                    first_submitted_at=at,
                    submitted_at=at,
                    submitted_by=users["county"],
                    rows=rows,
                    market_count=len(rows),
                )
            )
    Submission.objects.bulk_create(subs, batch_size=500)
    return len(subs)


# ---------------------------------------------------------------- rollups


ROLLUP_SQL = """
INSERT INTO reporting_dailystat (date, county_id, market_id, trade_id, metric, dimension, value)
{select}
"""
LOCAL = "(({col}) AT TIME ZONE 'Asia/Shanghai')::date"


def _rollups_pg(ctx, stock_days):
    """The rows `reporting.rollups.rollup_day` writes, for every day, computed set-based.

    Flow metrics for every day. The stock metric (registered job seekers) per market for
    every day; per market and trade on `stock_days` (period ends and the last week),
    which is where the pages read trade stocks (`figures.stock_date`).
    """
    start, end = ctx.start, ctx.today
    reg = LOCAL.format(col="w.registered_at")
    selects = {
        "new_seekers": f"""
            SELECT {reg}, m.county_id, w.registered_market_id, NULL::bigint, 'new_seekers', '', COUNT(*)
            FROM registry_worker w JOIN markets_market m ON m.id = w.registered_market_id
            WHERE {reg} BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3""",
        "new_seekers_trade": f"""
            SELECT {reg}, m.county_id, w.registered_market_id, wt.trade_id, 'new_seekers', '', COUNT(*)
            FROM registry_worker w JOIN markets_market m ON m.id = w.registered_market_id
            JOIN registry_worker_trades wt ON wt.worker_id = w.id
            WHERE {reg} BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3, 4""",
        "seekers": f"""
            WITH new AS (
                SELECT w.registered_market_id AS mid, {reg} AS d, COUNT(*) AS n
                FROM registry_worker w GROUP BY 1, 2),
            days AS (SELECT generate_series(%(start)s::date, %(end)s::date, interval '1 day')::date AS d),
            base AS (
                SELECT mid, SUM(n) FILTER (WHERE d < %(start)s) AS base FROM new GROUP BY mid),
            grid AS (
                SELECT mk.mid, days.d, COALESCE(mk.base, 0) AS base, COALESCE(new.n, 0) AS n
                FROM base mk CROSS JOIN days
                LEFT JOIN new ON new.mid = mk.mid AND new.d = days.d),
            running AS (SELECT mid, d, base + SUM(n) OVER (PARTITION BY mid ORDER BY d) AS v FROM grid)
            SELECT r.d, m.county_id, r.mid, NULL::bigint, 'seekers', '', r.v
            FROM running r JOIN markets_market m ON m.id = r.mid WHERE r.v > 0""",
        "seekers_trade": f"""
            SELECT s.d, m.county_id, w.registered_market_id, wt.trade_id, 'seekers', '', COUNT(*)
            FROM unnest(%(stock_days)s::date[]) AS s(d)
            JOIN registry_worker w ON {reg} <= s.d
            JOIN markets_market m ON m.id = w.registered_market_id
            JOIN registry_worker_trades wt ON wt.worker_id = w.id
            GROUP BY 1, 2, 3, 4""",
        "visits": """
            SELECT v.visit_date, m.county_id, v.market_id, NULL::bigint, 'visits', v."window", COUNT(*)
            FROM registry_windowvisit v JOIN markets_market m ON m.id = v.market_id
            WHERE v.visit_date BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3, 6""",
    }
    created = LOCAL.format(col="p.created_at")
    for grouping, trade in (("", "NULL::bigint"), (", 4", "p.trade_id")):
        for metric, agg in (("postings", "COUNT(*)"), ("headcount", "SUM(p.headcount)")):
            selects[f"{metric}{grouping}"] = f"""
                SELECT {created}, m.county_id, p.market_id, {trade}, '{metric}', '', {agg}
                FROM registry_posting p JOIN markets_market m ON m.id = p.market_id
                WHERE {created} BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3{grouping}"""
    for metric, moment in (("matches", "confirmed_at"), ("onboarded", "onboarded_at")):
        local = LOCAL.format(col=f"x.{moment}")
        for grouping, trade in (("", "NULL::bigint"), (", 4", "p.trade_id")):
            selects[f"{metric}{grouping}"] = f"""
                SELECT {local}, m.county_id, x.market_id, {trade}, '{metric}', '', COUNT(*)
                FROM matching_match x JOIN markets_market m ON m.id = x.market_id
                JOIN registry_posting p ON p.id = x.posting_id
                WHERE x.{moment} IS NOT NULL AND {local} BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3{grouping}"""
    selects["rights_cases"] = """
        SELECT c.received_on, m.county_id, c.market_id, NULL::bigint, 'rights_cases', c.kind, COUNT(*)
        FROM matching_rightscase c JOIN markets_market m ON m.id = c.market_id
        WHERE c.received_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3, 6"""
    params = {"start": start, "end": end, "stock_days": sorted(stock_days)}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reporting_dailystat WHERE date BETWEEN %(start)s AND %(end)s", params)
        for name, select in selects.items():
            t = time.monotonic()
            cursor.execute(ROLLUP_SQL.format(select=select), params)
            total += cursor.rowcount
            ctx.log(f"  rollup {name}: {cursor.rowcount} rows in {time.monotonic() - t:.1f}s")
        t = time.monotonic()
        total += county_totals_pg(cursor, start, end)
        ctx.log(f"  rollup county totals in {time.monotonic() - t:.1f}s")
    return total


def county_totals_pg(cursor, start, end):
    """Per-county rows (market empty) summed from the per-market rows, as `rollup_day` writes them."""
    cursor.execute(
        ROLLUP_SQL.format(
            select="""
            SELECT date, county_id, NULL, trade_id, metric, dimension, SUM(value)
            FROM reporting_dailystat WHERE market_id IS NOT NULL AND date BETWEEN %(start)s AND %(end)s
            GROUP BY date, county_id, trade_id, metric, dimension"""
        ),
        {"start": start, "end": end},
    )
    return cursor.rowcount


def _rollups(ctx):
    """Daily rollups, then the monthly rows read by trends and period figures (built from
    the daily rows by `reporting.rollups.rollup_month`, set-based, on both databases)."""
    periods = ReportingPeriod.objects.filter(end__gte=ctx.start, end__lte=ctx.today).values_list("end", flat=True)
    stock_days = set(periods) | {ctx.today - datetime.timedelta(days=k) for k in range(7)}
    if not ctx.pg:
        days = [ctx.start + datetime.timedelta(days=k) for k in range((ctx.today - ctx.start).days + 1)]
        return rollup_days(days=days)
    total = _rollups_pg(ctx, stock_days)
    # The channel rows over the whole range in one pass (four grouped queries), then every
    # month at every level: the monthly rows, and the 市州 and province rows.
    t = time.monotonic()
    total += rollup_channels(start=ctx.start, end=ctx.today)
    ctx.log(f"  rollup channels, months and regions in {time.monotonic() - t:.1f}s")
    return total


# ---------------------------------------------------------------- entry point


def generate(*, scale="small", seed=1, fraction=None, today=None, log=print):
    """Fill the (empty) database; returns {table: rows, "seconds": {step: s}}."""
    counts = dict(SCALES[scale])
    if fraction:
        counts = {k: (v if k in ("days", "markets") else max(int(v * fraction), 1)) for k, v in counts.items()}
    if Worker.objects.exists() or Market.objects.exists():
        raise ValueError("the database already has markets or workers: generate into a freshly migrated database")
    pg = connection.vendor == "postgresql"
    today = today or timezone.localdate()
    ctx = Context(
        rng=random.Random(seed),
        counts=counts,
        today=today,
        start=today - datetime.timedelta(days=counts["days"] - 1),
        log=log,
        pg=pg,
    )
    ctx.hour_cum = _cum(HOUR_WEIGHTS)
    counties = list(Division.objects.filter(level=Division.Level.COUNTY, is_active=True).select_related("parent"))
    trades = list(Trade.objects.filter(is_active=True).order_by("sort_order", "code"))
    result, seconds = {}, {}

    def step(name, fn):
        t = time.monotonic()
        with transaction.atomic():
            if pg:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            out = fn()
        seconds[name] = round(time.monotonic() - t, 1)
        log(f"{name}: {seconds[name]}s")
        return out

    with bulk_load(ctx) as loose:
        markets = step("markets", lambda: _markets(ctx, counties, trades))
        result["markets"] = len(markets)
        markets_by_id = {m.pk: m for m in markets}
        result["workers"], workers_by_county, result["worker_trades"] = step(
            "workers", lambda: _workers(ctx, markets, trades, counties)
        )
        employers_by_county, emp_first, emp_n = step("employers", lambda: _employers(ctx, markets, counties))
        result["employers"] = emp_n
        postings = step("postings", lambda: _postings(ctx, markets, trades, employers_by_county, (emp_first, emp_n)))
        result["postings"] = len(postings)
        result["matches"], confirmed = step(
            "matches", lambda: _matches(ctx, postings, workers_by_county, markets_by_id)
        )
        step("last_confirmed", lambda: _last_confirmed(ctx, confirmed))
        step("tiers", lambda: refresh_worker_tiers(ctx.today))
        result["visits"] = step("visits", lambda: _visits(ctx, markets, workers_by_county))
        result["rights_cases"], result["placements"] = step(
            "cases", lambda: _cases_and_placements(ctx, markets, workers_by_county, employers_by_county)
        )
        users = step("users", lambda: _users(markets))
        result["submissions"] = step("submissions", lambda: _submissions(ctx, counties, users))
        _reset_sequences([Market, Worker, Employer, Posting, Match, WindowVisit, RightsCase, WorkerTrade])
        result["daily_stats"] = step("rollups", lambda: _rollups(ctx))
    if loose.restore:
        seconds["rebuild"] = loose.seconds
    if pg:
        t = time.monotonic()
        with connection.cursor() as cursor:
            # VACUUM sets the visibility map that index-only scans rely on (autovacuum would,
            # hours later); it cannot run inside a transaction (the tests generate in one).
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        seconds["vacuum_analyze"] = round(time.monotonic() - t, 1)
    result["seconds"] = seconds
    result["total_seconds"] = round(sum(seconds.values()), 1)
    return result
