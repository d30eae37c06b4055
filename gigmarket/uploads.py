"""Shared checks for uploaded spreadsheets and CSV files.

Use them as form-field validators, or call `open_xlsx_upload` / `read_csv_upload` to
get the validated content. Every refusal is a Chinese `ValidationError`:

    file = XlsxFileField(label="导入文件")              # in a form
    workbook = open_xlsx_upload(form.cleaned_data["file"])  # in the service

An .xlsx file must be: at most settings.IMPORT_MAX_BYTES, named *.xlsx, a zip archive
(magic bytes PK\\x03\\x04) holding a workbook without macros, not expanding beyond a
safe size, and openable by openpyxl in read-only mode.
"""

import codecs
import csv
import io
import zipfile

import openpyxl
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

ZIP_MAGIC = b"PK\x03\x04"
# A real workbook compresses 5-10x; refuse archives that would expand far beyond that.
MAX_EXPANSION = 20
MAX_ZIP_MEMBERS = 2000
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def _megabytes(size):
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _check_size_and_name(upload, extensions, kind):
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(extensions):
        raise ValidationError(
            "只能上传%(kind)s文件（扩展名为 %(ext)s）。",
            code="bad_extension",
            params={"kind": kind, "ext": "、".join(extensions)},
        )
    size = upload.size
    if size == 0:
        raise ValidationError("上传的文件是空的。", code="empty")
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            "文件过大（%(size)s），最大允许 %(limit)s。请拆分后分批导入。",
            code="too_large",
            params={"size": _megabytes(size), "limit": _megabytes(settings.IMPORT_MAX_BYTES)},
        )


def _read_all(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _check_xlsx(upload):
    _check_size_and_name(upload, (".xlsx",), "Excel 工作簿")
    data = _read_all(upload)
    if not data.startswith(ZIP_MAGIC):
        raise ValidationError(
            "文件内容不是 .xlsx 工作簿（可能是旧版 .xls 或改了扩展名的其他文件），请在 Excel 中另存为 .xlsx 后重试。",
            code="not_xlsx",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError("文件已损坏，无法打开。", code="corrupt") from exc
    names = {member.filename for member in members}
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_EXPANSION * settings.IMPORT_MAX_BYTES:
        raise ValidationError("文件解压后过大，不像正常的工作簿，已拒绝。", code="zip_bomb")
    if "xl/workbook.xml" not in names:
        raise ValidationError("文件内容不是 Excel 工作簿，请使用 .xlsx 格式。", code="not_xlsx")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError("文件包含宏，不能导入。请另存为不含宏的 .xlsx 工作簿。", code="macro")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ValidationError("文件已损坏或不是有效的 Excel 工作簿，无法打开。", code="corrupt") from exc
    return workbook


def validate_xlsx_upload(upload):
    """Form-field validator for .xlsx uploads."""
    _check_xlsx(upload).close()


def open_xlsx_upload(upload):
    """Validate and return the workbook (openpyxl, read-only, cached values). Close it when done."""
    return _check_xlsx(upload)


def _decode_csv(upload):
    _check_size_and_name(upload, (".csv",), "CSV")
    data = _read_all(upload)
    if b"\x00" in data:
        raise ValidationError("文件内容不是文本格式的 CSV。", code="binary")
    for encoding in CSV_ENCODINGS:
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文件编码，请另存为 UTF-8 编码的 CSV。", code="encoding")


def validate_csv_upload(upload):
    """Form-field validator for CSV uploads (UTF-8, with or without BOM, or GB18030 as Excel saves it)."""
    _decode_csv(upload)


def read_csv_upload(upload):
    """Validate and return the rows as lists of strings."""
    text = _decode_csv(upload)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationError("CSV 格式有误：%(error)s", code="csv", params={"error": str(exc)}) from exc


class XlsxFileField(forms.FileField):
    """A file field that accepts only a safe .xlsx workbook."""

    default_validators = [validate_xlsx_upload]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return attrs


class CsvFileField(forms.FileField):
    default_validators = [validate_csv_upload]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ".csv,text/csv"
        return attrs
