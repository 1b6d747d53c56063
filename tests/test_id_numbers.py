"""GB 11643 resident ID numbers: what is accepted and what each rule refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from citybrain.id_numbers import InvalidIdNumber, check_digit, validate_id_number

# The standard's own example, and a Tianjin number built with the check digit.
VALID = ["11010519491231002X", "120101" + "19900307" + "123" + check_digit("12010119900307123")]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass(number: str) -> None:
    assert validate_id_number(number) == number


def test_lower_case_x_is_normalised() -> None:
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("position", range(17))
def test_every_single_digit_change_is_caught(position: int) -> None:
    number = VALID[1]
    changed = 0
    for digit in "0123456789":
        if digit == number[position]:
            continue
        candidate = number[:position] + digit + number[position + 1 :]
        with pytest.raises(InvalidIdNumber):
            validate_id_number(candidate)
        changed += 1
    assert changed == 9


@pytest.mark.parametrize("position", range(16))
def test_adjacent_swaps_are_caught(position: int) -> None:
    first17 = "120103" + "19850716" + "294"  # no two equal neighbours
    number = first17 + check_digit(first17)
    assert validate_id_number(number) == number
    if number[position] == number[position + 1]:
        pytest.fail("choose a test number without equal neighbours")
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    with pytest.raises(InvalidIdNumber):
        validate_id_number(swapped)


@pytest.mark.parametrize(
    ("birth", "reason"),
    [("19900230", "real birth date"), ("19901301", "real birth date"), ("18800101", "range")],
)
def test_bad_dates_are_refused(birth: str, reason: str) -> None:
    first17 = "120101" + birth + "123"
    with pytest.raises(InvalidIdNumber, match=reason):
        validate_id_number(first17 + check_digit(first17))


def test_future_birth_date_is_refused() -> None:
    first17 = "120101" + "20300101" + "123"
    with pytest.raises(InvalidIdNumber, match="range"):
        validate_id_number(first17 + check_digit(first17), today=dt.date(2026, 11, 1))


@pytest.mark.parametrize("region", ["000101", "990101", "200101"])
def test_unknown_regions_are_refused(region: str) -> None:
    first17 = region + "19900307" + "123"
    with pytest.raises(InvalidIdNumber, match="region"):
        validate_id_number(first17 + check_digit(first17))


@pytest.mark.parametrize(
    "number",
    [
        "",
        "12010119900307123",
        "1201011990030712345",
        "12010119900307123Y",
        "１２０１０１１９９００３０７１２３Ｘ",  # noqa: RUF001 - full-width digits are the point
    ],
)
def test_malformed_numbers_are_refused(number: str) -> None:
    with pytest.raises(InvalidIdNumber):
        validate_id_number(number)


def test_error_messages_never_quote_the_number() -> None:
    number = VALID[1][:-1] + ("0" if VALID[1][-1] != "0" else "1")
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(number)
    assert number not in str(caught.value)
