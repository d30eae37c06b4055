"""Render every export and printable page to PDF and PNG pages, for a person to look at.

    make print-check            # demo data, LibreOffice, poppler, Chromium, then this
    python manage.py render_exports --out var/print-check

Downloads each workbook as the demo account that would file it (through the Django test
client, so the files are exactly what the views send), converts them with LibreOffice
(`soffice --headless --convert-to pdf`, which prints them with their own page setup, as
Calc's print dialog would) and the printable pages with Chromium's print-to-PDF (print CSS,
A4 `@page`), then turns every PDF page into a PNG with poppler's `pdftoppm`. Needs the demo
data (`manage.py load_demo`); not used by the tests. docs/exports.md lists what to check.
"""

import datetime
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gigmarket.core.models import User
from markets.models import Market
from matching.models import Match, MatchState
from reporting.models import ReportingPeriod, Submission


def _exports():
    """(file stem, demo account, URL) of every workbook."""
    accepted = Submission.objects.filter(status=Submission.Status.ACCEPTED).order_by("-period__start").first()
    empty = ReportingPeriod.objects.exclude(submissions__isnull=False).order_by("start").first()
    market = Market.objects.filter(county__code="520102").order_by("pk").first()
    export = reverse("reporting:export")
    monitoring = reverse("reporting:monitoring_export")
    items = [
        ("01-附件1-县区实时", "demo_county", reverse("markets:export")),
        ("02-附件1-市州实时", "demo_city", export),
        ("03-附件1-全省实时", "demo_province", export),
        ("07-导入模板", "demo_county", reverse("markets:import_template")),
        ("08-运行监测-全省", "demo_province", monitoring),
        ("09-运行监测-市州", "demo_province", f"{monitoring}?city=520100"),
        ("10-运行监测-县区", "demo_province", f"{monitoring}?county=520102"),
        ("12-审计日志", "demo_province", reverse("audit_export")),
    ]
    if accepted is not None:
        items += [
            ("04-附件1-县区报送快照", "demo_province", f"{export}?period={accepted.period_id}&county=520102"),
            ("05-附件1-全省报送快照", "demo_province", f"{export}?period={accepted.period_id}"),
        ]
    if empty is not None:
        items.append(("06-附件1-本期无数据", "demo_county", f"{export}?period={empty.pk}"))
    if market is not None:
        items.append(("11-运行监测-市场", "demo_province", f"{monitoring}?market={market.pk}"))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    items += [
        ("13-附件1-历史名录", "demo_province", f"{reverse('reporting:registry_as_of')}?date={yesterday}&format=xlsx"),
        ("15-就业补贴汇总", "demo_county", reverse("registry:subsidy_export")),
    ]
    if accepted is not None:
        items.append(("14-省级通报", "demo_province", reverse("reporting:bulletin_export", args=[accepted.period_id])))
    return sorted(items)


def _pages():
    """(file stem, demo account or None, URL) of every printable page."""
    match = Match.objects.filter(state=MatchState.CONFIRMED, market__county__code="520102").order_by("pk").first()
    market = Market.objects.filter(status=Market.Status.OPERATING).order_by("pk").first()
    items = [
        ("21-公开名录", None, reverse("markets:directory")),
        ("23-运行监测页", "demo_province", reverse("reporting:monitoring")),
    ]
    if market is not None:
        items.append(("22-名录详情", None, reverse("markets:directory_detail", args=[market.pk])))
    if match is not None:
        items.append(("24-用工协议", "demo_clerk", reverse("matching:match_agreement", args=[match.pk])))
    accepted = Submission.objects.filter(status=Submission.Status.ACCEPTED).order_by("-period__start").first()
    if accepted is not None:
        items.append(("25-省级通报页", "demo_province", reverse("reporting:bulletin", args=[accepted.period_id])))
    items.append(("26-报送完整率与及时率", "demo_province", reverse("reporting:completeness_history")))
    return sorted(items)


def _client(username):
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _get(username, url):
    response = _client(username).get(url)
    if response.status_code != 200:
        raise CommandError(f"{url} 返回 {response.status_code}（{username}）")
    return response


def _inline_static(html):
    """Point /static/… at the files, so Chromium opens the page from disk with its CSS."""
    static_root = pathlib.Path(settings.BASE_DIR) / "static"
    return re.sub(
        rf'(href|src)="{re.escape(settings.STATIC_URL)}([^"]+)"',
        lambda m: f'{m.group(1)}="{(static_root / m.group(2)).as_uri()}"',
        html,
    )


class Command(BaseCommand):
    help = "把所有导出表格和可打印页面渲染成 PDF 和 PNG（需要演示数据、LibreOffice、poppler、Chromium）。"

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/print-check")
        parser.add_argument("--resolution", type=int, default=60, help="PNG 分辨率（dpi）")

    def handle(self, *args, out, resolution, **options):
        soffice = shutil.which("libreoffice") or shutil.which("soffice")
        pdftoppm = shutil.which("pdftoppm")
        if soffice is None or pdftoppm is None:
            raise CommandError("需要 LibreOffice 和 poppler-utils：make print-deps")
        out = pathlib.Path(out).resolve()
        for sub in ("xlsx", "html", "pdf", "png"):
            shutil.rmtree(out / sub, ignore_errors=True)
            (out / sub).mkdir(parents=True)

        for stem, username, url in _exports():
            (out / "xlsx" / f"{stem}.xlsx").write_bytes(_get(username, url).content)
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={pathlib.Path(profile).as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out / "pdf"),
                    *sorted(str(p) for p in (out / "xlsx").glob("*.xlsx")),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
        self._pages_to_pdf(out)
        for pdf in sorted((out / "pdf").glob("*.pdf")):
            subprocess.run(
                [pdftoppm, "-png", "-r", str(resolution), str(pdf), str(out / "png" / pdf.stem)],
                check=True,
                timeout=300,
            )
            pages = len(list((out / "png").glob(f"{pdf.stem}-*.png")))
            self.stdout.write(f"{pdf.stem}: {pages} 页")
        self.stdout.write(f"PNG 页面在 {out / 'png'}/")

    def _pages_to_pdf(self, out):
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - dev-only dependency (requirements-dev.txt), needed only when run

        chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        files = []
        for stem, username, url in _pages():  # before Playwright: its loop forbids database calls
            html = out / "html" / f"{stem}.html"
            html.write_text(_inline_static(_get(username, url).content.decode()), encoding="utf-8")
            files.append((stem, html))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            page = browser.new_page()
            for stem, html in files:
                page.goto(html.as_uri())
                page.pdf(path=str(out / "pdf" / f"{stem}.pdf"), prefer_css_page_size=True, print_background=True)
            browser.close()
