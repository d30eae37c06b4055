"""Under load (issue 19): window clerks registering and staff browsing, over HTTP, for a fixed time.

    # against a server that is already running
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gm_load_new \\
        .venv/bin/python -m bench.load --base-url http://127.0.0.1:8000 --seconds 60

    # start gunicorn (ops/gunicorn.conf.py, 2 workers, DEBUG=0) from a checkout, then load it;
    # several --target options run one after the other, --rounds times (old, new, old, new)
    .venv/bin/python -m bench.load --seconds 60 --rounds 2 --redis-url redis://127.0.0.1:6379/9 \\
        --target old=/work/wt/load19-old@postgres://postgres@127.0.0.1:5432/gm_load_old \\
        --target new=.@postgres://postgres@127.0.0.1:5432/gm_load_new

The mix: `--registrars` clients (default 4) sign in as the generated window clerk and
register new workers at the window (POST of the registration form, then the page its 302
points to); `--browsers` clients (default 4) sign in as county, 市州 and province staff and
go round the worker list, a worker lookup (身份证号, 手机号 or 姓名+后4位 of a worker this run
registered, posted as the search form does), the match list and the market list. Each
client is a thread with its own connection, cookies and CSRF token, and sends its next
request when the previous one is answered (a closed loop, no think time).

It reports the requests per second over the timed window (after `--warmup` seconds of the
same mix), p50 / p95 per kind of request there, and over the whole run errors (an answer
outside 2xx/3xx, or a connection error or timeout) and unexpected answers (a registration that is not
redirected to the new worker's edit page, a page that redirects, e.g. to the login), and
lost rows: every registration carries the run's tag and its own number in the worker's 备注
("load-<run>-<n>"); after the run the numbers the clients were told were created (a 302 to
the new worker's edit page) are compared with the numbers found in the database (by number,
not by pk: a database may hand a rolled-back pk out again, SQLite does).

This module is a client only: it reads the database with plain SQL (psycopg2), so the same
driver loads an older commit's server whose models differ.
"""

import argparse
import datetime
import http.client
import http.cookies
import itertools
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.run import _pct, cpu_reference_ms

