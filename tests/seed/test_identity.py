"""ID numbers made for synthetic residents are valid GB 11643 numbers, and unique."""

from __future__ import annotations

import datetime as dt
import random

from citybrain.id_numbers import check_digit, validate_id_number
from citybrain.seed import DEMO_ID_NUMBER
from citybrain.seed.identity import REFERENCE_DATE, IdentityMaker, age_of, birth_date_of, is_male


def test_made_numbers_are_valid_unique_and_carry_gender_and_birth_date() -> None:
    maker = IdentityMaker(random.Random(7))
    made = set()
    for i in range(3000):
        male = i % 2 == 0
        born = maker.birth_date(migrant=i % 3 == 0)
        number = maker.id_number("120104" if i % 5 else "130102", born, male=male)
        assert validate_id_number(number, today=REFERENCE_DATE) == number
        assert number[17] == check_digit(number[:17])
        assert is_male(number) is male
        assert birth_date_of(number) == born
        assert dt.date(1930, 1, 1) <= born <= dt.date(2020, 12, 31)
        made.add(number)
    assert len(made) == 3000


def test_numbers_never_repeat_even_for_one_birthday() -> None:
    maker = IdentityMaker(random.Random(0))
    born = dt.date(1990, 3, 7)
    numbers = {maker.id_number("120101", born, male=True) for _ in range(400)}
    assert len(numbers) == 400


def test_the_demo_resident() -> None:
    assert DEMO_ID_NUMBER == "120101199003071235"
    assert validate_id_number(DEMO_ID_NUMBER) == DEMO_ID_NUMBER
    assert is_male(DEMO_ID_NUMBER)
    assert age_of(DEMO_ID_NUMBER) == 36


def test_age_counts_whole_years_at_the_reference_date() -> None:
    first17 = "12010119601101123"
    assert age_of(first17 + check_digit(first17)) == 66  # birthday on the reference date
    first17 = "12010119601102123"
    assert age_of(first17 + check_digit(first17)) == 65
