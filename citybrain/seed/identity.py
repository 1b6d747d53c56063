"""Who a synthetic person is: GB 11643 ID number, birth date, name and phone number."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from citybrain.seed.scales import REFERENCE_TIME
from citybrain.seed.vocabulary import (
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    GIVEN_SINGLE_CHARS,
    PHONE_PREFIXES,
    SURNAME_CUM_WEIGHTS,
    SURNAMES,
    birth_year_weights,
)

if TYPE_CHECKING:
    import random

__all__ = ["REFERENCE_DATE", "IdentityMaker", "age_of", "birth_date_of", "is_male"]

REFERENCE_DATE = REFERENCE_TIME.date()
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Weighted sums of the three sequence digits, for every sequence number.
_SEQUENCE_SUMS = tuple(
    sum(int(c) * w for c, w in zip(f"{n:03d}", _WEIGHTS[14:], strict=True)) for n in range(1000)
)


def _weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True))


def birth_date_of(id_number: str) -> dt.date:
    """The birth date held in an ID number."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def age_of(id_number: str) -> int:
    """Age in whole years on the reference date, read from the ID number."""
    year, month_day = int(id_number[6:10]), id_number[10:14]
    return REFERENCE_DATE.year - year - (month_day > f"{REFERENCE_DATE:%m%d}")


def is_male(id_number: str) -> bool:
    """An odd 17th digit means male (GB 11643)."""
    return int(id_number[16]) % 2 == 1


class IdentityMaker:
    """Makes unique ID numbers and plausible names, birth dates and phone numbers.

    The weighted sums of area codes and birth dates are cached: the check character of a
    new number costs three look-ups instead of seventeen multiplications.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        self._area_sums: dict[str, int] = {}
        self._date_sums: dict[str, int] = {}
        self._resident_years = birth_year_weights(migrant=False)
        self._migrant_years = birth_year_weights(migrant=True)

    def reserve(self, id_number: str) -> None:
        """Keep a number made elsewhere (the demo resident's) from being drawn again."""
        self.taken.add(id_number)

    def id_number(self, area: str, born: dt.date, *, male: bool) -> str:
        """A new, unique, valid ID number for someone born in ``area`` on ``born``."""
        area_sum = self._area_sums.get(area)
        if area_sum is None:
            area_sum = self._area_sums[area] = _weighted_sum(area, _WEIGHTS[:6])
        date = f"{born.year:04d}{born.month:02d}{born.day:02d}"
        date_sum = self._date_sums.get(date)
        if date_sum is None:
            date_sum = self._date_sums[date] = _weighted_sum(date, _WEIGHTS[6:14])
        while True:
            sequence = self.rng.randrange(500) * 2 + male
            check = _CHECK_CHARS[(area_sum + date_sum + _SEQUENCE_SUMS[sequence]) % 11]
            number = f"{area}{date}{sequence:03d}{check}"
            if number not in self.taken:
                self.taken.add(number)
                return number

    def birth_date(self, *, migrant: bool = False, adult: bool = False) -> dt.date:
        """A birth date in 1930-2020 following the city's (or migrants') age pyramid."""
        years, cum_weights = self._migrant_years if migrant else self._resident_years
        latest = REFERENCE_DATE.year - 19 if adult else years[-1]
        year = latest + 1
        while year > latest:
            year = self.rng.choices(years, cum_weights=cum_weights)[0]
        return dt.date.fromordinal(dt.date(year, 1, 1).toordinal() + self.rng.randrange(365))

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]

    def name(self, *, male: bool, surname: str | None = None) -> str:
        """A Chinese name: surname and a one- or two-character given name."""
        rng = self.rng
        given = rng.choice(GIVEN_NAMES_MALE if male else GIVEN_NAMES_FEMALE)
        if len(given) == 1 and rng.random() < 0.6:
            given += rng.choice(GIVEN_SINGLE_CHARS)
        return f"{surname or self.surname()}{given}"

    def phone(self) -> str:
        return f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(100_000_000):08d}"