BASE_DIR = Path(__file__).resolve().parent.parent
# bench/generate.py's accounts (same names and password at every commit since issue 7).
PASSWORD = "bench-Password-2024"
CLERK = "bench_clerk"
STAFF = ("bench_county", "bench_city", "bench_province", "bench_county")
REGISTRATION_NAME = "压测登记"
LOGIN_PATH = "/accounts/login/"
REGISTER_PATH = "/registry/workers/new/"
WORKER_LIST_PATH = "/registry/workers/"
MATCH_LIST_PATH = "/matching/matches/"
MARKET_LIST_PATH = "/markets/"
CREATED = re.compile(r"/registry/workers/(\d+)/edit/$")
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TRADE_FIELD = re.compile(rb'name="trades" value="(\d+)"')
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number(area, birth, seq):
    """A valid 18-digit 身份证号 (GB 11643 check digit) for area code, birth date and sequence."""
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def registration_identity(n, area):
    """The n-th load-test worker: born 2006-2007 (after the generator's range), as bench.run numbers them."""
    birth = datetime.date(2006, 1, 1) + datetime.timedelta(days=n % 700)
    return id_number(area, birth, n // 700), f"139{n % 100_000_000:08d}"


class LoadError(Exception):
    """A connection error or a timeout: counted as an error, the client reconnects."""


class Browser:
    """One user agent: a connection (reopened when the server closes it), cookies, a CSRF token."""

    def __init__(self, host, port, timeout=30):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None
        self.cookies = {}
        self.csrf = ""

    def request(self, method, path, fields=None):
        """(status, headers, body); raises LoadError on a connection error or timeout."""
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise LoadError(f"{method} {path}: {exc!r}") from exc
        for raw in response.msg.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(raw).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        found = CSRF_FIELD.search(content)
        if found:
            self.csrf = found.group(1).decode()
        return response.status, response, content

    def login(self, username, password):
        status, _r, _body = self.request("GET", LOGIN_PATH)
        if status != 200 or not self.csrf:
            raise RuntimeError(f"login page answered {status}")
        status, response, _body = self.request("POST", LOGIN_PATH, {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status}): check the password and 2FA settings")
        return response.getheader("Location")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Record:
    """What the clients saw; appended to by all threads (list.append is atomic)."""

    samples: list = field(default_factory=list)  # (kind, start, ms, outcome) with outcome ok / error / unexpected
    created: list = field(default_factory=list)  # (registration number, worker pk) from the 302s
    identities: list = field(default_factory=list)  # (身份证号, mobile) of the workers created
    problems: list = field(default_factory=list)  # the first few error messages
    crashed: list = field(default_factory=list)  # client threads that died (a bug in this driver)

    def add(self, kind, start, ms, outcome, problem=""):
        self.samples.append((kind, start, ms, outcome))
        if problem and len(self.problems) < 20:
            self.problems.append(f"{kind}: {problem}")


def timed(record, kind, browser, method, path, fields=None, *, expect=200, where=None):
    """One request: recorded with its outcome; returns (status, response) or (None, None).

    `where`: for an expected redirect, a pattern its Location's path must match."""
    start = time.monotonic()
    try:
        status, response, _body = browser.request(method, path, fields)
    except LoadError as exc:
        record.add(kind, start, (time.monotonic() - start) * 1000, "error", str(exc))
        return None, None
    ms = (time.monotonic() - start) * 1000
    if not 200 <= status < 400:
        record.add(kind, start, ms, "error", f"{method} {path} answered {status}")
        return None, None
    elif status != expect or (where and not where.search(urlsplit(response.getheader("Location", "")).path)):
        location = response.getheader("Location", "")
        record.add(kind, start, ms, "unexpected", f"{method} {path} answered {status} {location}".strip())
        return None, None
    else:
        record.add(kind, start, ms, "ok")
    return status, response


class Numbers:
    """Registration numbers shared by the clerks' threads (each 身份证号 used once)."""

    def __init__(self, start):
        self.counter = itertools.count(start)
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            return next(self.counter)


def client(loop):
    """A client thread's target: a crash of the driver itself is reported, never hidden."""

    def run(browser, record, *args, **kwargs):
        try:
            loop(browser, record, *args, **kwargs)
        except Exception as exc:
            record.crashed.append(f"{loop.__name__}: {exc!r}")
            raise

    return run


@client
def registrar(browser, record, numbers, stop, *, area, trade, tag):
    while time.monotonic() < stop:
        n = numbers.next()
        identity, mobile = registration_identity(n, area)
        fields = {
            "name": REGISTRATION_NAME,
            "id_number": identity,
            "mobile": mobile,
            "trades": [trade],
            "available_from": datetime.date.today().isoformat(),
            "pay_unit": "day",
            "notes": f"{tag}-{n}",
            "token": str(uuid.uuid4()),
        }
        # Anything but the new worker's edit page (a replay, an existing worker's visit) is unexpected.
        status, response = timed(record, "register", browser, "POST", REGISTER_PATH, fields, expect=302, where=CREATED)
        if status is None:
            continue
        location = urlsplit(response.getheader("Location", "")).path
        record.created.append((n, int(CREATED.search(location).group(1))))
        record.identities.append((identity, mobile))
        timed(record, "register_follow", browser, "GET", location)


@client
def browser_loop(browser, record, stop, *, seed):
    rng = random.Random(seed)
    lookups = itertools.cycle(("id", "mobile", "name4"))
    while time.monotonic() < stop:
        timed(record, "worker_list", browser, "GET", f"{WORKER_LIST_PATH}?page={rng.randint(1, 3)}")
        if record.identities:
            identity, mobile = rng.choice(record.identities[-200:])
            how = next(lookups)
            q = {"id": identity, "mobile": mobile, "name4": f"{REGISTRATION_NAME} {identity[-4:]}"}[how]
            timed(record, "lookup", browser, "POST", WORKER_LIST_PATH, {"q": q})
        timed(record, "match_list", browser, "GET", MATCH_LIST_PATH)
        timed(record, "market_list", browser, "GET", MARKET_LIST_PATH)


def start_number(db):
    """The next registration number: past every worker born in 2006 or later (bench.run's and
    earlier loads' registrations) and past every number an earlier load recorded in 备注."""
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_worker WHERE birth_year >= %s", [2006])
        count = cursor.fetchone()[0]
        cursor.execute("SELECT notes FROM registry_worker WHERE notes LIKE %s", ["load-%"])
        numbers = [int(n) for (notes,) in cursor.fetchall() if (n := notes.rsplit("-", 1)[-1]).isdigit()]
    return max([count, *(n + 1 for n in numbers)])


def clerk_area(db, username=CLERK):
    """The clerk's county code: the area code of the 身份证号 registered."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT d.code FROM gigmarket_user u JOIN gigmarket_division d ON d.id = u.division_id "
            "WHERE u.username = %s",
            [username],
        )
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"no user {username}: is this a database from generate_data?")
    return row[0]


def check_rows(db, record, tag):
    """Compare the clients' 302s with the rows in the database after the run."""
    with db.cursor() as cursor:
        cursor.execute("SELECT id, notes FROM registry_worker WHERE notes LIKE %s", [f"{tag}-%"])
        rows = {int(notes.rsplit("-", 1)[1]): pk for pk, notes in cursor.fetchall()}
        trade_rows = 0
        if rows:
            ids = sorted(rows.values())
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"SELECT count(*) FROM registry_worker_trades WHERE worker_id IN ({marks})", ids)
            trade_rows = cursor.fetchone()[0]
    told = {n for n, _pk in record.created}
    return {
        "created_by_302": len(record.created),
        "rows_in_db": len(rows),
        "lost_rows": len(told - set(rows)),
        "rows_without_302": len(set(rows) - told),
        "duplicate_302_pk": len(record.created) - len({pk for _n, pk in record.created}),
        "workers_missing_trade_row": len(rows) - trade_rows,
    }


