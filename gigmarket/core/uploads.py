"""The one checked path for uploaded spreadsheets and CSV files.

Every upload is read through this module; every refusal is a Chinese `ValidationError`:

    file = XlsxFileField(label="导入文件")                        # in a form: the checks below
    rows = read_xlsx_rows(form.cleaned_data["file"], max_rows=5000)  # the first sheet's rows
    rows = read_csv_upload(form.cleaned_data["file"], max_rows=5000)

An .xlsx upload is checked before any XML is parsed:

- at most `IMPORT_MAX_BYTES`, named *.xlsx, a zip archive (magic bytes PK\\x03\\x04) with
  `[Content_Types].xml` and `xl/workbook.xml`, at most `MAX_ZIP_MEMBERS` members, no
  duplicate names, no encrypted members, only stored or deflated members;
- no macros or controls: no `vbaProject.bin`, ActiveX, Excel 4 macro sheets, dialog sheets
  or embedded OLE objects, no macro-enabled (.xlsm / .xltm / .xlam) content types;
- every member's declared size (from the zip directory) and actual size (counted while
  inflating it, in chunks, never held whole) within `IMPORT_MAX_PART_BYTES`, the shared
  strings within `IMPORT_MAX_SHARED_STRINGS_BYTES`, all members together within
  `IMPORT_MAX_UNZIPPED_BYTES`;
- the number of XML tags within bounds (`MAX_*_TAGS`, counted as `<` while inflating): the
  cost of parsing follows the number of elements, not bytes.

Then `read_xlsx_rows` streams the first worksheet with openpyxl's cell parser (defusedxml,
so no entity expansion) and stops at row `max_rows + 1`: the rest of the file is never
parsed. Damaged XML anywhere becomes a Chinese message, never a server error.
"""

import codecs
import csv
import dataclasses
import io
import logging
import re
import zipfile
import zlib

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.functions import iterparse

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
MAX_ZIP_MEMBERS = 1000
# Parsing costs about 2 µs per element (up to 40 µs for styles). A 5000-row 附件1 sheet
# has about 500,000 tags; Excel's styles, relations and properties a few thousand.
MAX_SHEET_TAGS = 1_500_000  # all worksheets together
MAX_SHARED_STRING_TAGS = 400_000
MAX_OTHER_TAGS = 40_000  # every other XML part together (styles, workbook, relations, …)
MAX_CELLS_PER_ROW = 1000
MAX_COLUMNS = 100
CHUNK = 64 * 1024
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

# Parts that carry macros or controls, by name (lower case) …
MACRO_PARTS = re.compile(
    r"(^|/)vbaproject(signature)?\.bin$|^xl/(activex|macrosheets|dialogsheets)/|^xl/embeddings/oleobject"
)
# … and by content type or relationship type, in [Content_Types].xml and *.rels.
MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"activex", b"macrosheet", b"oleobject", b"dialogsheet")


def _size_text(size):
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def _check_size_and_name(upload, extensions, kind):
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(extensions):
        _refuse(
            "只能上传%(kind)s文件（扩展名为 %(ext)s）。",
            "bad_extension",
            kind=kind,
            ext="、".join(extensions),
        )
    size = upload.size
    if size == 0:
        _refuse("上传的文件是空的。", "empty")
    if size > settings.IMPORT_MAX_BYTES:
        _refuse(
            "文件过大（%(size)s），最大允许 %(limit)s。请拆分后分批导入。",
            "too_large",
            size=_size_text(size),
            limit=_size_text(settings.IMPORT_MAX_BYTES),
        )


