"""Image uploads are accepted only when the bytes are a real JPEG or PNG."""

import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gigmarket.core.uploads import ImageFileField, check_image_upload


def _chunk(ctype, body, crc=None):
    if crc is None:
        crc = zlib.crc32(ctype + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def make_png(width=2, height=2, bad_crc=False):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(min(height, 4)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(raw), crc=1 if bad_crc else None)
        + _chunk(b"IEND", b"")
    )


def _segment(marker, body):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body


def make_jpeg(width=8, height=8):
    app0 = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    sof0 = _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    sos = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + app0 + sof0 + sos + b"\x12\x34\x56" + b"\xff\xd9"


def upload(data, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(data, **kwargs):
    with pytest.raises(ValidationError) as info:
        check_image_upload(upload(data, **kwargs))
    return " ".join(info.value.messages)


def test_real_png_accepted_with_dimensions():
    info = check_image_upload(upload(make_png(3, 2)))
    assert (info.kind, info.width, info.height) == ("png", 3, 2)


def test_real_jpeg_accepted_even_named_png():
    info = check_image_upload(upload(make_jpeg(16, 9), name="x.png", content_type="image/png"))
    assert (info.kind, info.width, info.height) == ("jpeg", 16, 9)


def test_renamed_text_file_refused():
    assert "只能上传 JPG 或 PNG 图片" in refused(b"hello world\n" * 10, name="a.jpg", content_type="image/jpeg")


@pytest.mark.parametrize("maker", [make_png, make_jpeg])
def test_truncated_image_refused(maker):
    data = maker()
    assert "只能上传 JPG 或 PNG 图片" in refused(data[: len(data) - 5])


def test_png_bad_crc_refused():
    assert "只能上传 JPG 或 PNG 图片" in refused(make_png(bad_crc=True))


def test_oversize_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 100
    assert "图片不能超过" in refused(make_png() + b"\x00" * 200)


@pytest.mark.parametrize("maker", [make_png, make_jpeg])
def test_too_many_pixels_refused(maker):
    assert "像素" in refused(maker(width=10000, height=5000))


def test_form_field_runs_the_check():
    field = ImageFileField()
    with pytest.raises(ValidationError):
        field.clean(upload(b"GIF89a....", name="a.png"))
    assert field.clean(upload(make_png())).name == "photo.png"


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("name", "kind"), [("chromium_12x7.jpg", "jpeg"), ("chromium_12x7.png", "png")])
def test_browser_made_images_accepted(name, kind):
    # Bytes written by Chromium's screenshot encoder (Playwright), a 12 x 7 viewport.
    info = check_image_upload(upload((DATA / name).read_bytes(), name=name))
    assert (info.kind, info.width, info.height) == (kind, 12, 7)
