"""Run the worker CSV export job in this process and report rows/s and resident memory.

    DATABASE_URL=postgres://…/gm_big PII_KEY=bench-pii-key DEBUG=1 MEDIA_ROOT=/tmp/exports \
        .venv/bin/python bench/export_job_memory.py --user province

Records an `ExportJob` of kind `registry.workers_csv` for the benchmark account `--user`
(bench.generate.USERNAMES: county, city, province), runs it with
`gigmarket.core.export_jobs.export_job_run` as the Celery task does, and prints the rows
written, the time, rows/s, the resident set sampled every 0.2 s (its value after the first
20,000 rows, and the peak) and `ru_maxrss`. Memory is flat when the peak does not grow with
the rows from one scope to the next. Writes the job, its audit row and the file: run it on a
throwaway database (docs/performance.md, "Province worker export").
"""

import argparse
import os
import resource
import sys
import threading
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigmarket.settings")

import django

django.setup()

from django.core.files.storage import default_storage

from bench.generate import USERNAMES
from gigmarket.core import export_jobs
from gigmarket.core.models import ExportJob, User
from registry.export_jobs import WORKERS_CSV


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="province", choices=["county", "city", "province"])
    parser.add_argument("--keep", action="store_true", help="keep the written file")
    args = parser.parse_args()
    owner = User.objects.get(username=USERNAMES[args.user])
    job = ExportJob.objects.create(owner=owner, kind=WORKERS_CSV, title="零工名单(CSV)", params={"q": ""}, rows_total=0)
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            done = ExportJob.objects.filter(pk=job.pk).values_list("rows_done", flat=True).first()
            samples.append((time.perf_counter(), rss_mb(), done or 0))
            stop.wait(0.2)

    base = rss_mb()
    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    sampler.start()
    finished = export_jobs.export_job_run(job.pk)
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if finished is None:
        raise SystemExit(f"the job failed: {ExportJob.objects.get(pk=job.pk).error}")
    size = default_storage.size(finished.file)
    early = next((mb for _t, mb, done in samples if done >= 20_000), None)
    peak = max(mb for _t, mb, _done in samples)
    print(f"user {args.user}: {finished.rows_done:,} rows, {size / 2**20:,.0f} MB of CSV in {seconds:,.1f} s")
    print(f"  {finished.rows_done / seconds:,.0f} rows/s")
    print(f"  RSS before {base:.0f} MB, after 20,000 rows {early or 0:.0f} MB, peak {peak:.0f} MB")
    print(f"  ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if not args.keep:
        export_jobs.export_job_expire(finished)


if __name__ == "__main__":
    main()
