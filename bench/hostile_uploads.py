"""Post the outside probe's hostile uploads to the market import and measure each one.

    SQLITE_PATH=var/hostile.sqlite3 .venv/bin/python manage.py migrate
    SQLITE_PATH=var/hostile.sqlite3 .venv/bin/python -m bench.hostile_uploads --dir var/hostile

Builds the files once into `--dir` (full size, as the probe sent them: a sheet expanding to
1.1 GB, a 1 GB shared string, 100,000 rows, …; and a good one-row file to compare), then
posts each one to `/markets/import/` through Django's test client in a fresh process,
logged in as a 南明区 county user, inside a transaction that is rolled back (after one
warm-up GET). The parent samples the child's peak resident memory (VmHWM in /proc) and
kills it after `--timeout` seconds. Reported per file: HTTP status, seconds of the POST,
peak RSS, RSS before the POST, markets the import would have created, and the first
message shown.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _builders():
    from tests.factories import uploads as u

    return {
        "zip_bomb_sheet_1.1GB": lambda: u.zip_bomb(1_100_000_000),
        "shared_string_1GB": lambda: u.huge_shared_string(1_000_000_000),
        "macro_vbaProject": lambda: u.with_macros("vba"),
        "rows_100000": lambda: u.many_rows(100_000),
        "numbered_blank_rows_100000": lambda: u.numbered_blank_rows(100_000),
        "truncated_sheet_xml": u.truncated_sheet,
        "entity_bomb": u.entity_bomb,
        "good_one_row": u.attachment1,
    }


def _setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigmarket.settings")
    import django

    django.setup()


def _status_kb(pid, field):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def build(directory):
    directory.mkdir(parents=True, exist_ok=True)
    _setup_django()
    for name, builder in _builders().items():
        path = directory / f"{name}.xlsx"
        if not path.exists():
            started = time.monotonic()
            path.write_bytes(builder())
            print(f"built {path.name}: {path.stat().st_size:,} bytes in {time.monotonic() - started:.1f} s")


def child(path):
    """Runs in its own process: one POST, a JSON line on stdout."""
    _setup_django()
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client

    from gigmarket.core.models import Division, User
    from markets.models import Market

    user, _ = User.objects.get_or_create(
        username="hostile-upload-bench",
        defaults={"role": "county", "division": Division.objects.get(code="520102"), "full_name": "压测"},
    )
    client = Client()
    client.force_login(user)
    client.get("/markets/import/")  # warm-up: templates, URL resolver
    content = Path(path).read_bytes()
    before_kb = _status_kb(os.getpid(), "VmRSS")
    with transaction.atomic():
        markets_before = Market.objects.count()
        started = time.monotonic()
        response = client.post("/markets/import/", {"file": SimpleUploadedFile("名录.xlsx", content)})
        seconds = time.monotonic() - started
        created = Market.objects.count() - markets_before
        transaction.set_rollback(True)
    body = response.content.decode(errors="replace")
    errors = body.split("alert-danger", 1)[1] if "alert-danger" in body else ""
    found = re.search(r"<li>([^<]{1,120})</li>", errors) or re.search(
        r"invalid-feedback.*?<strong>([^<]{1,120})", body, re.DOTALL
    )
    message = found.group(1) if found else ""
    print(
        json.dumps(
            {
                "status": response.status_code,
                "seconds": round(seconds, 2),
                "rss_before_mb": round(before_kb / 1024),
                "created": created,
                "message": message.strip(),
            },
            ensure_ascii=False,
        )
    )


def measure(directory, timeout):
    results = {}
    for name in _builders():
        path = directory / f"{name}.xlsx"
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.hostile_uploads", "--child", str(path)],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started = time.monotonic()
        peak = 0
        while process.poll() is None:
            peak = max(peak, _status_kb(process.pid, "VmHWM") or 0)
            if time.monotonic() - started > timeout:
                process.kill()
                break
            time.sleep(0.05)
        out = process.communicate()[0]
        if process.returncode == 0 and out.strip():
            result = json.loads(out.strip().splitlines()[-1])
        else:
            result = {"status": "killed" if process.returncode == -9 else f"exit {process.returncode}"}
            result["seconds"] = round(time.monotonic() - started, 1)
        result["peak_rss_mb"] = round(peak / 1024)
        result["file_bytes"] = path.stat().st_size
        results[name] = result
        print(f"{name:28} {json.dumps(result, ensure_ascii=False)}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=BASE_DIR / "var" / "hostile")
    parser.add_argument("--timeout", type=float, default=150)
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    build(args.dir)
    results = measure(args.dir, args.timeout)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