def summarize(record, window_start, window_end):
    """req/s, requests and p50 / p95 per kind over the requests started in the timed window;
    errors and unexpected answers over the whole run (warm-up and the window's last answers too)."""
    timed_samples = [s for s in record.samples if window_start <= s[1] < window_end]
    # The window ends when its last request is answered (no request is cut off).
    finished = max((s[1] + s[2] / 1000 for s in timed_samples), default=window_end)
    seconds = max(finished, window_end) - window_start
    kinds = {}
    for kind in ("register", "register_follow", "worker_list", "lookup", "match_list", "market_list"):
        these = [s for s in timed_samples if s[0] == kind]
        every = [s for s in record.samples if s[0] == kind]
        ms = [s[2] for s in these if s[3] == "ok"]
        kinds[kind] = {
            "requests": len(these),
            "errors": sum(s[3] == "error" for s in every),
            "unexpected": sum(s[3] == "unexpected" for s in every),
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(_pct(ms, 0.95), 1) if ms else None,
        }
    browse = [s[2] for s in timed_samples if s[0] not in ("register", "register_follow") and s[3] == "ok"]
    return {
        "seconds": round(seconds, 1),
        "requests": len(timed_samples),
        "rps": round(len(timed_samples) / seconds, 1) if seconds else 0,
        "errors": sum(s[3] == "error" for s in record.samples),
        "unexpected": sum(s[3] == "unexpected" for s in record.samples),
        "browse_p50_ms": round(statistics.median(browse), 1) if browse else None,
        "browse_p95_ms": round(_pct(browse, 0.95), 1) if browse else None,
        "kinds": kinds,
    }


