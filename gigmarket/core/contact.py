"""Phone numbers and names as China writes them: checked, normalised, shown one way.

Phones are checked against the `phonenumbers` metadata (the `phonenumberslite`
package, which ships the short-number data too) with region CN:

- 手机号码 (mobile): 11 digits, 1[3-9]…; shown as ``13800138000``.
- 固定电话 (landline): area code and number, optional extension; typed as
  ``0851-85550101``, ``(0851)85550101``, ``085185550101``, ``0851 8555 0101``,
  ``0851-85550101-123`` or ``0851-85550101转123``; shown as ``0851-85550101`` or
  ``0851-85550101-123``.
- 400/800 电话: shown as ``400-123-4567``.
- 服务号码 (service): five- or six-digit 12xxx government hotlines (12333, 12345),
  95xxx enterprise and 96xxx local service numbers that the short-number data
  knows; shown as typed (``12333``). Emergency numbers (110, 119, 120), carrier
  numbers (10086) and other short codes are not a market's hotline and are refused.

Full-width input is folded with NFKC first (``０８５１－８５５５０１０１`` is fine); a
``+86`` / ``0086`` prefix is accepted; numbers of other countries are refused.

Names: a person's name (联系人, 姓名) may hold Chinese characters, latin letters, the
middle dot ``·`` of minority and foreign names (阿卜杜拉·买买提; the look-alike dots
people type are folded into it), and single spaces between latin words; spaces
between Chinese characters are dropped. An organisation's name may also hold digits
and the punctuation of company names. Emoji, symbols, control characters and
zero-width characters are refused, each with a Chinese message.

Every function raises only `django.core.exceptions.ValidationError`.
"""

import dataclasses
import functools
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumberType, shortnumberinfo

MOBILE = "mobile"
LANDLINE = "landline"
TOLL_FREE = "toll_free"  # 400 and 800 numbers
SERVICE = "service"  # 12xxx, 95xxx, 96xxx short service numbers

ALL_KINDS = frozenset({MOBILE, LANDLINE, TOLL_FREE, SERVICE})
# A person or an office one can call back (not a short service number).
DIRECT_KINDS = frozenset({MOBILE, LANDLINE, TOLL_FREE})
PERSONAL_KINDS = frozenset({MOBILE, LANDLINE})

KIND_LABELS = {
    MOBILE: "11位手机号码",
    LANDLINE: "带区号的固定电话(如 0851-85550101)",
    TOLL_FREE: "400/800 电话",
    SERVICE: "12333、95xxx 等服务号码",
}
# The kind alone, for "…不能填写固定电话".
KIND_NAMES = {MOBILE: "手机号码", LANDLINE: "固定电话", TOLL_FREE: "400/800 电话", SERVICE: "服务号码(如 12333)"}
_KIND_ORDER = [MOBILE, LANDLINE, TOLL_FREE, SERVICE]

MAX_EXTENSION_DIGITS = 6
_MAX_INPUT = 60  # longer input is not a phone number; refuse before any parsing

# Invisible characters pasted from web pages and spreadsheets: dropped from phone input.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Dashes people type between digit groups, folded to "-".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\u2500"), "-")
_EXTENSION = re.compile(r"^(?P<main>.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>\d+)$", re.IGNORECASE)
_DASH_EXTENSION = re.compile(rf"^(?P<main>.*\d)\s*-\s*(?P<ext>\d{{1,{MAX_EXTENSION_DIGITS}}})$")
_PHONE_CHARS = re.compile(r"^[0-9+\-()./\s]+$")
# Short service numbers a market may publish: 12xxx, 95xxx(x), 96xxx(x).
_SERVICE_SHAPE = re.compile(r"^(?:12\d{3}|9[56]\d{3,4})$")


@dataclasses.dataclass(frozen=True)
class Phone:
    """A checked mainland phone number."""

    kind: str
    digits: str  # as dialled inside China: 13800138000, 085185550101, 4001234567, 12333
    area_code: str = ""  # landlines: "0851", "010"
    extension: str = ""

    @property
    def display(self):
        """The one form the portal stores and shows."""
        if self.kind == LANDLINE:
            text = f"{self.area_code}-{self.digits[len(self.area_code) :]}"
            return f"{text}-{self.extension}" if self.extension else text
        if self.kind == TOLL_FREE:
            return f"{self.digits[:3]}-{self.digits[3:6]}-{self.digits[6:]}"
        return self.digits


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _expected(kinds):
    return "、".join(KIND_LABELS[k] for k in _KIND_ORDER if k in kinds)


def _invalid(label, kinds, code="phone_invalid"):
    return ValidationError(
        "%(label)s无效，请填写%(expected)s。", code=code, params={"label": label, "expected": _expected(kinds)}
    )


def _wrong_kind(label, kind, kinds):
    return ValidationError(
        "%(label)s不能填写%(kind)s，请填写%(expected)s。",
        code="phone_kind",
        params={"label": label, "kind": KIND_NAMES[kind], "expected": _expected(kinds)},
    )


