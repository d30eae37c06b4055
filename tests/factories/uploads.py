"""Hostile .xlsx uploads, built in memory from a real 附件1 template.

Used by the upload tests and by `bench/hostile_uploads.py` (which builds the probe's
full-size files). Every builder returns the bytes of a file a user could upload.
"""

import io
import zipfile

from markets.attachment1 import COLUMNS, FIRST_DATA_ROW, write_attachment1

SHEET = "xl/worksheets/sheet1.xml"
CONTENT_TYPES = "[Content_Types].xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHUNK = 1 << 20

GOOD_ROW = {
    "city": "贵阳市",
    "county": "南明区",
    "kind": "综合",
    "nature": "公益性",
    "basis": "公共人力资源市场",
    "address": "贵阳市南明区花果园大街1号",
    "hours": "周一至周五 06:00-12:00",
    "trades": "木工",
    "features": "综合服务区",
    "status": "运营中",
    "operator": "南明区就业局",
    "contact_person": "王敏",
    "contact_phone": "0851-85550101",
}


def attachment1(rows=(GOOD_ROW,)):
    """A real 附件1 workbook as the platform exports it."""
    return write_attachment1(list(rows), title="贵州省零工市场名录")


def members(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def rebuild(content, *, replace=None, add=None, streams=None, drop=()):
    """Copy the zip in `content`: members replaced or added (name → bytes), members written
    from an iterator of byte chunks (`streams`, name → iterator; the archive never holds them
    whole), members dropped."""
    parts = members(content)
    parts.update(replace or {})
    parts.update(add or {})
    streams = streams or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name in drop:
                continue
            if name in streams:
                with archive.open(name, "w", force_zip64=True) as target:
                    for chunk in streams.pop(name):
                        target.write(chunk)
            else:
                archive.writestr(name, data)
        for name, chunks in streams.items():
            with archive.open(name, "w", force_zip64=True) as target:
                for chunk in chunks:
                    target.write(chunk)
    return out.getvalue()


def _sheet_parts(content):
    """The template's sheet XML split around its data rows: (through the header row, from
    </sheetData>). What the writer puts below the header (an example or 本期无数据 row, the
    sign-off rows) is dropped, so the rows given are the only ones after the header."""
    xml = members(content)[SHEET].decode()
    rows, tail = xml.split("</sheetData>", 1)
    first_below = rows.find(f'<row r="{FIRST_DATA_ROW}"')
    head = rows if first_below < 0 else rows[:first_below]
    return head.encode(), ("</sheetData>" + tail).encode()


def _cell(column, row, text):
    letter = chr(ord("A") + column)
    return f'<c r="{letter}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def data_row_xml(number, row=GOOD_ROW):
    cells = [f'<c r="A{number}" t="n"><v>{number - 4}</v></c>']
    for index, col in enumerate(COLUMNS[1:], start=1):
        if row.get(col.key):
            cells.append(_cell(index, number, row[col.key]))
    return f'<row r="{number}">{"".join(cells)}</row>'


def with_sheet_rows(rows_xml, *, template=None):
    """The 附件1 template with its data rows replaced by `rows_xml` (bytes or an iterator of bytes)."""
    template = template or attachment1([])
    head, tail = _sheet_parts(template)
    if isinstance(rows_xml, bytes | str):
        rows_xml = rows_xml.encode() if isinstance(rows_xml, str) else rows_xml
        return rebuild(template, replace={SHEET: head + rows_xml + tail})

    def chunks():
        yield head
        yield from rows_xml
        yield tail

    return rebuild(template, streams={SHEET: chunks()})


def zip_bomb(expanded_bytes):
    """Sheet XML that expands to about `expanded_bytes`: rows with a cell in an unused column
    (the old reader skipped them as empty and read on), compressing about 1000 : 1."""
    row = b'<row><c r="Z9"><v>1</v></c></row>'
    block = row * (CHUNK // len(row))

    def rows():
        for _ in range(max(1, expanded_bytes // len(block))):
            yield block

    return with_sheet_rows(rows())


def huge_shared_string(size):
    """One shared string of `size` characters, used by one cell of a data row."""
    template = attachment1([])
    types = members(template)[CONTENT_TYPES].decode()
    types = types.replace("</Types>", f'<Override PartName="/{SHARED_STRINGS}" ContentType="{SST_TYPE}" /></Types>')
    head, tail = _sheet_parts(template)
    sheet = head + b'<row r="5"><c r="H5" t="s"><v>0</v></c></row>' + tail
    start = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()

    def sst():
        yield start
        left = size
        while left > 0:
            n = min(left, CHUNK)
            yield b"A" * n
            left -= n
        yield b"</t></si></sst>"

    return rebuild(template, replace={CONTENT_TYPES: types.encode(), SHEET: sheet}, streams={SHARED_STRINGS: sst()})


def with_macros(kind="vba"):
    """A valid 附件1 with one good row plus macros: a VBA project (as .xlsm saves it), an
    ActiveX control, or only the .xlsm content type."""
    template = attachment1()
    types = members(template)[CONTENT_TYPES].decode()
    add = {}
    if kind == "vba":
        types = types.replace(XLSX_MAIN, XLSM_MAIN).replace(
            "</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject" /></Types>'
        )
        add["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    elif kind == "activex":
        part = "/xl/activeX/activeX1.xml"
        override = f'<Override PartName="{part}" ContentType="application/vnd.ms-office.activeX+xml" />'
        types = types.replace("</Types>", override + "</Types>")
        add["xl/activeX/activeX1.xml"] = b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>'
        add["xl/activeX/activeX1.bin"] = b"\x00" * 64
    elif kind == "xlsm":
        types = types.replace(XLSX_MAIN, XLSM_MAIN)
    return rebuild(template, replace={CONTENT_TYPES: types.encode()}, add=add)


def many_rows(count, row=GOOD_ROW):
    """附件1 with `count` data rows (numbered from 1 in 序号)."""

    def rows():
        batch = []
        for number in range(5, 5 + count):
            batch.append(data_row_xml(number, row))
            if len(batch) == 2000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()

    return with_sheet_rows(rows())


def numbered_blank_rows(count):
    """`count` rows that fill only 序号: the old reader skipped each as empty and read them all."""
    return with_sheet_rows("".join(f'<row r="{n}"><c r="A{n}"><v>{n - 4}</v></c></row>' for n in range(5, 5 + count)))


def truncated_sheet():
    """A valid zip whose sheet XML stops in the middle of the data rows."""
    content = many_rows(40)
    sheet = members(content)[SHEET]
    return rebuild(content, replace={SHEET: sheet[: len(sheet) * 2 // 3]})


def entity_bomb():
    """'Billion laughs': the sheet XML declares nested entities (10^9 characters if expanded)."""
    template = attachment1([])
    head, tail = _sheet_parts(template)
    entities = b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8))
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + entities + b"]>"
    row = b'<row r="5"><c r="H5" t="inlineStr"><is><t>&i;</t></is></c></row>'
    return rebuild(template, replace={SHEET: doctype + head + row + tail})


def declared_size(content, name, size):
    """`content` with the central directory claiming `size` uncompressed bytes for `name`."""
    data = bytearray(content)
    encoded = name.encode()
    start = 0
    while (at := data.find(b"PK\x01\x02", start)) != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_len]) == encoded:
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
        start = at + 4
    return bytes(data)


def wide_row(cells):
    """One data row with `cells` cells."""
    cells_xml = "".join(f'<c t="inlineStr"><is><t>{i}</t></is></c>' for i in range(cells))
    return with_sheet_rows(f'<row r="5">{cells_xml}</row>')
