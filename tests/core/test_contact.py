"""Phone numbers and names as China writes them (gigmarket/core/contact.py)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gigmarket.core import contact
from gigmarket.core.contact import (
    ALL_KINDS,
    DIRECT_KINDS,
    LANDLINE,
    MOBILE,
    PERSONAL_KINDS,
    SERVICE,
    TOLL_FREE,
    normalize_phone,
    parse_phone,
    valid_phone_or_blank,
    validate_org_name,
    validate_person_name,
)


def message(exc_info):
    return " ".join(exc_info.value.messages)


# ------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("typed", "shown", "kind"),
    [
        ("13800138000", "13800138000", MOBILE),
        ("138 0013 8000", "13800138000", MOBILE),
        ("138-0013-8000", "13800138000", MOBILE),
        ("+86 138 0013 8000", "13800138000", MOBILE),
        ("008613800138000", "13800138000", MOBILE),
        ("１３８００１３８０００", "13800138000", MOBILE),
        ("19912345678", "19912345678", MOBILE),
        ("0851-85550101", "0851-85550101", LANDLINE),
        ("085185550101", "0851-85550101", LANDLINE),
        ("(0851)85550101", "0851-85550101", LANDLINE),
        ("（０８５１）８５５５０１０１", "0851-85550101", LANDLINE),
        ("０８５１－８５５５０１０１", "0851-85550101", LANDLINE),
        ("0851 8555 0101", "0851-85550101", LANDLINE),
        ("0851—85550101", "0851-85550101", LANDLINE),
        ("0851-8555-0101", "0851-85550101", LANDLINE),
        ("0855-8220404", "0855-8220404", LANDLINE),
        ("010-12345678", "010-12345678", LANDLINE),
        ("021 6123 4567", "021-61234567", LANDLINE),
        ("0851-85550101-123", "0851-85550101-123", LANDLINE),
        ("0851-85550101转123", "0851-85550101-123", LANDLINE),
        ("0851 85550101 分机 8", "0851-85550101-8", LANDLINE),
        ("0851-85550101 ext. 55", "0851-85550101-55", LANDLINE),
        ("0851-85550101#123", "0851-85550101-123", LANDLINE),
        ("4001234567", "400-123-4567", TOLL_FREE),
        ("400-123-4567", "400-123-4567", TOLL_FREE),
        ("800-820-8820", "800-820-8820", TOLL_FREE),
        ("12333", "12333", SERVICE),
        ("12345", "12345", SERVICE),
        ("１２３３３", "12333", SERVICE),
        ("95588", "95588", SERVICE),
        ("\u200b13800138000\ufeff", "13800138000", MOBILE),
    ],
)
def test_numbers_as_china_writes_them_are_stored_in_one_display_form(typed, shown, kind):
    phone = parse_phone(typed)
    assert phone.kind == kind
    assert phone.display == shown
    assert normalize_phone(typed) == shown
    assert normalize_phone(shown) == shown  # the stored form reads back as itself


def test_landline_digits_keep_the_trunk_zero_and_the_area_code():
    phone = parse_phone("(0851)85550101-88")
    assert (phone.digits, phone.area_code, phone.extension) == ("085185550101", "0851", "88")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("１２３", "无效"),
        ("123", "无效"),
        ("abc", "只能包含数字"),
        ("400-ABC-DEFG", "只能包含数字"),  # phonenumbers would read letters as keypad digits
        ("85550101", "请加区号"),
        ("12345678901", "以13至19开头"),
        ("1380013800", "无效"),
        ("110", "无效"),  # emergency numbers are not a market's hotline
        ("10086", "无效"),  # nor a carrier's service number
        ("+1 202 555 0100", "中国大陆"),
        ("+852 2345 6789", "中国大陆"),
        ("0851-85550101转1234567", "分机号最多6位"),
        ("13800138000转12", "只有固定电话可以带分机号"),
        ("13800138000 13900139000", "无效"),
        ("王敏", "只能包含数字"),
        ("0851-85550101😀", "只能包含数字"),
        ("0851\x0085550101", "只能包含数字"),
        ("1" * 80, "太长"),
        ("", "请填写"),
        ("   \u3000", "请填写"),
    ],
)
def test_garbage_is_refused_with_a_chinese_message(typed, says):
    with pytest.raises(ValidationError) as exc:
        parse_phone(typed, label="联系电话")
    assert says in message(exc)


def test_the_message_names_the_field_and_what_it_accepts():
    with pytest.raises(ValidationError) as exc:
        parse_phone("１２３", kinds=DIRECT_KINDS, label="联系电话")
    assert message(exc) == "联系电话无效，请填写11位手机号码、带区号的固定电话(如 0851-85550101)、400/800 电话。"


def test_a_field_refuses_kinds_it_does_not_take():
    with pytest.raises(ValidationError) as exc:
        parse_phone("12333", kinds=DIRECT_KINDS, label="联系电话")
    assert "联系电话不能填写服务号码" in message(exc)
    with pytest.raises(ValidationError) as exc:
        parse_phone("0851-85550101", kinds={MOBILE}, label="手机号码")
    assert "手机号码不能填写固定电话" in message(exc)
    with pytest.raises(ValidationError) as exc:
        parse_phone("400-123-4567", kinds=PERSONAL_KINDS, label="紧急联系人电话")
    assert "不能填写400/800 电话" in message(exc)


def test_an_extension_can_be_refused_where_only_a_direct_line_fits():
    with pytest.raises(ValidationError) as exc:
        parse_phone("0851-85550101-123", allow_extension=False, label="联系电话")
    assert "不能带分机号" in message(exc)


def test_a_blank_optional_number_is_empty_and_a_blank_required_one_is_refused():
    assert normalize_phone("  ", required=False) == ""
    assert normalize_phone(None, required=False) == ""
    with pytest.raises(ValidationError):
        normalize_phone("  ")


def test_spreadsheet_numbers_are_read_as_digits():
    assert normalize_phone(13800138000.0) == "13800138000"
    assert normalize_phone(12333) == "12333"


def test_a_stored_value_counts_only_if_it_is_a_valid_number():
    assert valid_phone_or_blank("１２３") == ""
    assert valid_phone_or_blank("abc") == ""
    assert valid_phone_or_blank("") == ""
    assert valid_phone_or_blank("085185550101") == "0851-85550101"
    assert valid_phone_or_blank("12333", kinds=DIRECT_KINDS) == ""
    assert valid_phone_or_blank("12333", kinds=ALL_KINDS) == "12333"


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王敏", "王敏"),
        (" 王 敏 ", "王敏"),
        ("王\u3000敏", "王敏"),
        ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉・买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉 · 买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉.买买提", "阿卜杜拉·买买提"),
        ("Mary  Jane Smith", "Mary Jane Smith"),
        ("Ｍａｒｙ", "Mary"),
        ("Jean-Pierre O'Brien", "Jean-Pierre O'Brien"),
        ("José", "José"),
        ("李〇", "李〇"),
        ("𠇔华", "𠇔华"),
        ("王Li", "王Li"),
    ],
)
def test_person_names_are_accepted_and_tidied(typed, stored):
    assert validate_person_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("王敏😀", "表情符号"),
        ("王敏★", "表情符号"),
        ("👷\u200d♀️", "表情符号"),
        ("王敏\u200b", "零宽字符"),
        ("王\x00敏", "控制字符"),
        ("王\u202e敏", "控制字符"),
        ("王敏1", "数字"),
        ("王#敏", "只能包含汉字、英文字母和间隔号"),
        ("王-敏", "只能包含汉字、英文字母和间隔号"),
        ("Иван", "只能包含汉字、英文字母和间隔号"),
        ("·王敏", "间隔号"),
        ("王敏·", "间隔号"),
        ("阿卜杜拉··买买提", "间隔号"),
        ("", "请填写姓名"),
        ("   ", "请填写姓名"),
    ],
)
def test_person_names_with_emoji_symbols_or_invisible_characters_are_refused(typed, says):
    with pytest.raises(ValidationError) as exc:
        validate_person_name(typed)
    assert says in message(exc)


def test_the_name_message_names_the_field():
    with pytest.raises(ValidationError) as exc:
        validate_person_name("王敏😀", label="联系人")
    assert message(exc) == "联系人不能包含表情符号或特殊符号(如 😀、★)。"
    assert validate_person_name("", label="联系人", required=False) == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("贵州某某劳务有限公司（第一分公司）", "贵州某某劳务有限公司（第一分公司）"),
        ("贵州 某某 公司", "贵州某某公司"),
        ("ABC (China) Co., Ltd.", "ABC (China) Co., Ltd."),
        ("Ａ＆Ｂ建筑", "A&B建筑"),
        ("南明区人力资源和社会保障局", "南明区人力资源和社会保障局"),
        ("贵阳市第3建筑公司", "贵阳市第3建筑公司"),
        ("王敏", "王敏"),  # 家庭/个人用工: a person's name is an organisation name too
    ],
)
def test_organisation_names_are_accepted_and_tidied(typed, stored):
    assert validate_org_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("某某公司😀", "表情符号"),
        ("某某公司\u200d", "零宽字符"),
        ("某某@公司", "“@”"),
        ("12345", "须包含汉字或英文字母"),
        ("", "请填写"),
    ],
)
def test_organisation_names_with_garbage_are_refused(typed, says):
    with pytest.raises(ValidationError) as exc:
        validate_org_name(typed, label="名称/姓名")
    assert says in message(exc)


# ------------------------------------------------------------------ nothing but ValidationError

HOSTILE = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789+-()#转分机ext. （）－０１２３４５６７８９\u3000\u200b", max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x3F), max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=10),
    st.builds(lambda a, b: a + b, st.sampled_from(["0851-", "+86", "400", "138", "12", "95"]), st.text(max_size=20)),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)
KINDS = st.sets(st.sampled_from(sorted(ALL_KINDS)), min_size=1)


@settings(max_examples=600, deadline=None)
@given(value=HOSTILE, kinds=KINDS, allow_extension=st.booleans())
def test_phone_parsing_raises_nothing_but_validation_error_and_its_output_is_stable(value, kinds, allow_extension):
    try:
        shown = normalize_phone(value, kinds=kinds, allow_extension=allow_extension)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)
        return
    assert shown.isascii() and set(shown) <= set("0123456789-")
    assert len(shown) <= 20  # fits every phone column the portal stores it in
    assert normalize_phone(shown, kinds=kinds, allow_extension=allow_extension) == shown
    assert valid_phone_or_blank(value, kinds=kinds) == shown


@settings(max_examples=600, deadline=None)
@given(value=HOSTILE, validator=st.sampled_from([validate_person_name, validate_org_name]))
def test_name_checks_raise_nothing_but_validation_error_and_pass_only_clean_text(value, validator):
    import unicodedata

    try:
        name = validator(value, required=False)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)
        return
    assert name == name.strip()
    assert "  " not in name
    for ch in name:
        assert not unicodedata.category(ch).startswith(("C", "S")), repr(ch)
    assert validator(name, required=False) == name


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["13", "15", "17", "18", "19"]),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
    spacing=st.sampled_from(["", " ", "-", "\u3000"]),
    full_width=st.booleans(),
)
def test_every_well_formed_mobile_is_read_the_same_however_it_is_typed(prefix, rest, spacing, full_width):
    number = prefix + rest
    typed = spacing.join([number[:3], number[3:7], number[7:]])
    if full_width:
        typed = typed.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    try:
        phone = parse_phone(typed, kinds={MOBILE})
    except ValidationError:
        # Only prefixes the numbering plan has not given out yet may be refused.
        assert not contact.valid_phone_or_blank(number, kinds={MOBILE})
        return
    assert phone.digits == number
