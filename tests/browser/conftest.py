"""Real-browser journeys: Playwright's sync API driving Debian's Chromium against `live_server`.

Chromium is never downloaded (`playwright install` is not used): the tests launch the
system binary from $CHROMIUM_PATH (CI sets it) or /usr/bin/chromium, and fail with a
clear message when it is missing. Each journey saves a screenshot of its last page under
$TEST_ARTIFACTS_DIR/browser/ (default: test-artifacts/ at the repository root).

The live server needs committed data, so these tests use a transactional database
(`tests/conftest.py` reloads the reference data that migrations load if a flush removed it).
"""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connections

from tests.factories.core import TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
# A page whose stylesheet, script, image or font fails to load looks broken: a problem.
SUBRESOURCES = {"stylesheet", "script", "image", "font"}


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def artifacts_dir():
    base = Path(os.environ.get("TEST_ARTIFACTS_DIR") or REPO_ROOT / "test-artifacts")
    folder = base / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(live_server, monkeypatch):
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path!r}. Browser journeys need Debian's chromium package "
            "(apt-get install chromium) or CHROMIUM_PATH pointing at a Chromium binary. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop in this thread; the test's own database
    # calls (factories, assertions) are still synchronous, so allow them here only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    cache.clear()  # public pages and lockout counters must not leak in from other tests
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # CI machines are busy; pages are fast when idle

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            # While Playwright's loop runs, Django keeps this thread's database connections
            # apart from the ones opened before; close those here or they outlive the test.
            connections.close_all()
            instance.close()


class Session:
    """One person's browser context with a checked page: collects server errors and JS errors."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, locale="zh-CN", accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error: {exc}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _console(self, message):
        text = message.text
        # 404 pages are expected in the scoping journey; anything else logged as an error
        # (CSP violations, script errors) is a problem.
        if message.type == "error" and "Failed to load resource" not in text:
            self.problems.append(f"console error: {text}")

    def _response(self, response):
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.url}")
        elif response.status >= 400 and response.request.resource_type in SUBRESOURCES:
            self.problems.append(f"missing {response.request.resource_type}: HTTP {response.status} for {response.url}")

    def login(self, username, password=TEST_PASSWORD):
        """Log in through the login form (labels 登录账号 / 密码, the 登录 button)."""
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("登录账号").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
        return page

    def screenshot(self, name):
        path = artifacts_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def open_session(browser, live_server, request):
    """`open_session()` → a new Session (own cookies); problems fail the test at the end."""
    sessions = []

    def factory():
        session = Session(browser, live_server.url)
        sessions.append(session)
        return session

    yield factory
    problems = [p for s in sessions for p in s.problems]
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for index, session in enumerate(sessions):
            try:
                session.screenshot(f"{request.node.name}-failed-{index}")
            except Exception as exc:  # a broken page must not hide the real failure
                print(f"could not save failure screenshot: {exc}")
    for session in sessions:
        session.close()
    assert not problems, "browser reported problems:\n" + "\n".join(problems)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
