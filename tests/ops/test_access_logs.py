"""Access log lines of the development server and of gunicorn mask 身份证号 and mobiles.

Each test starts the real server in a subprocess, sends a request whose query string holds
a full ID number and mobile (as a hand-typed or bookmarked URL would), and reads the line
the server wrote.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.ops.test_deploy_files import OPS, fetch, free_port

BASE_DIR = Path(settings.BASE_DIR)
ID_NUMBER = "52010219850615123X"
MOBILE = "13812345678"
QUERY = f"/healthz?q={ID_NUMBER}&m={MOBILE}&spaced=138+1234+5678"


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
    env.update({"SQLITE_PATH": str(tmp_path / "logs.sqlite3"), "GM_VAR_DIR": str(tmp_path / "var"), **extra})
    return env


def _serve_and_request(command, env, port, path, headers=None):
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            if process.poll() is not None:
                break
            try:
                status, _, _ = fetch(f"http://127.0.0.1:{port}{path}", headers)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
        time.sleep(0.5)  # let the access line be written
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    return status, output


def assert_masked(output):
    lines = [line for line in output.splitlines() if "/healthz?" in line]
    assert lines, output
    for line in lines:
        assert ID_NUMBER not in line and MOBILE not in line and "138+1234+5678" not in line, line
        assert "5201**********123X" in line and "138****5678" in line, line


def test_development_server_access_lines_are_masked(tmp_path):
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]
    status, output = _serve_and_request(command, _env(tmp_path, DEBUG="1"), port, QUERY)
    assert status == 200, output
    assert_masked(output)


def test_gunicorn_access_lines_are_masked(tmp_path):
    port = free_port()
    env = _env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="access-log-test-" + "q7" * 30,
        PII_KEY="access-log-test-pii-key",
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="-",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-c", str(OPS / "gunicorn.conf.py"), "gigmarket.wsgi"]
    status, output = _serve_and_request(command, env, port, QUERY, {"Referer": f"https://x.example/?q={MOBILE}"})
    assert status == 200, output
    assert_masked(output)
    assert MOBILE not in output  # the Referer atom too