def run_load(base_url, db, *, seconds, warmup=5.0, registrars=4, browsers=4, clerk=CLERK, staff=STAFF,
             password=PASSWORD, log=print, probe=None):  # fmt: skip
    """Sign the clients in, run the mix for warmup + seconds, then count the rows. Returns the report.

    `probe`, if given, is called when the timed window opens and after its last answer; the
    difference of what it returns is reported as `server_cpu` (see `ServerCPU`)."""
    url = urlsplit(base_url)
    host, port = url.hostname, url.port or 80
    tag = f"load-{uuid.uuid4().hex[:12]}"
    area = clerk_area(db, clerk)
    numbers = Numbers(start_number(db))
    record = Record()
    clerks, staff_browsers = [], []
    for _ in range(registrars):
        b = Browser(host, port)
        b.login(clerk, password)
        status, _r, body = b.request("GET", REGISTER_PATH)
        trade = TRADE_FIELD.search(body)
        if status != 200 or trade is None:
            raise RuntimeError(f"the registration form answered {status} without trades")
        clerks.append((b, trade.group(1).decode()))
    for i in range(browsers):
        b = Browser(host, port)
        b.login(staff[i % len(staff)], password)
        b.request("GET", WORKER_LIST_PATH)  # the search form's CSRF token
        staff_browsers.append(b)
    window_start = time.monotonic() + warmup
    window_end = window_start + seconds
    threads = [
        threading.Thread(
            target=registrar, args=(b, record, numbers, window_end), kwargs={"area": area, "trade": t, "tag": tag}
        )
        for b, t in clerks
    ]
    threads += [
        threading.Thread(target=browser_loop, args=(b, record, window_end), kwargs={"seed": i})
        for i, b in enumerate(staff_browsers)
    ]
    log(f"{registrars} registering, {browsers} browsing: {warmup:g} s warm-up, then {seconds:g} s timed")
    for th in threads:
        th.start()
    opened = None
    if probe is not None:
        time.sleep(max(0.0, window_start - time.monotonic()))
        opened = probe()
    for th in threads:
        th.join()
    closed = probe() if probe is not None else None
    for b, _t in clerks:
        b.close()
    for b in staff_browsers:
        b.close()
    report = summarize(record, window_start, window_end)
    report["rows"] = check_rows(db, record, tag)
    report["tag"] = tag
    report["problems"] = record.problems
    report["client_crashes"] = record.crashed
    if probe is not None:
        report["server_cpu"] = ServerCPU.difference(opened, closed, report["requests"])
    return report


# ---------------------------------------------------------------- serving a checkout


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", LOGIN_PATH, headers={"Host": f"127.0.0.1:{port}"})
            if conn.getresponse().status == 200:
                return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    return False


def serve(directory, database_url, *, redis_url="", log_path=None):
    """gunicorn with the checkout's ops/gunicorn.conf.py, 2 workers, the production profile."""
    directory = Path(directory).resolve()
    python = directory / ".venv" / "bin" / "python"
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The load signs staff in with a password only (no second factor to type).
        "OTP_REQUIRED_ROLES": "",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789-abcdefghij")
    env.setdefault("PII_KEY", "bench-pii-key")
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed with the server
    proc = subprocess.Popen(
        [str(python if python.exists() else sys.executable), "-m", "gunicorn", "-c", "ops/gunicorn.conf.py",
         "gigmarket.wsgi"],
        cwd=directory,
        env=env,
        stdout=out,
        stderr=out,
    )  # fmt: skip
    if not _wait_http(port):
        proc.terminate()
        proc.wait(timeout=30)
        raise RuntimeError(f"gunicorn in {directory} did not answer (see {log_path})")
    return proc, port


