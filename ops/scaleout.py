#!/usr/bin/env python3
"""Prove the scale-out on real parts: a streaming replica and two web nodes behind one address.

    sudo .venv/bin/python ops/scaleout.py [--allow-replication] [--keep]

What it does (docs/deployment.md, "Scale-out"), on this machine's PostgreSQL primary
(127.0.0.1:5432, or --primary-port):
1. creates a database (gm_scaleout), migrates it and loads the demo data;
2. starts a real streaming replica on 127.0.0.1:5433 with `pg_basebackup -R`;
3. starts two gunicorn nodes (127.0.0.1:8201, :8202) with DATABASE_URL = the primary and
   DATABASE_REPLICA_URL = the replica, and a round-robin TCP balancer on 127.0.0.1:8200;
4. proves, through the balancer:
   - reads reach the replica: with replay paused on the replica, a market renamed on the
     primary keeps its old name on the public 名录 until replay resumes;
   - writes reach the primary and a writer reads its own write at once: a clerk registers a
     worker while replay is paused; the row is on the primary, not yet on the replica, and
     the clerk's next page (also a replica view) shows it;
   - the portal keeps serving reads when the replica stops;
5. prints the figures and removes everything it started (--keep leaves it running).

The primary must accept replication connections from 127.0.0.1. --allow-replication adds
`host replication <user> 127.0.0.1/32 trust` to its pg_hba.conf (and takes it out again
at the end); on a real server write that rule (with scram-sha-256) yourself.
Runs as root (the PostgreSQL server runs as the postgres user) or as postgres.
"""

import argparse
import asyncio
import datetime
import http.cookiejar
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB = "gm_scaleout"
PIN_SECONDS = 4
HBA_RULE = "host replication {user} 127.0.0.1/32 trust  # added by ops/scaleout.py"


def log(message):
    print(f"[scaleout {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)
    log(f"OK  {message}")


# PostgreSQL -------------------------------------------------------------------------------


def psql(port, sql, db=DB, user="postgres"):
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise Failed(f"psql on {port}: {out.stderr.strip()}")
    return out.stdout.strip()


def pg_bindir():
    return subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()


def as_postgres(cmd):
    """Run a server command as the postgres OS user (PostgreSQL refuses to run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def wait_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise Failed(f"nothing answers on 127.0.0.1:{port} after {timeout}s")


def wait_replayed(replica_port, primary_port, timeout=30):
    """Wait until the replica has replayed everything the primary has written."""
    target = psql(primary_port, "select pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = psql(replica_port, f"select pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn()) > 0")
        if behind == "f":
            return
        time.sleep(0.1)
    raise Failed("the replica did not catch up")


def allow_replication(port, user):
    hba = Path(psql(port, "show hba_file", db="postgres"))
    rule = HBA_RULE.format(user=user)
    text = hba.read_text()
    if rule in text:
        return None
    hba.write_text(text.rstrip("\n") + "\n" + rule + "\n")
    psql(port, "select pg_reload_conf()", db="postgres")
    return hba


def disallow_replication(hba, port, user):
    rule = HBA_RULE.format(user=user)
    hba.write_text("".join(line for line in hba.read_text().splitlines(True) if line.strip() != rule))
    psql(port, "select pg_reload_conf()", db="postgres")


def start_replica(workdir, primary_port, replica_port, user):
    data = workdir / "replica"
    data.mkdir(mode=0o700)
    sockets = workdir / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
        shutil.chown(sockets, "postgres")
    started = time.monotonic()
    subprocess.run(
        as_postgres(
            [
                f"{pg_bindir()}/pg_basebackup",
                *("-h", "127.0.0.1", "-p", str(primary_port), "-U", user),
                *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
            ]
        ),
        check=True,
    )
    basebackup_s = time.monotonic() - started
    # Debian keeps postgresql.conf and pg_hba.conf outside the data directory: give the
    # replica its own (pg_basebackup -R has written standby.signal and primary_conninfo).
    # A standby needs these at least as high as its primary's.
    same = "".join(
        f"{name} = {psql(primary_port, f'show {name}', db='postgres')}\n"
        for name in (
            "max_connections",
            "max_worker_processes",
            "max_wal_senders",
            "max_prepared_transactions",
            "max_locks_per_transaction",
        )
    )
    (data / "postgresql.conf").write_text(
        f"port = {replica_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{sockets}'\n"
        f"hot_standby = on\nshared_buffers = 64MB\n{same}"
    )
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    if os.geteuid() == 0:
        for path in (data / "postgresql.conf", data / "pg_hba.conf", data / "pg_ident.conf"):
            shutil.chown(path, "postgres")
    subprocess.run(
        as_postgres([f"{pg_bindir()}/pg_ctl", "-D", str(data), "-l", str(workdir / "replica.log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wait_port(replica_port)
    return data, basebackup_s


def stop_replica(data):
    subprocess.run(
        as_postgres([f"{pg_bindir()}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Web nodes and the balancer --------------------------------------------------------------


def node_env(primary_port, replica_port, redis_url, extra=None):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DATABASE_REPLICA_URL", "DEBUG"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="scaleout-" + secrets.token_urlsafe(48),
        PII_KEY="scaleout-pii-key-" + "k" * 32,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{primary_port}/{DB}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{replica_port}/{DB}",
        REDIS_URL=redis_url,
        OTP_REQUIRED_ROLES="",
        # The clerk's worker list is a replica view here too, to show read-your-writes on it.
        REPLICA_READ_VIEWS="markets:directory,markets:directory_detail,reporting:monitoring,registry:worker_list",
        REPLICA_RETRY_SECONDS="5",
        REPLICA_PIN_SECONDS=str(PIN_SECONDS),
        GM_VAR_DIR=str(Path(tempfile.gettempdir()) / "gm_scaleout_var"),
    )
    env.update(extra or {})
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_node(env, port, workdir):
    logfile = open(workdir / f"node-{port}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "ops/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "gigmarket.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_port(port)
    return proc


class Balancer(threading.Thread):
    """Round-robin TCP balancer on one address: each new connection goes to the next node."""

    def __init__(self, port, backends):
        super().__init__(daemon=True)
        self.port, self.backends = port, itertools.cycle(backends)
        self.counts = dict.fromkeys(backends, 0)
        self.loop = asyncio.new_event_loop()

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        backend = next(self.backends)
        self.counts[backend] += 1
        try:
            node_reader, node_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, node_writer), self._pipe(node_reader, client_writer))

    def run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.loop.run_until_complete(server.serve_forever())


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """TLS ends at the proxy (here: nowhere, on loopback): send Secure cookies over plain HTTP."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser:
    """One user's cookies; every request a new connection, so the balancer alternates nodes.

    It sends X-Forwarded-Proto: https as nginx does in front of the nodes (docs/deployment.md)."""

    HEADERS = {"X-Forwarded-Proto": "https"}

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar(LoopbackPolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        started = time.monotonic()
        request = urllib.request.Request(self.base + path, headers=self.HEADERS)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), time.monotonic() - started

    def post(self, path, data):
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        referer = self.base.replace("http://", "https://") + path
        request = urllib.request.Request(self.base + path, data=body, headers={**self.HEADERS, "Referer": referer})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), path

    def login(self, username, password):
        self.get("/accounts/login/")
        status, _body, url = self.post("/accounts/login/", {"username": username, "password": password})
        if "/accounts/login/" in url:
            raise Failed(f"login as {username} failed")


