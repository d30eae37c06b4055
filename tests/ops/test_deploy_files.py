"""The shipped deployment files start the portal the way docs/deployment.md says."""

import configparser
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
OPS = BASE_DIR / "ops"
UNITS = sorted((OPS / "systemd").glob("gigmarket-*.service"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn_server(tmp_path):
    """gunicorn with ops/gunicorn.conf.py and the production profile, on a free local port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "gunicorn-smoke-test-" + "k" * 50,
            "PII_KEY": "gunicorn-smoke-test",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SQLITE_PATH": str(tmp_path / "smoke.sqlite3"),
            "GM_VAR_DIR": str(tmp_path / "var"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "TRUST_X_REAL_IP": "1",
        }
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-c", str(OPS / "gunicorn.conf.py"), "gigmarket.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise AssertionError("gunicorn exited:\n" + process.stdout.read().decode())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_config_serves_healthz_with_the_production_profile(gunicorn_server):
    status, headers, body = fetch(gunicorn_server + "/healthz")
    assert (status, body) == (200, b"ok")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    # Everything else is sent to HTTPS until nginx says the request came over TLS.
    status, headers, _ = fetch(gunicorn_server + "/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://")
    status, headers, _ = fetch(gunicorn_server + "/accounts/login/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in headers["Set-Cookie"]


def read_unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_exactly_one_unit_runs_celery_beat_and_one_runs_workers():
    starts = {path.name: read_unit(path)["Service"]["ExecStart"] for path in UNITS}
    assert [name for name, cmd in starts.items() if re.search(r"celery .*\bbeat\b", cmd)] == ["gigmarket-beat.service"]
    assert [name for name, cmd in starts.items() if re.search(r"celery .*\bworker\b", cmd)] == [
        "gigmarket-worker.service"
    ]
    assert "gunicorn -c ops/gunicorn.conf.py gigmarket.wsgi" in starts["gigmarket-web.service"]


def test_every_unit_runs_unprivileged_with_the_environment_file():
    for path in UNITS:
        service = read_unit(path)["Service"]
        assert service["User"] == "gigmarket", path.name
        assert service["EnvironmentFile"] == "/etc/gigmarket/env", path.name
        assert service["NoNewPrivileges"] == "true", path.name


def test_nginx_overwrites_the_headers_the_portal_trusts_and_fits_uploads():
    conf = (OPS / "nginx" / "gigmarket.conf").read_text()
    proxy = (OPS / "nginx" / "gigmarket-proxy.conf").read_text()
    assert "proxy_set_header X-Real-IP $remote_addr;" in proxy
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert f"location {settings.STATIC_URL} " in conf
    body_limit_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert body_limit_mb * 1024 * 1024 > settings.IMPORT_MAX_BYTES