def _parse_service(digits):
    if not _SERVICE_SHAPE.match(digits):
        return None
    number = phonenumbers.parse(digits, "CN")
    if shortnumberinfo.is_valid_short_number_for_region(number, "CN") and not shortnumberinfo.is_emergency_number(
        digits, "CN"
    ):
        return Phone(kind=SERVICE, digits=digits)
    return None


def _parse_full(text):
    """A full (not short) number → Phone without extension, or None if not a valid CN number.

    Raises ValidationError for a valid number of another country.
    """
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86:
        if phonenumbers.is_valid_number(number):
            raise ValidationError("只能填写中国大陆的电话号码。", code="phone_foreign")
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    national = str(number.national_number)
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.FIXED_LINE_OR_MOBILE:
        kind = PhoneNumberType.MOBILE if national.startswith("1") else PhoneNumberType.FIXED_LINE
    if kind == PhoneNumberType.MOBILE:
        return Phone(kind=MOBILE, digits=national)
    if kind == PhoneNumberType.FIXED_LINE:
        area_length = phonenumbers.length_of_geographical_area_code(number)
        if not area_length:
            return None
        return Phone(kind=LANDLINE, digits="0" + national, area_code="0" + national[:area_length])
    if kind in (PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST) and len(national) == 10:
        return Phone(kind=TOLL_FREE, digits=national)
    return None


def parse_phone(value, *, kinds=ALL_KINDS, label="电话号码", allow_extension=True):
    """Check a typed phone number; return a `Phone` or raise ValidationError (Chinese message).

    `kinds` are the kinds this field accepts (MOBILE, LANDLINE, TOLL_FREE, SERVICE);
    `allow_extension` whether a landline may carry an extension.
    """
    kinds = frozenset(kinds)
    text = unicodedata.normalize("NFKC", _text(value)).translate(_INVISIBLE).translate(_DASHES).strip()
    if not text:
        raise ValidationError("请填写%(label)s。", code="required", params={"label": label})
    if len(text) > _MAX_INPUT:
        raise ValidationError("%(label)s太长，请只填写一个号码。", code="phone_too_long", params={"label": label})

    extension = ""
    match = _EXTENSION.match(text)
    if match:
        text, extension = match["main"], match["ext"]
        if len(extension) > MAX_EXTENSION_DIGITS:
            raise ValidationError("分机号最多%(n)d位。", code="phone_extension", params={"n": MAX_EXTENSION_DIGITS})
    if not _PHONE_CHARS.match(text):
        raise ValidationError(
            "%(label)s只能包含数字、空格、连字符(-)和括号；分机号写在“转”或“-”之后。",
            code="phone_chars",
            params={"label": label},
        )
    digits = re.sub(r"\D", "", text)
    if not digits:
        raise _invalid(label, kinds)

    phone = None
    if "+" not in text:
        phone = _parse_service(digits)
    if phone is None:
        phone = _parse_full(text)
    if phone is None and not extension:
        dashed = _DASH_EXTENSION.match(text)
        if dashed:
            head = _parse_full(dashed["main"])
            if head is not None and head.kind == LANDLINE:
                phone, extension = head, dashed["ext"]
    if phone is None:
        if LANDLINE in kinds and len(digits) in (7, 8) and digits[0] in "2345678":
            raise ValidationError(
                "固定电话请加区号，如 0851-85550101。", code="phone_area_code", params={"label": label}
            )
        if MOBILE in kinds and len(digits) == 11 and digits.startswith("1"):
            raise ValidationError(
                "手机号码无效：应为11位，以13至19开头。", code="mobile_invalid", params={"label": label}
            )
        raise _invalid(label, kinds)
    if phone.kind not in kinds:
        raise _wrong_kind(label, phone.kind, kinds)
    if extension:
        if phone.kind != LANDLINE:
            raise ValidationError("只有固定电话可以带分机号。", code="phone_extension")
        if not allow_extension:
            raise ValidationError(
                "%(label)s不能带分机号，请填写直拨号码。", code="phone_extension", params={"label": label}
            )
        phone = dataclasses.replace(phone, extension=extension)
    return phone


def normalize_phone(value, *, kinds=ALL_KINDS, label="电话号码", required=True, allow_extension=True):
    """The canonical display form of a typed phone number; "" for a blank optional one."""
    if not required and not _has_text(value):
        return ""
    return parse_phone(value, kinds=kinds, label=label, allow_extension=allow_extension).display


@functools.lru_cache(maxsize=16384)  # the compliance page re-checks every market; ~0.1 ms a parse
def _valid_display(value, kinds):
    try:
        return parse_phone(value, kinds=kinds).display
    except ValidationError:
        return ""


def valid_phone_or_blank(value, *, kinds=ALL_KINDS):
    """The display form of a stored number if it is valid, else "" (standard check, public pages)."""
    if not _has_text(value):
        return ""
    return _valid_display(_text(value), frozenset(kinds))


