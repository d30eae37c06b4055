"""Hostile files posted to the market import page: each is refused with a Chinese message
(HTTP 400, the form shown again), nothing is imported, nothing answers 500, and nothing is
parsed that the checks can refuse first.

The files are built in the test (tests/factories/uploads.py) from a real 附件1 template."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._reader import WorkSheetParser

from gigmarket.core.models import AuditEvent
from markets.attachment1 import HEADER_SEARCH_ROWS
from markets.models import Market
from tests.factories import uploads as hostile

URL = "/markets/import/"


@pytest.fixture
def parsing(monkeypatch):
    """Counts what openpyxl parses: workbooks opened, sheet rows parsed."""
    seen = {"workbooks": 0, "rows": 0}
    read_manifest, parse_row = ExcelReader.read_manifest, WorkSheetParser.parse_row

    def counting_manifest(self):
        seen["workbooks"] += 1
        return read_manifest(self)

    def counting_row(self, element):
        seen["rows"] += 1
        return parse_row(self, element)

    monkeypatch.setattr(ExcelReader, "read_manifest", counting_manifest)
    monkeypatch.setattr(WorkSheetParser, "parse_row", counting_row)
    return seen


def post(client, content, name="名录.xlsx"):
    response = client.post(URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400, response.status_code
    assert not Market.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body  # the form is shown again
    return body


@pytest.fixture
def county(client, county_user, nanming):
    client.force_login(county_user)
    return client


def test_a_good_file_still_imports(county, parsing):
    response = county.post(URL, {"file": SimpleUploadedFile("名录.xlsx", hostile.attachment1())})
    assert response.status_code == 302
    assert Market.objects.count() == 1
    assert parsing["workbooks"] == 1


def test_zip_bomb_sheet_is_refused_before_anything_is_parsed(county, parsing, settings):
    content = hostile.zip_bomb(settings.IMPORT_MAX_PART_BYTES + (1 << 20))
    assert len(content) < 100_000  # about 1000 : 1
    body = post(county, content)
    assert "文件解压后过大" in body
    assert parsing == {"workbooks": 0, "rows": 0}


def test_zip_whose_directory_understates_the_sheet_is_refused(county, parsing, settings):
    content = hostile.zip_bomb(settings.IMPORT_MAX_PART_BYTES + (1 << 20))
    body = post(county, hostile.declared_size(content, hostile.SHEET, 4096))
    assert "文件已损坏" in body or "文件解压后过大" in body
    assert parsing == {"workbooks": 0, "rows": 0}


def test_huge_shared_string_is_refused_before_anything_is_parsed(county, parsing, settings):
    content = hostile.huge_shared_string(settings.IMPORT_MAX_SHARED_STRINGS_BYTES + 1)
    assert len(content) < 100_000
    body = post(county, content)
    assert "文件解压后过大" in body
    assert parsing == {"workbooks": 0, "rows": 0}


@pytest.mark.parametrize("kind", ["vba", "activex", "xlsm"])
def test_file_with_macros_is_refused_although_its_rows_are_good(county, parsing, kind):
    body = post(county, hostile.with_macros(kind))
    assert "文件包含宏、ActiveX 控件或嵌入对象，不能导入" in body
    assert parsing == {"workbooks": 0, "rows": 0}


def test_100000_data_rows_are_refused_and_reading_stops_after_the_limit(county, parsing, settings):
    xml = (
        '<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>贵阳市</t></is></c>'
        '<c r="H{n}" t="inlineStr"><is><t>地址{n}</t></is></c></row>'
    )
    content = hostile.with_sheet_rows("".join(xml.format(n=n) for n in range(5, 100_005)))
    body = post(county, content)
    assert f"数据超过 {settings.IMPORT_MAX_ROWS} 行，请分批导入。" in body
    # the rows allowed (data plus the rows where the header may be), not 100,004
    assert parsing["rows"] == settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS


def test_100000_numbered_blank_rows_are_not_read_to_the_end(county, parsing, settings):
    settings.IMPORT_MAX_ROWS = 200
    body = post(county, hostile.numbered_blank_rows(100_000))
    assert "数据超过 200 行，请分批导入。" in body
    assert parsing["rows"] == 200 + HEADER_SEARCH_ROWS


def test_truncated_sheet_xml_is_a_chinese_message_not_a_500(county):
    body = post(county, hostile.truncated_sheet())
    assert "文件已损坏或不是有效的 Excel 工作簿" in body


def test_entity_expansion_is_refused(county):
    body = post(county, hostile.entity_bomb())
    assert "文件已损坏或不是有效的 Excel 工作簿" in body


def test_a_row_with_thousands_of_cells_is_refused(county):
    body = post(county, hostile.wide_row(5000))
    assert "超过 1000 个单元格" in body


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(3000),
        b"PK\x03\x04" + os.urandom(3000),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        hostile.attachment1()[:2000],
    ],
    ids=["random bytes", "zip magic then junk", "old .xls", "cut-off zip"],
)
def test_not_a_zip_is_refused(county, parsing, content):
    body = post(county, content)
    assert "文件内容不是 .xlsx 工作簿" in body or "文件已损坏" in body
    assert parsing == {"workbooks": 0, "rows": 0}


@pytest.mark.parametrize("name", ["名录.xls", "名录.csv", "名录.xlsm", "名录.xlsx.exe", "名录"])
def test_wrong_extension_is_refused(county, parsing, name):
    body = post(county, hostile.attachment1(), name=name)
    assert "只能上传Excel 工作簿文件（扩展名为 .xlsx）" in body
    assert parsing == {"workbooks": 0, "rows": 0}


def test_a_file_over_the_size_limit_is_refused(county, settings):
    settings.IMPORT_MAX_BYTES = 4096
    body = post(county, hostile.attachment1() + b"\x00" * 8192)
    assert "文件过大" in body
