"""Time the live province 附件1 end to end and in its parts, read-only, best and median of N.

    DATABASE_URL=postgres://…/gm_bench PII_KEY=bench-pii-key DEBUG=1 \
        .venv/bin/python bench/attachment1_timing.py [--repeat 5] [--profile]

Run from the checkout whose code is to be timed (the repository is taken from the current
directory), so two commits are measured side by side in one session: main's checkout, then
this one, with the CPU reference (`bench.run.cpu_reference_ms`) before and after each. The
session is read-only (SET TRANSACTION READ ONLY): nothing is written to the database and no
audit row is left, so it can run on the shared benchmark database.

Parts: the markets query and fetch (`reporting.selectors.live_market_values`, plain values;
`live_markets`, model instances, in a checkout from before it), the rows (`market_rows`, or
`market_row` per market), the writer (`write_attachment1` through `live_export`), and the whole
`reporting.exports.attachment1_workbook` as the export view calls it, each run after a full
collection (as between two requests), then the time of the collection of what it left; with
the process CPU time of the whole export and its Python function calls (cProfile), which the
load of the machine does not move.
"""

import argparse
import contextlib
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigmarket.settings")

import django

django.setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.generate import USERNAMES
from bench.run import cpu_reference_ms
from gigmarket.core.models import User
from markets.attachment1 import live_export
from reporting.exports import attachment1_workbook

try:  # the parts run as the whole export runs them: with the collector paused where the code pauses it
    from gigmarket.core.exports import gc_paused
except ImportError:  # a checkout from before the pause
    gc_paused = contextlib.nullcontext

try:  # the rows from plain values(), as the export builds them
    from markets.attachment1 import market_rows
    from reporting.selectors import live_market_values as fetch_markets
except ImportError:  # a checkout from before them: model instances, one market_row each
    from markets.attachment1 import market_row
    from reporting.selectors import live_markets as fetch_markets

    def market_rows(markets):
        return [market_row(m) for m in markets]


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of one whole export")
    args = parser.parse_args()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        user = User.objects.get(username=USERNAMES["province"])
        cpu_before = cpu_reference_ms()
        with gc_paused():
            fetch = timed(lambda: list(fetch_markets(user)), args.repeat)
            markets = fetch[2]
            rows_part = timed(lambda: market_rows(markets), args.repeat)
            rows = rows_part[2]
            write = timed(lambda: live_export(rows, user=user, division=None)[0], args.repeat)
        with CaptureQueriesContext(connection) as queries:
            attachment1_workbook(user=user)
        times, cpu_times, collections = [], [], []
        for _ in range(args.repeat):
            gc.collect()  # what the previous export left, as between two requests
            start, cpu_start = time.perf_counter(), time.process_time()
            attachment1_workbook(user=user)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            gc.collect()  # the cycles this export left: paid by this request or the next one
            collections.append(time.perf_counter() - start - times[-1])
        whole = (min(times), statistics.median(times), None)
        whole_cpu = (min(cpu_times), statistics.median(cpu_times), None)
        collect = (min(collections), statistics.median(collections), None)
        profile = cProfile.Profile()
        profile.runcall(attachment1_workbook, user=user)
        stats = pstats.Stats(profile)
        cpu_after = cpu_reference_ms()
        print(f"checkout {os.getcwd()}  markets {len(markets)}  file {len(write[2]):,} bytes")
        print(f"CPU reference before {cpu_before} ms, after {cpu_after} ms; collector paused: {gc_paused.__name__}")
        print(f"queries per export {len(queries.captured_queries)}; Python calls per export {stats.total_calls:,}")
        for name, (best, median, _result) in (
            ("query and fetch", fetch),
            ("rows", rows_part),
            ("writer", write),
            ("whole export", whole),
            ("whole, CPU", whole_cpu),
            ("then gc.collect", collect),
        ):
            print(f"{name:16} best {best:.3f} s  median {median:.3f} s")
        if args.profile:
            stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
