"""Shared upload checks: size, type, real content, Chinese messages."""

import io
import zipfile

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gigmarket.core.uploads import (
    SheetCell,
    XlsxFileField,
    read_csv_upload,
    read_xlsx_rows,
    validate_csv_upload,
    validate_xlsx_upload,
)
from tests.factories import uploads as hostile


def xlsx_bytes(rows=(("姓名", "工种"), ("张三", "搬运工"))):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def refusal(validator, file):
    with pytest.raises(ValidationError) as excinfo:
        validator(file)
    return excinfo.value


def test_a_real_workbook_is_accepted_and_readable():
    file = upload("工人名单.xlsx", xlsx_bytes())
    validate_xlsx_upload(file)
    rows = read_xlsx_rows(file, max_rows=10)
    assert [row.number for row in rows] == [1, 2]
    assert [[cell.value for cell in row.cells] for row in rows] == [["姓名", "工种"], ["张三", "搬运工"]]


def test_upper_case_extension_is_fine():
    validate_xlsx_upload(upload("LIST.XLSX", xlsx_bytes()))


def test_too_large_file_is_refused_in_chinese(settings):
    content = xlsx_bytes()
    settings.IMPORT_MAX_BYTES = len(content) - 1
    error = refusal(validate_xlsx_upload, upload("big.xlsx", content))
    assert error.code == "too_large"
    assert "文件过大" in error.messages[0]


def test_empty_file_is_refused():
    assert refusal(validate_xlsx_upload, upload("empty.xlsx", b"")).code == "empty"


@pytest.mark.parametrize("name", ["list.xls", "list.csv", "list.xlsm", "list.xlsx.exe", "list"])
def test_other_extensions_are_refused(name):
    error = refusal(validate_xlsx_upload, upload(name, xlsx_bytes()))
    assert error.code == "bad_extension"
    assert "只能上传" in error.messages[0]


def test_renamed_old_xls_or_html_is_refused():
    old_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    for content in (old_xls, b"<html><table><tr><td>=cmd</td></tr></table></html>"):
        error = refusal(validate_xlsx_upload, upload("list.xlsx", content))
        assert error.code == "not_xlsx"
        assert "另存为 .xlsx" in error.messages[0]


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(validate_xlsx_upload, upload("list.xlsx", buffer.getvalue())).code == "not_xlsx"