def id_number(region, birth, serial):
    """A resident ID number with a valid GB 11643 check digit."""
    body = f"{region}{birth:%Y%m%d}{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def throughput(base, path, seconds=5.0, clients=8):
    done, errors = [], []

    def client():
        browser = Browser(base)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, _body, took = browser.get(path)
            (done if status == 200 else errors).append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done) / seconds, len(errors)


# The run ----------------------------------------------------------------------------------


def run(args):
    figures = {}
    workdir = Path(tempfile.mkdtemp(prefix="gm-scaleout-"))
    nodes, replica_data, hba = [], None, None
    user = "postgres"
    env = node_env(args.primary_port, args.replica_port, args.redis_url)
    try:
        if args.allow_replication:
            hba = allow_replication(args.primary_port, user)
        psql(args.primary_port, f"drop database if exists {DB} with (force)", db="postgres")
        psql(args.primary_port, f"create database {DB}", db="postgres")
        started = time.monotonic()
        setup_env = {**env, "DEBUG": "1", "DATABASE_REPLICA_URL": ""}
        manage(setup_env, "migrate", "--noinput")
        manage(setup_env, "load_demo")
        figures["migrate + demo data"] = f"{time.monotonic() - started:.1f} s"

        replica_data, basebackup_s = start_replica(workdir, args.primary_port, args.replica_port, user)
        figures["pg_basebackup of the primary"] = f"{basebackup_s:.1f} s"
        check(psql(args.replica_port, "select pg_is_in_recovery()") == "t", "the replica is in recovery (a standby)")
        state = psql(args.primary_port, "select state from pg_stat_replication limit 1", db="postgres")
        check(state == "streaming", f"the primary streams to it (pg_stat_replication: {state})")

        nodes = [start_node(env, port, workdir) for port in (8201, 8202)]
        balancer = Balancer(8200, [8201, 8202])
        balancer.start()
        wait_port(8200)
        base = "http://127.0.0.1:8200"

        # 1. Reads reach the replica.
        public = Browser(base)
        status, body, _ = public.get("/markets/directory/")
        check(status == 200, "the public 名录 answers through the balancer")
        market_id = re.search(r"/markets/directory/(\d+)/", body).group(1)
        old_name = psql(args.primary_port, f"select name from markets_market where id = {market_id}")
        # The public pages are cached in Redis: empty it before each read that must reach the database.
        cache = redis.Redis.from_url(args.redis_url)
        cache.flushdb()
        status, body, _ = public.get(f"/markets/directory/{market_id}/")
        check(status == 200 and old_name in body, f"the public 名录 shows market {market_id} ({old_name})")
        psql(args.replica_port, "select pg_wal_replay_pause()")
        new_name = old_name.replace("零工市场", "") + "扩容验证零工市场"
        psql(args.primary_port, f"update markets_market set name = '{new_name}' where id = {market_id}")
        for _ in range(4):  # both nodes, twice each
            cache.flushdb()
            status, body, _ = public.get(f"/markets/directory/{market_id}/")
            check(status == 200 and old_name in body and new_name not in body, "名录 read from the paused replica")
        psql(args.replica_port, "select pg_wal_replay_resume()")
        wait_replayed(args.replica_port, args.primary_port)
        cache.flushdb()
        status, body, _ = public.get(f"/markets/directory/{market_id}/")
        check(new_name in body, "after replay the 名录 shows the new name")

        # 2. Writes reach the primary; the writer reads its own write at once.
        clerk = Browser(base)
        clerk.login("demo_clerk", args.demo_password)
        colleague = Browser(base)  # the same account in another browser, that has not written
        colleague.login("demo_clerk", args.demo_password)
        time.sleep(PIN_SECONDS + 0.5)  # its login (a POST) pinned it to the primary for a while
        market, county_code = psql(
            args.primary_port,
            "select u.market_id, d.code from gigmarket_user u join markets_market m on m.id = u.market_id "
            "join gigmarket_division d on d.id = m.county_id where u.username = 'demo_clerk'",
        ).split("|")
        psql(args.replica_port, "select pg_wal_replay_pause()")
        name = "复核甲"
        ident = id_number(county_code, datetime.date(1988, 3, 14), 17)
        status, body, url = clerk.post(
            "/registry/workers/new/",
            {
                "name": name,
                "id_number": ident,
                "mobile": "13912340017",
                "pay_unit": "day",
                "market": market,
                "token": str(uuid.uuid4()),
            },
        )
        check(status == 200 and "/registry/workers/new/" not in url, f"the clerk registered a worker ({url})")
        on_primary = psql(args.primary_port, f"select count(*) from registry_worker where name = '{name}'")
        on_replica = psql(args.replica_port, f"select count(*) from registry_worker where name = '{name}'")
        check((on_primary, on_replica) == ("1", "0"), "the row is on the primary and not yet on the paused replica")
        for _ in range(2):
            status, body, _ = clerk.get("/registry/workers/")
            check(status == 200 and name in body, "the writer's next page (a replica view) shows its own write")
        status, body, _ = colleague.get("/registry/workers/")
        where = body.find(name)
        check(
            status == 200 and where < 0,
            f"another browser, that did not write, reads the paused replica {body[max(0, where - 300) : where + 100]!r}"
            if where >= 0
            else "another browser, that did not write, reads the paused replica",
        )
        psql(args.replica_port, "select pg_wal_replay_resume()")
        wait_replayed(args.replica_port, args.primary_port)

        cache.flushdb()
        rate, errors = throughput(base, f"/markets/directory/{market_id}/")
        figures["名录 page via the replica, 8 clients, 2 nodes × 2 workers"] = f"{rate:.0f} req/s, {errors} errors"

        # 3. The replica stops: reads go on.
        stop_replica(replica_data)
        replica_data = None
        timings = []
        for _ in range(6):
            cache.flushdb()
            status, body, took = public.get(f"/markets/directory/{market_id}/")
            check(status == 200 and new_name in body, "with the replica stopped the 名录 is served (from the primary)")
            timings.append(took)
        status, body, _ = clerk.get("/registry/workers/")
        check(status == 200 and name in body, "with the replica stopped the clerk's pages work")
        figures["first reads after the replica stopped"] = ", ".join(f"{t * 1000:.0f} ms" for t in timings)
        figures["connections per node (balancer)"] = ", ".join(f"{k}: {v}" for k, v in balancer.counts.items())
        log("all checks passed")
        for key, value in figures.items():
            print(f"  {key}: {value}")
        if args.keep:
            log(f"left running: balancer 127.0.0.1:8200, nodes 8201/8202, workdir {workdir}; Ctrl-C stops")
            signal.pause()
        return 0
    except (Failed, subprocess.CalledProcessError) as exc:
        print(f"SCALE-OUT CHECK FAILED: {exc}", file=sys.stderr)
        for logfile in sorted(workdir.glob("*.log")):
            print(f"--- {logfile.name} (last lines)", file=sys.stderr)
            print("\n".join(logfile.read_text(errors="replace").splitlines()[-15:]), file=sys.stderr)
        return 1
    finally:
        for proc in nodes:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if replica_data is not None:
            stop_replica(replica_data)
        try:
            psql(args.primary_port, f"drop database if exists {DB} with (force)", db="postgres")
        except Failed as exc:
            print(exc, file=sys.stderr)
        if hba is not None:
            disallow_replication(hba, args.primary_port, user)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--primary-port", type=int, default=5432)
    parser.add_argument("--replica-port", type=int, default=5433)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--demo-password", default=os.environ.get("DEMO_PASSWORD", "Gz-demo-2026"))
    parser.add_argument("--allow-replication", action="store_true", help="add (and later remove) a pg_hba rule")
    parser.add_argument("--keep", action="store_true", help="leave everything running until Ctrl-C")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