def _has_text(value):
    """True if anything but whitespace and invisible characters was typed."""
    return bool(unicodedata.normalize("NFKC", _text(value)).translate(_INVISIBLE).strip())


# ------------------------------------------------------------------ names

MIDDLE_DOT = "·"
# Look-alike dots typed in minority and foreign names, folded into U+00B7.
_DOTS = dict.fromkeys(map(ord, "•‧・･∙⋅"), MIDDLE_DOT)
# Punctuation that company and unit names use (besides letters, digits and spaces).
ORG_PUNCTUATION = "()（）[]【】《》·-—&.,、'/+"
_KEEP_FULL_WIDTH = re.compile("([（）])")


def _is_cjk(ch):
    return ch == "〇" or unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def _is_latin(ch):
    return unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, "")


def _refuse_unprintable(text, label):
    """Emoji and symbols, then control / zero-width / private characters, with their own messages."""
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        # A combining mark is allowed only on a latin letter (an accent); on anything else
        # it is an emoji's variation selector or a stray mark.
        if category.startswith("S") or (category in ("Mn", "Me") and not (i and _is_latin(text[i - 1]))):
            raise ValidationError(
                "%(label)s不能包含表情符号或特殊符号(如 😀、★)。", code="name_symbol", params={"label": label}
            )
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn") and ch not in "\t\n\r":
            raise ValidationError(
                "%(label)s含有看不见的控制字符或零宽字符，请删除后重新输入。",
                code="name_control",
                params={"label": label},
            )


def _join_words(words, keep_space):
    """Join whitespace-separated words, keeping one space only where `keep_space(left, right)`."""
    out = words[0]
    for word in words[1:]:
        out += (" " if keep_space(out[-1], word[0]) else "") + word
    return out


def validate_person_name(value, *, label="姓名", required=True):
    """Check and normalise a person's name; return it (or "" if blank and not required)."""
    text = unicodedata.normalize("NFKC", _text(value)).translate(_DOTS)
    _refuse_unprintable(text, label)
    words = text.split()
    if not words:
        if required:
            raise ValidationError("请填写%(label)s。", code="required", params={"label": label})
        return ""
    name = _join_words(words, lambda left, right: _is_latin(left) and _is_latin(right))
    name = re.sub(r"\s*·\s*", MIDDLE_DOT, name)
    # A full stop between Chinese characters is a mistyped middle dot.
    name = "".join(
        MIDDLE_DOT if ch == "." and 0 < i < len(name) - 1 and _is_cjk(name[i - 1]) and _is_cjk(name[i + 1]) else ch
        for i, ch in enumerate(name)
    )
    for i, ch in enumerate(name):
        if _is_cjk(ch) or _is_latin(ch) or ch in (MIDDLE_DOT, " "):
            continue
        if unicodedata.category(ch) in ("Mn", "Me"):  # a combining accent on a latin letter
            continue
        if ch in "-'’" and 0 < i < len(name) - 1 and _is_latin(name[i - 1]) and _is_latin(name[i + 1]):
            continue
        if ch.isdigit():
            raise ValidationError("%(label)s不能包含数字。", code="name_digit", params={"label": label})
        raise ValidationError(
            "%(label)s只能包含汉字、英文字母和间隔号“·”(如 阿卜杜拉·买买提)。",
            code="name_chars",
            params={"label": label},
        )
    if name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in name:
        raise ValidationError(
            "间隔号“·”只能写在名字中间，如 阿卜杜拉·买买提。", code="name_dot", params={"label": label}
        )
    return name


def validate_org_name(value, *, label="名称", required=True):
    """Check and normalise an organisation's name (企业、单位, or a person's name for 个人用工)."""
    parts = _KEEP_FULL_WIDTH.split(_text(value))
    text = "".join(p if _KEEP_FULL_WIDTH.fullmatch(p) else unicodedata.normalize("NFKC", p) for p in parts)
    text = text.translate(_DOTS)
    _refuse_unprintable(text, label)
    words = text.split()
    if not words:
        if required:
            raise ValidationError("请填写%(label)s。", code="required", params={"label": label})
        return ""
    name = _join_words(words, lambda left, right: not (_is_cjk(left) and _is_cjk(right)))
    has_letter = False
    for ch in name:
        if _is_cjk(ch) or _is_latin(ch):
            has_letter = True
        elif not (ch.isascii() and ch.isdigit()) and ch != " " and ch not in ORG_PUNCTUATION:
            if unicodedata.category(ch) in ("Mn", "Me"):
                continue
            raise ValidationError(
                "%(label)s含有不允许的字符“%(char)s”：只能包含汉字、英文字母、数字和括号、“·”“-”“&”等常用标点。",
                code="org_chars",
                params={"label": label, "char": ch},
            )
    if not has_letter:
        raise ValidationError("%(label)s须包含汉字或英文字母。", code="org_no_letter", params={"label": label})
    return name