def _read_all(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


# ---------------------------------------------------------------- .xlsx: the archive


def _part_kind(name):
    lower = name.lower()
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return "sheet"
    if lower.endswith("sharedstrings.xml"):
        return "strings"
    if lower.endswith((".xml", ".rels", ".vml")):
        return "other"
    return "binary"


def _too_big():
    _refuse("文件解压后过大，不像正常的工作簿，已拒绝。请删除多余的内容或分批导入。", "zip_bomb")


def _inflate(archive, info, *, limit, total, tags, kind, keep):
    """Inflate one member in chunks, counting bytes and tags; return its bytes if `keep`."""
    size = 0
    kept = []
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            total[0] += len(chunk)
            if size > limit or total[0] > settings.IMPORT_MAX_UNZIPPED_BYTES:
                _too_big()
            if kind != "binary":
                tags[kind] += chunk.count(b"<")
                if tags[kind] > TAG_LIMITS[kind]:
                    _too_big()
            if keep:
                kept.append(chunk)
    return b"".join(kept) if keep else None


TAG_LIMITS = {"sheet": MAX_SHEET_TAGS, "strings": MAX_SHARED_STRING_TAGS, "other": MAX_OTHER_TAGS}


def _refuse_macros():
    _refuse(
        "文件包含宏、ActiveX 控件或嵌入对象，不能导入。请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后重试。",
        "macro",
    )


def _check_archive(data):
    if not data.startswith(ZIP_MAGIC):
        _refuse(
            "文件内容不是 .xlsx 工作簿（可能是旧版 .xls、设置了打开密码，或改了扩展名的其他文件），"
            "请在 Excel 中另存为 .xlsx 后重试。",
            "not_xlsx",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ValidationError("文件已损坏，无法打开。", code="corrupt") from exc
    names = [info.filename for info in infos]
    if len(infos) > MAX_ZIP_MEMBERS:
        _too_big()
    if len(set(names)) != len(names):
        _refuse("文件已损坏（压缩包内有重复的部件），无法打开。", "corrupt")
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        _refuse("文件内容不是 Excel 工作簿，请使用 .xlsx 格式。", "not_xlsx")
    if any(MACRO_PARTS.search(name.lower()) for name in names):
        _refuse_macros()
    # Declared sizes first: nothing is inflated when the directory already says too much.
    limits = {}
    for info in infos:
        if info.flag_bits & 0x1:
            _refuse("文件已加密，无法读取。请取消加密后另存为 .xlsx 再导入。", "encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _refuse("文件使用了不支持的压缩方式，请在 Excel 中另存为 .xlsx 后重试。", "corrupt")
        kind = _part_kind(info.filename)
        limits[info.filename] = (
            settings.IMPORT_MAX_SHARED_STRINGS_BYTES if kind == "strings" else settings.IMPORT_MAX_PART_BYTES
        )
        if info.file_size > limits[info.filename]:
            _too_big()
    if sum(info.file_size for info in infos) > settings.IMPORT_MAX_UNZIPPED_BYTES:
        _too_big()
    # Then the actual sizes, inflating each member once (this also checks every CRC).
    total, tags = [0], dict.fromkeys(TAG_LIMITS, 0)
    try:
        for info in infos:
            kind = _part_kind(info.filename)
            is_manifest = info.filename == "[Content_Types].xml" or info.filename.lower().endswith(".rels")
            content = _inflate(
                archive, info, limit=limits[info.filename], total=total, tags=tags, kind=kind, keep=is_manifest
            )
            if is_manifest and any(marker in content.lower() for marker in MACRO_MARKERS):
                _refuse_macros()
    except ValidationError:
        raise
    except Exception as exc:  # zipfile / zlib raise several kinds for damaged members
        raise ValidationError("文件已损坏，无法打开。", code="corrupt") from exc


def check_xlsx_upload(upload):
    """Every check on an .xlsx upload short of parsing its XML. Returns the file's bytes.

    The result is kept on the upload, so the form field and the reader check once."""
    checked = getattr(upload, "_gigmarket_checked_xlsx", None)
    if checked is not None:
        return checked
    _check_size_and_name(upload, (".xlsx",), "Excel 工作簿")
    data = _read_all(upload)
    _check_archive(data)
    upload._gigmarket_checked_xlsx = data
    return data


def validate_xlsx_upload(upload):
    """Form-field validator for .xlsx uploads."""
    check_xlsx_upload(upload)


# ---------------------------------------------------------------- .xlsx: the rows


@dataclasses.dataclass(frozen=True)
class SheetCell:
    value: object  # str, int, float, bool, datetime … as openpyxl reads it; the formula text if `formula`
    formula: bool = False


@dataclasses.dataclass(frozen=True)
class XlsxRow:
    number: int  # the row number in the sheet (rows may be missing in between)
    cells: tuple  # SheetCell or None per column from A to the last non-empty one (at most max_columns)


def _corrupt(exc):
    logger.info("unreadable xlsx upload: %s", type(exc).__name__)
    return ValidationError(
        "文件已损坏或不是有效的 Excel 工作簿，无法读取。请在 Excel 中打开并另存为 .xlsx 后重试。", code="corrupt"
    )


def _open_first_sheet(data):
    """(source of the first worksheet's XML, openpyxl cell parser for it).

    openpyxl's own read-only workbook parses every worksheet whole when it opens the file
    (looking for a <dimension> element), so only its pieces are used here: the manifest,
    shared strings, workbook, styles (for dates), and its cell parser."""
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    workbook = reader.wb
    apply_stylesheet(reader.archive, workbook)
    for _sheet, rel in reader.parser.find_sheets():
        if "chartsheet" not in rel.Type and rel.target in reader.valid_files:
            source = reader.archive.open(rel.target)
            parser = WorkSheetParser(
                source,
                reader.shared_strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            return source, parser
    raise ValidationError("工作簿中没有工作表。", code="no_sheet")


def _stream_rows(source, parser, *, max_rows, max_columns):
    rows = []
    cells_in_row = 0
    in_row = False
    stack = []
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            stack.append(element)
            if element.tag == ROW_TAG:
                if len(rows) >= max_rows:
                    _refuse(
                        "表格超过 %(limit)s 行（含带格式的空行），请删除多余的行或分批导入。",
                        "too_many_rows",
                        limit=max_rows,
                    )
                in_row, cells_in_row = True, 0
            continue
        stack.pop()
        if element.tag == CELL_TAG:
            cells_in_row += 1
            if cells_in_row > MAX_CELLS_PER_ROW:
                message = "表格中有一行超过 %(limit)s 个单元格，不像正常的表格，已拒绝。"
                _refuse(message, "too_many_cells", limit=MAX_CELLS_PER_ROW)
            continue
        if element.tag == ROW_TAG:
            number, parsed = parser.parse_row(element)
            kept = [c for c in parsed if c["column"] <= max_columns and c["value"] is not None]
            cells = [None] * max((c["column"] for c in kept), default=0)
            for cell in kept:
                cells[cell["column"] - 1] = SheetCell(cell["value"], cell["data_type"] == "f")
            rows.append(XlsxRow(number, tuple(cells)))
            in_row = False
        elif in_row:
            continue  # part of a cell: parsed with its row
        # Nothing outside the row being read is kept.
        if stack:
            stack[-1].remove(element)
        parser.row_dimensions.clear()
    return rows


def read_xlsx_rows(upload, *, max_rows=None, max_columns=MAX_COLUMNS):
    """The rows of the upload's first worksheet, after `check_xlsx_upload`.

    At most `max_rows` rows (default `IMPORT_MAX_ROWS`): reading stops at row element
    `max_rows + 1` with a Chinese refusal. Empty cells are None; only the first `max_columns`
    columns are returned. Raises ValidationError, never anything else, on a bad file."""
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    data = check_xlsx_upload(upload)
    source = None
    try:
        source, parser = _open_first_sheet(data)
        return _stream_rows(source, parser, max_rows=max_rows, max_columns=max_columns)
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl, expat and defusedxml raise many kinds for damaged files
        raise _corrupt(exc) from exc
    finally:
        if source is not None:
            source.close()


# ---------------------------------------------------------------- CSV


def _decode_csv(upload):
    _check_size_and_name(upload, (".csv",), "CSV")
    data = _read_all(upload)
    if b"\x00" in data:
        _refuse("文件内容不是文本格式的 CSV。", "binary")
    for encoding in CSV_ENCODINGS:
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    _refuse("无法识别文件编码，请另存为 UTF-8 编码的 CSV。", "encoding")


def validate_csv_upload(upload):
    """Form-field validator for CSV uploads (UTF-8, with or without BOM, or GB18030 as Excel saves it)."""
    _decode_csv(upload)


def read_csv_upload(upload, *, max_rows=None):
    """Validate and return the rows as lists of strings; reading stops at row `max_rows + 1`."""
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    text = _decode_csv(upload)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(rows) >= max_rows:
                _refuse("表格超过 %(limit)s 行，请分批导入。", "too_many_rows", limit=max_rows)
            rows.append(row)
    except csv.Error as exc:
        raise ValidationError("CSV 格式有误：%(error)s", code="csv", params={"error": str(exc)}) from exc
    return rows


# ---------------------------------------------------------------- form fields


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


# ---- Images (JPEG / PNG), checked by content, never by name or browser content type ----

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
BAD_IMAGE = "只能上传 JPG 或 PNG 图片。"


@dataclasses.dataclass(frozen=True)
class ImageInfo:
    kind: str  # "png" or "jpeg"
    width: int
    height: int


def _bad_image():
    _refuse(BAD_IMAGE, "bad_image")


def _check_pixels(width, height):
    if width <= 0 or height <= 0:
        _bad_image()
    if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
        _refuse(
            "图片尺寸过大（%(width)s × %(height)s），最多 %(limit)s 像素。",
            "too_many_pixels",
            width=width,
            height=height,
            limit=f"{settings.IMAGE_UPLOAD_MAX_PIXELS:,}",
        )


def _parse_png(data):
    pos = len(PNG_SIGNATURE)
    first = True
    width = height = 0
    while True:
        if pos + 12 > len(data):
            _bad_image()  # truncated before IEND
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            _bad_image()
        body = data[pos + 8 : pos + 8 + length]
        crc = int.from_bytes(data[pos + 8 + length : end], "big")
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            _bad_image()
        if first:
            if ctype != b"IHDR" or length != 13:
                _bad_image()
            width = int.from_bytes(body[0:4], "big")
            height = int.from_bytes(body[4:8], "big")
            _check_pixels(width, height)
            first = False
        if ctype == b"IEND":
            return ImageInfo("png", width, height)
        pos = end


def _parse_jpeg(data):
    pos = 2
    size = None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            _bad_image()
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker == 0xD9:
            _bad_image()  # EOI before any scan
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            _bad_image()
        if marker in JPEG_SOF_MARKERS:
            if length < 8:
                _bad_image()
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            _check_pixels(width, height)
            size = (width, height)
        if marker == 0xDA:  # SOS: entropy-coded data follows, the file must end with EOI
            if size is None:
                _bad_image()
            if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
                _bad_image()
            return ImageInfo("jpeg", size[0], size[1])
        pos += 2 + length
    _bad_image()


def check_image_upload(upload):
    """Return an `ImageInfo` for a real JPEG or PNG upload, or raise a Chinese ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMAGE_UPLOAD_MAX_BYTES:
        _refuse("图片不能超过 %(limit)s。", "too_large", limit=_size_text(settings.IMAGE_UPLOAD_MAX_BYTES))
    upload.seek(0)
    data = upload.read(settings.IMAGE_UPLOAD_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > settings.IMAGE_UPLOAD_MAX_BYTES:
        _refuse("图片不能超过 %(limit)s。", "too_large", limit=_size_text(settings.IMAGE_UPLOAD_MAX_BYTES))
    if data.startswith(PNG_SIGNATURE):
        return _parse_png(data)
    if data.startswith(b"\xff\xd8"):
        return _parse_jpeg(data)
    _bad_image()


class ImageFileField(forms.FileField):
    """A file field that accepts only a real JPEG or PNG (see `check_image_upload`)."""

    default_validators = [check_image_upload]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = "image/jpeg,image/png"
        return attrs
