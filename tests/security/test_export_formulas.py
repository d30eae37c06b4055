"""Every export, downloaded with hostile text in the data (trade, market fields, worker name,
remarks), carries no live formula: xlsx cells are text with the quote prefix, CSV cells
start with '. The list of exports is checked against the URL configuration, so a new
export must be added here."""

import csv
import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver

from gigmarket.core.audit import audit_record
from gigmarket.core.exports import FORMULA_TRIGGERS
from gigmarket.core.models import AuditEvent
from registry.subsidies import subsidy_apply, subsidy_approve, subsidy_pay
from reporting.rollups import rollup_day
from reporting.services import submission_submit
from tests.factories.markets import TradeFactory, complete_market
from tests.factories.registry import InsuranceEnrolmentFactory, PostingFactory, WorkerFactory
from tests.factories.reporting import beijing, period

HYPERLINK = '=HYPERLINK("http://evil.example","点我")'  # fits Trade.name (40)
HOSTILE = {
    "trade": HYPERLINK,
    "remarks": "@SUM(1+1)*cmd|' /C calc'!A0",
    "operator": "+86 0851 运营",
    "contact_person": "－王敏",
    "address": "\t=1+1",
    "worker": '＝HYPERLINK("http://evil.example")',
}


@pytest.fixture
def hostile(db, nanming, county_user, province_user):
    with time_machine.travel(beijing("2023-01-10 09:00"), tick=False):
        trade = TradeFactory(code="ZZ-99", name=HOSTILE["trade"])
        market = complete_market(
            county=nanming,
            remarks=HOSTILE["remarks"],
            operator=HOSTILE["operator"],
            contact_person=HOSTILE["contact_person"],
            address=HOSTILE["address"],
        )
        market.trades.set([trade])
        hostile_worker = WorkerFactory(
            name=HOSTILE["worker"], registered_market=market, trades=[trade], has_injury_insurance=True
        )
        InsuranceEnrolmentFactory(
            worker=hostile_worker, starts_on=datetime.date(2023, 1, 1), ends_on=datetime.date(2023, 12, 31)
        )
        # A paid subsidy of the hostile worker, for the finance office's workbook.
        application = subsidy_apply(
            worker=hostile_worker,
            data={
                "kind": "accident_insurance",
                "period": "2023",
                "amount_requested": 100,
                "evidence": ["意外伤害保险保单"],
            },
            by=county_user,
        )
        subsidy_approve(application=application, amount=100, by=county_user)
        subsidy_pay(
            application=application,
            amount=100,
            paid_on=beijing("2023-01-10 09:00").date(),
            voucher_no="PZ1",
            by=county_user,
        )
        PostingFactory(market=market, trade=trade, headcount=2)
    rollup_day(day=beijing("2023-01-10 09:00").date())
    # An audit row naming the hostile trade, for the audit log export.
    audit_record(actor=county_user, action=AuditEvent.Action.UPDATE, target_repr=HOSTILE["trade"], county=nanming)
    q1 = period("2023-01-01")
    with time_machine.travel(beijing("2023-04-02 10:00"), tick=False):
        submission_submit(period=q1, county=nanming, by=county_user)
    return q1


def exports(q1):
    """(URL name, URL, role, hostile values the file must contain) for every export."""
    market_values = [HOSTILE[k] for k in ("remarks", "operator", "contact_person", "address")] + [HOSTILE["trade"]]
    return [
        ("markets:export", "/markets/export/", "county", market_values),
        ("markets:import_template", "/markets/import/template/", "county", []),
        ("reporting:export", "/reporting/export/", "county", market_values),
        ("reporting:export", f"/reporting/export/?period={q1.pk}", "province", market_values),
        ("reporting:monitoring_export", f"/reporting/monitoring/export/?period={q1.pk}", "province", [HYPERLINK]),
        ("reporting:open_csv", "/reporting/open/markets.csv", "anonymous", market_values),
        ("registry:worker_export", "/registry/workers/export.csv", "county", [HOSTILE["worker"], HYPERLINK]),
        ("registry:subsidy_export", "/registry/subsidies/export.xlsx?year=2023", "county", [HOSTILE["worker"]]),
        ("audit_export", "/audit/export/", "province", [HYPERLINK]),
        # 市州 names and figures only: nothing typed by a user reaches the bulletin.
        ("reporting:bulletin_export", f"/reporting/periods/{q1.pk}/bulletin.xlsx", "province", []),
    ]


def _names(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, str(pattern.pattern)


def test_every_export_url_is_checked_here():
    downloads = {
        name
        for name, route in _names(get_resolver())
        if any(word in name for word in ("export", "template", "csv", "xlsx")) or route.endswith((".csv", ".xlsx"))
    }
    downloads.discard("admin:jsi18n")
    # 我的导出 and its download serve files the same writers wrote (checked here through their
    # synchronous URLs); tests/core/test_export_jobs.py proves the job's file equals them.
    downloads -= {"export_job_list", "export_job_download"}
    assert downloads == {name for name, *_ in exports(SimpleNamespace(pk=0))}


def xlsx_text_cells(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    yield cell


def csv_fields(content):
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        yield from row


@pytest.mark.parametrize("index", range(9))
def test_export_with_hostile_text_has_no_live_formula(client, hostile, county_user, province_user, index):
    name, url, role, expected = exports(hostile)[index]
    if role != "anonymous":
        client.force_login({"county": county_user, "province": province_user}[role])
    response = client.get(url)
    assert response.status_code == 200, name
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        fields = list(csv_fields(content))
        assert not [f for f in fields if f.startswith(FORMULA_TRIGGERS)]
        for value in expected:
            assert any(f.startswith("'" + value.replace("\r", "")) for f in fields), value
    else:
        cells = list(xlsx_text_cells(content))
        # every formula-like text is marked as text (kept so when edited), with its exact value
        assert all(c.quotePrefix for c in cells if c.value.startswith(FORMULA_TRIGGERS))
        for value in expected:
            assert any(c.value.startswith(value) and c.quotePrefix for c in cells), value