def test_truncated_workbook_is_refused():
    content = xlsx_bytes()
    error = refusal(validate_xlsx_upload, upload("list.xlsx", content[: len(content) // 2]))
    assert error.code == "corrupt"
    assert "损坏" in error.messages[0]


def test_workbook_with_macros_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00macro")
    assert refusal(validate_xlsx_upload, upload("list.xlsx", buffer.getvalue())).code == "macro"


def test_zip_bomb_is_refused_before_parsing(settings):
    content = hostile.huge_shared_string(settings.IMPORT_MAX_SHARED_STRINGS_BYTES + 1)
    assert len(content) < settings.IMPORT_MAX_BYTES // 100
    error = refusal(validate_xlsx_upload, upload("list.xlsx", content))
    assert error.code == "zip_bomb"
    assert "解压后过大" in error.messages[0]


def test_file_is_rewound_for_the_importer():
    file = upload("list.xlsx", xlsx_bytes())
    validate_xlsx_upload(file)
    assert file.read(4) == b"PK\x03\x04"


def test_xlsx_field_keeps_the_form_invalid_with_a_chinese_error():
    class ImportForm(forms.Form):
        file = XlsxFileField(label="导入文件")

    form = ImportForm(data={}, files={"file": upload("list.xls", b"\xd0\xcf\x11\xe0")})
    assert not form.is_valid()
    assert "只能上传" in form.errors["file"][0]
    assert 'accept=".xlsx' in str(form["file"])
    good = ImportForm(data={}, files={"file": upload("list.xlsx", xlsx_bytes())})
    assert good.is_valid()


# CSV ---------------------------------------------------------------------------------------


def test_utf8_csv_with_bom_is_read():
    content = "\ufeff姓名,电话\n张三,139****2345\n".encode()
    assert read_csv_upload(upload("list.csv", content)) == [["姓名", "电话"], ["张三", "139****2345"]]


def test_gb18030_csv_saved_by_excel_is_read():
    content = "姓名,工种\r\n李四,电工\r\n".encode("gb18030")
    assert read_csv_upload(upload("list.csv", content)) == [["姓名", "工种"], ["李四", "电工"]]


def test_binary_file_named_csv_is_refused():
    assert refusal(validate_csv_upload, upload("list.csv", xlsx_bytes())).code == "binary"


def test_csv_too_large_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 10
    assert refusal(validate_csv_upload, upload("list.csv", b"a,b\n" * 10)).code == "too_large"


def test_reading_stops_at_the_row_after_the_limit(monkeypatch):
    from openpyxl.worksheet._reader import WorkSheetParser

    parsed = []
    original = WorkSheetParser.parse_row

    def counting(self, element):
        parsed.append(1)
        return original(self, element)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    file = upload("list.xlsx", hostile.numbered_blank_rows(3000))
    error = refusal(lambda f: read_xlsx_rows(f, max_rows=100), file)
    assert error.code == "too_many_rows"
    assert "超过 100 行" in error.messages[0]
    # the template's 4 layout rows and 96 data rows; row 101 is refused as it starts
    assert len(parsed) == 100


def test_a_row_far_down_the_sheet_is_read_without_the_rows_in_between():
    rows = read_xlsx_rows(upload("list.xlsx", hostile.with_sheet_rows(hostile.data_row_xml(1_048_576))), max_rows=10)
    assert [row.number for row in rows] == [1, 2, 3, 4, 1_048_576]
    assert rows[-1].cells[7] == SheetCell(hostile.GOOD_ROW["address"])


def test_cells_beyond_the_columns_asked_for_are_dropped_not_padded():
    xml = '<row r="5"><c r="B5" t="inlineStr"><is><t>贵阳市</t></is></c><c r="XFD5"><v>1</v></c></row>'
    rows = read_xlsx_rows(upload("list.xlsx", hostile.with_sheet_rows(xml)), max_rows=10, max_columns=16)
    assert rows[-1].cells == (None, SheetCell("贵阳市"))


def test_a_row_with_thousands_of_cells_is_refused():
    error = refusal(lambda f: read_xlsx_rows(f, max_rows=10), upload("list.xlsx", hostile.wide_row(5000)))
    assert error.code == "too_many_cells"


def test_formula_cells_are_marked():
    xml = '<row r="5"><c r="A5"><f>1+1</f><v>2</v></c><c r="B5"><v>3</v></c></row>'
    rows = read_xlsx_rows(upload("list.xlsx", hostile.with_sheet_rows(xml)), max_rows=10)
    assert rows[-1].cells == (SheetCell("=1+1", formula=True), SheetCell(3))


@pytest.mark.parametrize("kind", ["vba", "activex", "xlsm"])
def test_every_kind_of_macro_is_refused(kind):
    assert refusal(validate_xlsx_upload, upload("list.xlsx", hostile.with_macros(kind))).code == "macro"


def test_sizes_are_checked_from_the_directory_before_anything_is_inflated(settings, monkeypatch):
    import zipfile as zipmodule

    settings.IMPORT_MAX_PART_BYTES = 1_000_000
    content = hostile.zip_bomb(2_000_000)
    opened = []
    monkeypatch.setattr(zipmodule.ZipFile, "open", lambda *a, **k: opened.append(a) or pytest.fail("inflated"))
    assert refusal(validate_xlsx_upload, upload("list.xlsx", content)).code == "zip_bomb"
    assert opened == []


def test_a_directory_that_understates_a_size_is_caught_while_inflating(settings):
    settings.IMPORT_MAX_PART_BYTES = 1_000_000
    content = hostile.declared_size(hostile.zip_bomb(2_000_000), hostile.SHEET, 1000)
    assert refusal(validate_xlsx_upload, upload("list.xlsx", content)).code in ("zip_bomb", "corrupt")


def test_shared_strings_have_their_own_smaller_limit(settings):
    settings.IMPORT_MAX_SHARED_STRINGS_BYTES = 100_000
    assert refusal(validate_xlsx_upload, upload("list.xlsx", hostile.huge_shared_string(200_000))).code == "zip_bomb"
    settings.IMPORT_MAX_SHARED_STRINGS_BYTES = 300_000
    rows = read_xlsx_rows(upload("list.xlsx", hostile.huge_shared_string(200_000)), max_rows=10)
    assert rows[-1].cells[7].value == "A" * 200_000


def test_a_flood_of_small_elements_is_refused_by_count_not_size():
    styles = b"<styleSheet>" + b"<x/>" * 70_000 + b"</styleSheet>"
    content = hostile.rebuild(hostile.attachment1(), replace={"xl/styles.xml": styles})
    assert len(styles) < 1_000_000
    assert refusal(validate_xlsx_upload, upload("list.xlsx", content)).code == "zip_bomb"


@pytest.mark.parametrize(
    "content",
    [hostile.truncated_sheet(), hostile.entity_bomb()],
    ids=["truncated sheet XML", "entity expansion"],
)
def test_damaged_xml_is_a_chinese_refusal(content):
    error = refusal(lambda f: read_xlsx_rows(f, max_rows=100), upload("list.xlsx", content))
    assert error.code == "corrupt"
    assert "损坏" in error.messages[0]


def test_csv_reading_stops_at_the_row_after_the_limit():
    error = refusal(lambda f: read_csv_upload(f, max_rows=3), upload("list.csv", b"a\n" * 1000))
    assert error.code == "too_many_rows"
    assert read_csv_upload(upload("list.csv", b"a\nb\nc\n"), max_rows=3) == [["a"], ["b"], ["c"]]
