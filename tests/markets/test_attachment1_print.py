"""附件1 on paper: one writer, one naming rule, legible on A4; the import template's drop-downs."""

import io
from urllib.parse import quote

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gigmarket.core.exports import issuing_unit, print_scale
from markets.attachment1 import COLUMN_KEYS, COLUMNS, HEADERS, read_attachment1
from markets.models import Trade
from tests.factories.core import division
from tests.factories.markets import complete_market
from tests.factories.reporting import beijing
from tests.print_checks import assert_prints_on_a4, sign_off

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content)).active


def filename_star(response):
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="download.xlsx"; ')  # ASCII for old clients
    return disposition.split("filename*=UTF-8''", 1)[1]


def test_the_column_widths_print_one_page_wide_at_85_percent():
    # 85 % in Calibri metrics leaves 70 % where Calc measures in the wider DejaVu Sans
    assert print_scale([c.width for c in COLUMNS]) >= 85


def test_issuing_unit_is_named_per_level(db):
    assert issuing_unit(None) == "贵州省人力资源和社会保障厅"
    assert issuing_unit(division("520000")) == "贵州省人力资源和社会保障厅"
    assert issuing_unit(division("520100")) == "贵阳市人力资源和社会保障局"
    assert issuing_unit(division("522600")) == "黔东南苗族侗族自治州人力资源和社会保障局"
    assert issuing_unit(division("520102")) == "贵阳市南明区人力资源和社会保障局"
    assert issuing_unit(division("520181")) == "清镇市人力资源和社会保障局"


def test_live_market_export_prints_on_a4_and_names_its_filer(client, county_user, nanming):
    county_user.full_name, county_user.phone = "王填报", "0851-85550111"
    county_user.save()
    market = complete_market(county=nanming, address="贵阳市南明区花果园大街" + "很长的地址" * 8)
    market.trades.set(Trade.objects.filter(is_active=True)[:12])  # a long 服务工种 cell
    client.force_login(county_user)
    with time_machine.travel(beijing("2026-12-02 10:00"), tick=False):
        response = client.get("/markets/export/")
    ws = sheet_of(response)
    assert_prints_on_a4(ws, header_row=4)
    assert [c.value for c in ws[4]] == HEADERS
    assert ws["A2"].value == "贵州省贵阳市南明区零工市场名录（截至2026年12月02日）"
    assert ws["A3"].value == "填报单位（盖章）：贵阳市南明区人力资源和社会保障局"
    assert "平台实时数据" in ws.cell(row=3, column=len(COLUMNS) // 2 + 1).value
    # the wrapped trades make row 5 several lines tall; the header wraps too
    assert ws.row_dimensions[5].height > 3 * 13.5
    assert sign_off(ws) == {
        "单位负责人": "",
        "审核人": "",
        "填报人": "王填报",
        "联系电话": "0851-85550111",
        "填报日期": "2026年12月02日",
    }
    expected = quote("附件1-贵州省贵阳市南明区零工市场名录（截至2026年12月02日）.xlsx", safe="")
    assert filename_star(response) == expected


def test_markets_and_reporting_live_exports_are_the_same_file(client, city_user, market, market2):
    client.force_login(city_user)
    with time_machine.travel(beijing("2026-12-02 10:00"), tick=False):
        from_markets = client.get("/markets/export/")
        from_reporting = client.get("/reporting/export/")
    assert from_markets["Content-Disposition"] == from_reporting["Content-Disposition"]
    a, b = sheet_of(from_markets), sheet_of(from_reporting)
    assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
    assert a["A2"].value == "贵州省贵阳市零工市场名录（截至2026年12月02日）"
    assert a["A3"].value == "填报单位（盖章）：贵阳市人力资源和社会保障局"


def test_a_provincial_auditor_is_not_named_filer_of_a_county_sheet(client, auditor, market):
    client.force_login(auditor)
    ws = sheet_of(client.get("/reporting/export/?county=520102"))
    assert ws["A3"].value == "填报单位（盖章）：贵阳市南明区人力资源和社会保障局"
    fields = sign_off(ws)
    assert fields["填报人"] == "" and fields["联系电话"] == ""
    assert "年" in fields["填报日期"] and not any(ch.isdigit() for ch in fields["填报日期"])  # left to write by hand


def test_import_template_has_drop_downs_for_every_coded_column(client, county_user):
    client.force_login(county_user)
    response = client.get("/markets/import/template/")
    ws = sheet_of(response)
    assert filename_star(response) == quote("附件1-零工市场名录导入模板.xlsx", safe="")
    assert_prints_on_a4(ws, header_row=4)
    lists = {}
    for validation in ws.data_validations.dataValidation:
        assert validation.type == "list"
        (cells,) = validation.sqref.ranges
        assert cells.min_row == 5 and cells.max_row >= 5000
        lists[COLUMN_KEYS[cells.min_col - 1]] = validation.formula1.strip('"').split(",")
    assert lists["nature"] == ["公益性", "市场化", "市场化（诚信运营）"]
    assert lists["status"] == ["筹建中", "运营中", "暂停", "已撤销"]
    assert lists["kind"][0] == "综合" and len(lists["kind"]) == 3
    assert "公共人力资源市场" in lists["basis"]
    assert lists["city"] == ["贵阳市"] and lists["county"] == ["南明区"]  # the user's scope
    assert ws["A5"].value == "示例"


def test_a_province_template_lists_counties_from_a_hidden_sheet(client, province_user):
    client.force_login(province_user)
    wb = load_workbook(io.BytesIO(client.get("/markets/import/template/").content))
    codes = wb["代码表"]
    assert codes.sheet_state == "hidden"
    (county_list,) = [v for v in wb.active.data_validations.dataValidation if "代码表" in v.formula1]
    assert county_list.formula1.startswith("代码表!$")
    assert "南明区" in [row[0] for row in codes.iter_rows(values_only=True)]


def test_the_template_example_row_is_not_imported(client, county_user):
    client.force_login(county_user)
    wb = load_workbook(io.BytesIO(client.get("/markets/import/template/").content))
    ws = wb.active
    for index, value in enumerate([None, "贵阳市", "南明区", None, "综合", "公益性", "新建", "南明区新路2号"], start=1):
        ws.cell(row=6, column=index, value=value)
    ws.cell(row=6, column=COLUMN_KEYS.index("status") + 1, value="运营中")
    out = io.BytesIO()
    wb.save(out)
    parsed = read_attachment1(SimpleUploadedFile("模板.xlsx", out.getvalue()))
    assert parsed.errors == []
    assert [row.number for row in parsed.rows] == [6]
    assert parsed.rows[0].values["address"] == "南明区新路2号"
