"""Journey 3: a provincial auditor downloads the province's 附件1 for the current period and
the file is opened and checked like the auditor would (title, header, one row per market)."""

import pytest
from openpyxl import load_workbook

from gigmarket.core.models import AuditEvent
from reporting.selectors import current_period
from reporting.services import submission_submit
from tests.factories.core import UserFactory
from tests.factories.markets import complete_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ATTACHMENT1_HEADER = [
    "序号",
    "市州",
    "县区",
    "名称",
    "类型/行业",
    "性质",
    "依托",
    "地址",
    "运行时间",
    "服务工种",
    "功能区/窗口设置",
    "状态",
    "运营单位",
    "联系人",
    "联系电话",
    "备注",
]


def test_auditor_downloads_province_attachment1_and_it_opens_with_title_header_and_rows(
    open_session, auditor, county_user, nanming, honghuagang, tmp_path
):
    period = current_period()
    guiyang = complete_market(county=nanming, remarks="=1+1 由窗口填报")
    zunyi = complete_market(county=honghuagang, kind="industry", industry="建筑")
    zunyi_user = UserFactory(role="county", division=honghuagang, username="hhg_county")
    submission_submit(period=period, county=honghuagang, by=zunyi_user)
    submission_submit(period=period, county=nanming, by=county_user)

    session = open_session()
    page = session.login(auditor.username)
    page.get_by_role("button", name="名录报送").click()
    page.get_by_role("link", name="报送期与进度").click()
    page.locator(".alert-info").get_by_role("link", name=period.name).click()
    with page.expect_download() as info:
        page.get_by_role("link", name="导出本期已报名录（附件1）").click()
    download = info.value
    title = f"贵州省零工市场名录（{period.name}）"
    assert download.suggested_filename == f"附件1-{title}.xlsx"
    path = tmp_path / "attachment1.xlsx"
    download.save_as(path)
    session.screenshot("journey3-auditor-export")

    sheet = load_workbook(path).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "附件1"
    assert rows[1][0] == title
    assert "贵州省人力资源和社会保障厅" in rows[2][0]
    assert rows[3] == ATTACHMENT1_HEADER
    body = rows[4:-2]  # then a blank row and the sign-off row
    assert rows[-2] == [None] * len(ATTACHMENT1_HEADER) and rows[-1][0] == "单位负责人："
    assert "填报人：" in rows[-1]  # the province compiles: left to write by hand
    # One row per market of every county that reported, ordered by county code.
    assert [(r[0], r[1], r[2], r[3]) for r in body] == [
        (1, "贵阳市", "南明区", guiyang.name),
        (2, "遵义市", "红花岗区", zunyi.name),
    ]
    assert [r[4] for r in body] == ["综合", "行业（建筑）"]
    assert [r[11] for r in body] == [guiyang.get_status_display(), zunyi.get_status_display()]
    # A remark that looks like a formula is kept as text, not evaluated.
    remark = sheet.cell(row=5, column=len(ATTACHMENT1_HEADER))
    assert remark.value == "=1+1 由窗口填报" and remark.data_type == "s"

    assert AuditEvent.objects.filter(actor=auditor, action=AuditEvent.Action.EXPORT).count() == 1
