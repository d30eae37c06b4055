"""The data generator and the benchmark at a tiny scale, so neither can rot.

Speed is proven by running `bench.run` on generated provincial data (docs/performance.md),
not here: these tests check that the generated data is valid and consistent, and that
every benchmark case still runs and answers as expected.
"""

import datetime
import http.server
import threading
import types

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.urls import reverse

from bench import run as bench_run
from bench.generate import BULK_MODELS, SCALES, USERNAMES, _loose_schema, bulk_load, generate
from gigmarket.core.models import User
from matching.models import HOLDING_STATES, Match, MatchState
from registry.models import Employer, Posting, WindowVisit, Worker
from registry.validators import normalize_credit_code, normalize_mobile, parse_id_number
from reporting.models import DailyStat, Notification, Submission
from reporting.rollups import rollup_day
from tests.conftest import ensure_reference_data

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Generate once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        yield generate(scale="tiny", seed=7, today=TODAY, log=lambda *_: None)
        transaction.set_rollback(True)


@pytest.fixture
def tiny(generated, db):
    return generated


def test_it_fills_every_table_at_the_requested_scale(tiny):
    counts = SCALES["tiny"]
    assert tiny["markets"] == counts["markets"]
    assert Worker.objects.count() == counts["workers"]
    assert Employer.objects.count() == counts["employers"]
    assert Posting.objects.count() == counts["postings"]
    assert WindowVisit.objects.count() == counts["visits"]
    assert Match.objects.count() == tiny["matches"] > counts["matches"] // 2
    assert Submission.objects.count() == tiny["submissions"] > 0
    assert DailyStat.objects.count() == tiny["daily_stats"] > 0


def test_workers_are_stored_like_a_registration_with_valid_ids_and_mobiles(tiny):
    for worker in Worker.objects.order_by("?")[:25]:
        parsed = parse_id_number(worker.full_id_number(), today=TODAY)
        assert worker.birth_year == parsed.birth_date.year
        assert worker.gender == parsed.gender
        assert Worker.objects.filter(id_hash=worker.id_hash).count() == 1
        assert normalize_mobile(worker.mobile) == worker.mobile
        # Found the way the search finds them: by keyed hashes only.
        assert worker in Worker.objects.with_name_last4(worker.name, parsed.last4)
        assert worker in Worker.objects.with_mobile(worker.mobile)
    for code in Employer.objects.exclude(credit_code="").values_list("credit_code", flat=True)[:25]:
        assert normalize_credit_code(code) == code
    for employer in Employer.objects.order_by("?")[:25]:
        assert Employer.objects.with_phone(employer.phone).filter(pk=employer.pk).exists()


def test_matches_cover_every_state_and_never_exceed_headcount(tiny):
    assert set(Match.objects.values_list("state", flat=True)) == set(MatchState.values)
    over = (
        Posting.objects.annotate(held=Count("matches", filter=Q(matches__state__in=HOLDING_STATES)))
        .filter(held__gt=F("headcount"))
        .count()
    )
    assert over == 0


@pytest.mark.postgres
def test_rollups_equal_what_the_reporting_rollup_writes(tiny):
    """The generator's set-based SQL rollups match `reporting.rollups.rollup_day`. (On
    SQLite the generator calls `rollup_day` itself: the comparison would prove nothing.)"""

    def totals(day):
        out = {}
        for metric, trade, dimension, value in DailyStat.objects.filter(date=day).values_list(
            "metric", "trade_id", "dimension", "value"
        ):
            key = (metric, trade is None, dimension)
            out[key] = out.get(key, 0) + value
        return out

    for day in (TODAY, TODAY - datetime.timedelta(days=3)):
        generated = totals(day)
        assert generated
        rollup_day(day=day)
        assert totals(day) == generated


def test_monthly_rollups_are_the_sums_of_the_generated_daily_rows(tiny):
    from collections import Counter

    from reporting.models import MonthlyStat
    from reporting.rollups import MONTHLY_METRICS

    key = ("county_id", "market_id", "trade_id", "metric", "dimension")
    daily = Counter()
    for day, *rest, value in DailyStat.objects.filter(metric__in=MONTHLY_METRICS).values_list("date", *key, "value"):
        daily[(day.replace(day=1), *rest)] += value
    monthly = Counter({tuple(rest): value for *rest, value in MonthlyStat.objects.values_list("month", *key, "value")})
    assert monthly == +daily
    assert len(monthly) == MonthlyStat.objects.count() > 0


def test_generated_region_rows_are_the_sums_of_the_market_rows(tiny):
    """The 市州 and province rows the monitoring pages read, as the generator leaves them
    (on PostgreSQL: its set-based SQL, then `rollup_channels` rebuilding every month)."""
    from tests.reporting.test_region_rollups import assert_regions_are_the_market_sums

    assert_regions_are_the_market_sums()


def test_it_refuses_a_database_that_already_has_data(tiny):
    with pytest.raises(ValueError, match="already has"):
        generate(scale="tiny", seed=7, today=TODAY, log=lambda *_: None)


