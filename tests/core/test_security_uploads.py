"""Shared upload checks: size, type, real content, Chinese messages."""

import io
import zipfile

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gigmarket.uploads import (
    XlsxFileField,
    open_xlsx_upload,
    read_csv_upload,
    validate_csv_upload,
    validate_xlsx_upload,
)


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
    workbook = open_xlsx_upload(file)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert rows == [("姓名", "工种"), ("张三", "搬运工")]


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
    settings.IMPORT_MAX_BYTES = 100_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", "A" * 3_000_000)
    content = buffer.getvalue()
    assert len(content) < settings.IMPORT_MAX_BYTES
    assert refusal(validate_xlsx_upload, upload("list.xlsx", content)).code == "zip_bomb"


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