class ServerCPU:
    """CPU time (user + system, from /proc) of the gunicorn master and its workers, reaped ones
    included (the master's cutime/cstime), and of the PostgreSQL backends serving the database.

    Throughput on a shared machine depends on how much CPU the others leave; the CPU spent per
    request does much less, so two commits can be compared on it. Backends that exit inside
    the window (a recycled worker's connection) are missed, so the database figure is a floor.
    """

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, master_pid, db):
        self.master_pid, self.db = master_pid, db

    @classmethod
    def _stat(cls, pid):
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
        ppid, utime, stime, cutime, cstime = int(fields[1]), *(int(f) for f in fields[11:15])
        return ppid, utime + stime, cutime + cstime

    def __call__(self):
        master = self._stat(self.master_pid)
        gunicorn = master[1] + master[2] if master else 0
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := self._stat(entry.name)) and stat[0] == self.master_pid:
                gunicorn += stat[1]
        with self.db.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = {pid: stat[1] for (pid,) in cursor.fetchall() if (stat := self._stat(pid))}
        return {"gunicorn": gunicorn, "backends": backends}

    @classmethod
    def difference(cls, opened, closed, requests):
        gunicorn_s = (closed["gunicorn"] - opened["gunicorn"]) / cls.TICK
        db_ticks = sum(t - opened["backends"].get(pid, 0) for pid, t in closed["backends"].items())
        per = (lambda s: round(s * 1000 / requests, 1)) if requests else (lambda s: None)
        return {
            "gunicorn_s": round(gunicorn_s, 1),
            "postgres_s": round(db_ticks / cls.TICK, 1),
            "gunicorn_ms_per_request": per(gunicorn_s),
            "postgres_ms_per_request": per(db_ticks / cls.TICK),
        }


def flush_redis(url):
    import redis  # noqa: PLC0415 - only the --redis-url runs need the client

    redis.Redis.from_url(url).flushdb()


def run_target(name, directory, database_url, *, seconds, warmup, redis_url, log_dir, log):
    import psycopg2  # noqa: PLC0415 - the test drives run_load with Django's connection instead

    if redis_url:
        flush_redis(redis_url)  # each run starts from the same cold cache and no sessions carried over
    cpu_before = cpu_reference_ms()
    proc, port = serve(directory, database_url, redis_url=redis_url, log_path=Path(log_dir) / f"gunicorn-{name}.log")
    db = psycopg2.connect(database_url)
    db.autocommit = True
    try:
        probe = ServerCPU(proc.pid, db)
        report = run_load(f"http://127.0.0.1:{port}", db, seconds=seconds, warmup=warmup, log=log, probe=probe)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        db.close()
    report["cpu_reference_ms"] = [cpu_before, cpu_reference_ms()]
    report["target"] = name
    return report