def test_every_benchmark_case_runs_and_reports(tiny):
    results, table = bench_run.run(repeat=1, log=lambda *_: None)
    cases = [r.case for r in results]
    assert any(c.startswith("1 ") for c in cases)
    assert sum(c.startswith("2 ") for c in cases) == 3
    assert sum(c.startswith("5 监测") for c in cases) == 6  # 省 / 市州 / 县, and day, week and month grains
    assert sum(c.startswith("5 地图") for c in cases) == 4  # three figures for the province, one for a 市州
    assert sum(c.startswith("4 今日零工岗位") for c in cases) == 2
    assert sum(c.startswith("7 ") for c in cases) == 2
    assert sum(c.startswith("8 ") for c in cases) == 2
    assert sum(r.group == "admin" for r in results) == 2
    assert all(r.p50_ms > 0 and r.queries > 0 for r in results if r.group != "http" and "缓存命中" not in r.case)
    assert Worker.objects.filter(name="压测新登记").count() == 3  # the registration case created new workers
    assert table.count("\n| ") == len(results) + 1


def test_load_tool_counts_answers_from_a_loopback_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        stats = bench_run.load(server.server_address[1], "/", seconds=0.5, connections=2)
    finally:
        server.shutdown()
    assert stats["requests"] > 10
    assert stats["errors"] == 0
    assert stats["rps"] > 0


# The generator drops the bulk tables' foreign keys and secondary indexes while it fills
# them (PostgreSQL only; SQLite goes through bulk_create with the schema untouched).
BULK_TABLES = [model._meta.db_table for model in BULK_MODELS]


def _schema():
    """The restore statements, partial-index predicates cut off (PostgreSQL re-prints them
    in an equivalent but different form)."""
    with connection.cursor() as cursor:
        return sorted(sql.split(" WHERE ")[0] for sql in _loose_schema(cursor, BULK_TABLES)[1])


@pytest.mark.postgres
def test_generated_tables_keep_every_foreign_key_and_index_the_models_declare(tiny):
    with connection.cursor() as cursor:
        for model in BULK_MODELS:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            fk_columns = {c["columns"][0] for c in constraints.values() if c["foreign_key"]}
            # (an expression index, like the GiST index of match days, has no columns)
            indexed = {c["columns"][0] for c in constraints.values() if (c["index"] or c["unique"]) and c["columns"]}
            declared = {i.name for i in model._meta.indexes} | {c.name for c in model._meta.constraints}
            assert declared <= set(constraints), model
            for field in model._meta.concrete_fields:
                if field.remote_field and field.db_constraint:
                    assert field.column in fk_columns, (model, field.column)
                if field.db_index:  # a ForeignKey is indexed unless it says db_index=False
                    assert field.column in indexed, (model, field.column)


@pytest.mark.postgres
def test_bulk_load_restores_the_schema_even_when_generation_fails(db):
    before = _schema()
    assert len(before) > 20
    ctx = types.SimpleNamespace(pg=True, log=lambda *_: None)
    with pytest.raises(RuntimeError, match="generation failed"), bulk_load(ctx):
        assert _schema() == []
        raise RuntimeError("generation failed")
    assert _schema() == before


@override_settings(ROOT_URLCONF="bench.urls")  # as `bench_run.run(floor=True)` serves the portal
def test_floor_mode_reports_the_page_its_sql_alone_and_a_bare_response(tiny):
    bench = bench_run.Bench(repeat=3, log=lambda *_: None, floor=True)
    province = User.objects.get(username=USERNAMES["province"])
    result = bench.measure("市场列表", "page", province, reverse("markets:list"))
    extra = result.extra
    # Every captured statement is replayed or counted as skipped (on PostgreSQL the page's
    # savepoints are statements too, and are not replayed).
    assert extra["sql_replayed"] + extra["writes_skipped"] == result.queries and extra["sql_replayed"] > 2
    assert extra["sql_p50_ms"] > 0 and extra["bare_p50_ms"] > 0 and extra["cpu_p50_ms"] > 0
    assert extra["floor_p50_ms"] == pytest.approx(extra["sql_p50_ms"] + extra["bare_p50_ms"], abs=0.02)
    assert extra["floor_ratio"] == pytest.approx(result.p50_ms / extra["floor_p50_ms"], rel=0.01)
    assert extra["floor_ratio"] > 0
    table = bench_run.floor_markdown(bench.results, {"counts": {}, "vendor": "sqlite", "when": ""})
    row = table.splitlines()[-1]
    assert row.startswith("| 市场列表 | ") and f"{extra['floor_ratio']}×" in row


@override_settings(ROOT_URLCONF="bench.urls")
def test_floor_mode_does_not_replay_writes(tiny):
    """Marking notifications read is an UPDATE: the run sees the page's own (1 request + 2
    warm-ups), the replays add none."""
    bench = bench_run.Bench(repeat=1, log=lambda *_: None, floor=True)
    clerk = User.objects.get(username=USERNAMES["clerk"])
    writes = []

    def unread():
        Notification.objects.create(recipient=clerk, kind="reminder", title="报送提醒")

    def count(execute, sql, params, many, context):
        if not bench_run.is_read(sql):
            writes.append(sql)
        return execute(sql, params, many, context)

    url = reverse("reporting:notifications_read")
    with connection.execute_wrapper(count):
        result = bench.measure("已读", "page", clerk, url, method="post", data={}, before=unread, expect=302)
    assert result.extra["writes_skipped"] >= 1 and result.extra["sql_replayed"] >= 1
    marked = [sql for sql in writes if sql.lstrip().upper().startswith("UPDATE") and "notification" in sql]
    assert len(marked) == 3
    assert not Notification.objects.filter(recipient=clerk, read_at__isnull=True).exists()
