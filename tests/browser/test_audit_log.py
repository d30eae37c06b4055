"""Journey: after a filtered market-list download, an auditor opens the audit log, filters it
by 对象类型 from the list, reads the changes in Chinese and downloads what they see."""

import pytest
from openpyxl import load_workbook

from gigmarket.core.audit import audit_record
from gigmarket.core.models import AuditEvent
from tests.factories.markets import complete_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_reads_the_audit_log_after_an_export_filters_it_and_downloads_it(
    open_session, auditor, county_user, nanming, tmp_path
):
    market = complete_market(county=nanming)
    audit_record(actor=county_user, action="update", target=market, changes={"status": ["operating", "suspended"]})

    session = open_session()
    page = session.login(auditor.username)
    page.goto("/markets/?status=operating")
    with page.expect_download():  # the download that used to break the log
        page.get_by_role("link", name="导出附件1").click()
    page.goto("/audit/")
    page.get_by_label("对象类型").select_option(label="零工市场")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("tbody tr").first
    assert "零工市场" in row.inner_text() and "状态：运营中 → 暂停" in row.inner_text()
    assert page.locator("tbody tr").count() == 1
    session.screenshot("audit-log-1366")
    page.set_viewport_size({"width": 375, "height": 800})
    session.screenshot("audit-log-375")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/audit/?action=export")
    assert "筛选条件：状态：运营中" in page.locator("tbody").inner_text()
    page.goto("/audit/?target_type=markets.market")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出Excel").click()
    path = tmp_path / "audit.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[2][3:5] == ("零工市场", market.name)
    assert len(rows) == 3
    assert AuditEvent.objects.filter(actor=auditor, action="export", target_repr="审计日志(XLSX)").count() == 1
