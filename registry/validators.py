"""Validation and normalisation of 身份证号, 统一社会信用代码 and mobile numbers.

Each `normalize_*` function takes what a clerk typed (full-width digits, spaces,
dashes, lower-case letters are all accepted) and returns the canonical value, or
raises a `ValidationError` with a Chinese message.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from gigmarket.core import contact

# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_CHARS = "10X98765432"

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

_SEPARATORS = re.compile(r"[\s\-_.·()（）]+")


def _plain(value):
    """Full-width characters to half-width, separators removed, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def id_check_char(first17):
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-digit 身份证号 and what it tells us."""

    value: str
    birth_date: datetime.date
    gender: str  # "M" or "F", from the parity of the 17th digit

    @property
    def last4(self):
        return self.value[-4:]


def parse_id_number(raw, *, today=None):
    """Validate and normalise a 身份证号; return an `IdNumber` or raise ValidationError."""
    value = _plain(raw)
    if not value:
        raise ValidationError("请输入身份证号。", code="required")
    if len(value) == 15 and value.isdigit():
        raise ValidationError(
            "这是15位的旧身份证号码，已停止使用，请输入18位的居民身份证号码。",
            code="id_15_digits",
        )
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号应为18位：前17位是数字，最后一位是数字或X。", code="id_format")
    if value[0] not in "12345678":
        raise ValidationError("身份证号的地区代码不正确。", code="id_region")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期不存在，请核对第7至14位。", code="id_birth_date") from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期不合理，请核对第7至14位。", code="id_birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请逐位核对后重新输入。", code="id_check_digit")
    gender = "M" if int(value[16]) % 2 else "F"
    return IdNumber(value=value, birth_date=birth, gender=gender)


def build_id_number(region, birth_date, sequence):
    """A valid 18-digit 身份证号 for a 6-digit region, a birth date and a 3-digit sequence (demo, tests)."""
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def build_credit_code(region, serial):
    """A valid 统一社会信用代码 for a 6-digit region and a numeric serial (demo, tests)."""
    org = f"{serial:08d}"
    total = sum(int(d) * w for d, w in zip(org, [3, 7, 9, 10, 5, 8, 4, 2], strict=True))
    org_check = (11 - total % 11) % 11
    first17 = f"91{region}{org}{'X' if org_check == 10 else org_check}"
    return first17 + credit_check_char(first17)


def normalize_id_number(raw):
    return parse_id_number(raw).value


def credit_check_char(first17):
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(raw):
    """Validate a 统一社会信用代码 (GB 32100) and return it in upper case."""
    value = _plain(raw)
    if len(value) != 18:
        raise ValidationError("统一社会信用代码应为18位。", code="credit_length")
    bad = sorted({c for c in value if c not in CREDIT_CHARS})
    if bad:
        raise ValidationError(
            "统一社会信用代码含有不允许的字符：%(chars)s(不使用I、O、S、V、Z)。",
            code="credit_chars",
            params={"chars": "、".join(bad)},
        )
    if not value[2:8].isdigit():
        raise ValidationError("统一社会信用代码第3至8位应为行政区划代码(数字)。", code="credit_region")
    if credit_check_char(value[:17]) != value[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请逐位核对后重新输入。", code="credit_check")
    return value


def normalize_mobile(raw, *, label="手机号码"):
    """Validate a mainland mobile number; return its 11 digits (+86 and separators removed)."""
    return contact.parse_phone(raw, kinds={contact.MOBILE}, label=label).digits


def normalize_phone(raw, *, label="联系电话"):
    """A contact phone: a mobile, a landline with area code, or a 400/800 number.

    Returned as the digits one dials inside China (13800138000, 085185550101,
    4001234567): registry phone columns hold 12 characters and are looked up by
    these digits, so no extension and no separators are stored here.
    """
    return contact.parse_phone(raw, kinds=contact.DIRECT_KINDS, label=label, allow_extension=False).digits
