import datetime

import pytest
from django.core.exceptions import ValidationError

from registry.validators import (
    build_credit_code,
    build_id_number,
    normalize_credit_code,
    normalize_mobile,
    normalize_phone,
    parse_id_number,
)

# The GB 11643 example number: its check character is X.
VALID_ID = "11010519491231002X"


def test_it_accepts_a_valid_id_number_and_derives_birth_date_and_gender():
    parsed = parse_id_number(VALID_ID)
    assert parsed.value == VALID_ID
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.gender == "F"
    assert parsed.last4 == "002X"


def test_odd_sequence_digit_means_male():
    assert parse_id_number(build_id_number("520102", datetime.date(1990, 5, 1), 123)).gender == "M"


def test_it_rejects_a_bad_check_digit():
    with pytest.raises(ValidationError) as exc:
        parse_id_number("110105194912310021")
    assert "校验位" in exc.value.messages[0]


def test_it_rejects_an_impossible_birth_date():
    first17 = "52010219900230123"  # 30 February
    with pytest.raises(ValidationError) as exc:
        parse_id_number(first17 + "0")
    assert "出生日期" in exc.value.messages[0]


def test_it_rejects_a_future_birth_date():
    future = datetime.date.today() + datetime.timedelta(days=400)
    with pytest.raises(ValidationError) as exc:
        parse_id_number(build_id_number("520102", future, 1))
    assert "出生日期" in exc.value.messages[0]


def test_it_rejects_a_15_digit_number_with_a_clear_message():
    with pytest.raises(ValidationError) as exc:
        parse_id_number("110105491231002")
    assert "15位" in exc.value.messages[0]
    assert "18位" in exc.value.messages[0]


def test_it_normalises_full_width_digits_and_spaces():
    full_width = "１１０１０５ １９４９１２３１ ００２Ｘ"
    assert parse_id_number(full_width).value == VALID_ID


def test_it_normalises_lower_case_x():
    assert parse_id_number("11010519491231002x").value == VALID_ID


@pytest.mark.parametrize("raw", ["", "abc", "1101051949123100", "A1010519491231002X"])
def test_it_rejects_malformed_id_numbers(raw):
    with pytest.raises(ValidationError):
        parse_id_number(raw)


def test_it_accepts_a_valid_credit_code():
    assert normalize_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_it_normalises_a_lower_case_full_width_credit_code():
    assert normalize_credit_code("９１３５０１００m０００１００y４３") == "91350100M000100Y43"


def test_it_rejects_a_credit_code_with_a_bad_check_character():
    with pytest.raises(ValidationError) as exc:
        normalize_credit_code("91350100M000100Y44")
    assert "校验位" in exc.value.messages[0]


@pytest.mark.parametrize("raw", ["91350100M000100Y4", "91350100M00O100Y43", "913501ZZM000100Y43"])
def test_it_rejects_malformed_credit_codes(raw):
    with pytest.raises(ValidationError):
        normalize_credit_code(raw)


def test_generated_credit_codes_are_valid():
    for serial in range(50):
        code = build_credit_code("520102", serial)
        assert normalize_credit_code(code) == code


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138 1234 5678", "138-1234-5678", "+8613812345678", "１３８１２３４５６７８"]
)
def test_it_normalises_mobiles(raw):
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["", "12345", "1381234567", "23812345678", "+1 202 555 0143", "0851-85550101"])
def test_it_rejects_bad_mobiles(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)


def test_contact_phone_accepts_a_fixed_line_with_area_code():
    assert normalize_phone("0851-85550101") == "085185550101"