def table(reports):
    lines = [
        "| run | req/s | requests | errors | unexpected | lost rows | register p50 / p95 ms | follow p50 / p95 ms "
        "| browse p50 / p95 ms | server CPU ms/request (gunicorn + PostgreSQL) | CPU ref ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        k = r["kinds"]
        cpu = r.get("cpu_reference_ms", [])
        server = r.get("server_cpu", {})
        lines.append(
            f"| {r.get('target', '')} | {r['rps']} | {r['requests']} | {r['errors']} | {r['unexpected']} "
            f"| {r['rows']['lost_rows']} | {k['register']['p50_ms']} / {k['register']['p95_ms']} "
            f"| {k['register_follow']['p50_ms']} / {k['register_follow']['p95_ms']} "
            f"| {r['browse_p50_ms']} / {r['browse_p95_ms']} "
            f"| {server.get('gunicorn_ms_per_request')} + {server.get('postgres_ms_per_request')} "
            f"| {' → '.join(str(c) for c in cpu)} |"
        )
    return "\n".join(lines)


def kinds_table(reports):
    lines = ["| run | kind | requests | errors | unexpected | p50 ms | p95 ms |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in reports:
        for kind, s in r["kinds"].items():
            lines.append(
                f"| {r.get('target', '')} | {kind} | {s['requests']} | {s['errors']} | {s['unexpected']} "
                f"| {s['p50_ms']} | {s['p95_ms']} |"
            )
    return "\n".join(lines)


def ratios(reports, names):
    """Each target against the first: mean req/s, and mean server CPU per request (lower is better)."""
    first = names[0]

    def mean(name, value):
        values = [value(r) for r in reports if r["target"].rsplit("-", 1)[0] == name and value(r) is not None]
        return statistics.mean(values) if values else None

    def cpu(r):
        server = r.get("server_cpu") or {}
        parts = (server.get("gunicorn_ms_per_request"), server.get("postgres_ms_per_request"))
        return None if None in parts else sum(parts)

    lines = [
        f"| target | mean req/s | ÷ {first} | mean server CPU ms/request | {first} ÷ target |",
        "|---|---:|---:|---:|---:|",
    ]
    base_rps, base_cpu = mean(first, lambda r: r["rps"]), mean(first, cpu)
    for name in names:
        rps, ms = mean(name, lambda r: r["rps"]), mean(name, cpu)
        cpu_ratio = f"{base_cpu / ms:.2f}×" if ms and base_cpu else ""
        lines.append(
            f"| {name} | {rps:.1f} | {rps / base_rps:.2f}× | {'' if ms is None else f'{ms:.1f}'} | {cpu_ratio} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Load test: clerks registering, staff browsing (issue 19).")
    parser.add_argument("--base-url", help="a running server (its database: DATABASE_URL)")
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME=DIR@DATABASE_URL",
        help="start gunicorn from checkout DIR against DATABASE_URL; repeat to compare",
    )
    parser.add_argument("--rounds", type=int, default=1, help="run the targets in turn this many times")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--registrars", type=int, default=4)
    parser.add_argument("--browsers", type=int, default=4)
    parser.add_argument("--redis-url", default="", help="the servers' cache; FLUSHED before each run")
    parser.add_argument("--log-dir", default=str(BASE_DIR / "var"))
    parser.add_argument("--out", help="write the reports as JSON here")
    args = parser.parse_args(argv)
    reports = []
    if args.base_url:
        import psycopg2  # noqa: PLC0415 - see run_target

        db = psycopg2.connect(os.environ["DATABASE_URL"])
        db.autocommit = True
        report = run_load(
            args.base_url, db, seconds=args.seconds, warmup=args.warmup, registrars=args.registrars,
            browsers=args.browsers,
        )  # fmt: skip
        db.close()
        reports.append(report)
    else:
        Path(args.log_dir).mkdir(parents=True, exist_ok=True)
        targets = []
        for spec in args.target:
            name, _, rest = spec.partition("=")
            directory, _, database_url = rest.partition("@")
            if not (name and directory and database_url):
                parser.error(f"--target {spec!r}: expected NAME=DIR@DATABASE_URL")
            targets.append((name, directory, database_url))
        if not targets:
            parser.error("give --base-url or at least one --target")
        for round_no in range(1, args.rounds + 1):
            for name, directory, database_url in targets:
                print(f"round {round_no}: {name} ({directory})", flush=True)
                report = run_target(
                    f"{name}-{round_no}", directory, database_url, seconds=args.seconds, warmup=args.warmup,
                    redis_url=args.redis_url, log_dir=args.log_dir, log=print,
                )  # fmt: skip
                print(json.dumps({k: report[k] for k in ("rps", "errors", "unexpected", "rows")}), flush=True)
                reports.append(report)
    print(table(reports))
    print()
    print(kinds_table(reports))
    if len(args.target) >= 2:
        print()
        print(ratios(reports, [spec.partition("=")[0] for spec in args.target]))
    for r in reports:
        for problem in r["problems"][:5]:
            print(f"{r.get('target', '')}: {problem}")
    if args.out:
        Path(args.out).write_text(json.dumps(reports, ensure_ascii=False, indent=1))
    return reports


if __name__ == "__main__":
    main()
