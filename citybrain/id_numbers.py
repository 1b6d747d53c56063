"""Resident ID numbers (居民身份证号码) under GB 11643-1999: validation and construction."""

from __future__ import annotations

import datetime as dt

__all__ = ["InvalidIdNumber", "check_digit", "is_valid_id_number", "validate_id_number"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Province-level prefixes of GB/T 2260 area codes (first two digits).
_PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip
_EARLIEST_BIRTH = dt.date(1890, 1, 1)


class InvalidIdNumber(ValueError):
    """An ID number that fails GB 11643; the message says which rule, never the number."""


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character (``0``-``9`` or ``X``) for 17 leading digits.

    Args:
        first17: the area code, birth date and sequence number, 17 digits.

    Example:
        >>> check_digit("11010519491231002")
        'X'
    """
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised ID number (upper-case ``X``) or raise :class:`InvalidIdNumber`.

    Checks length and characters, a known province code, a real birth date that is neither
    in the future nor before 1890, and the check character.

    Args:
        value: the ID number as given by a client.
        today: the date to compare the birth date with (defaults to today).
    """
    if len(value) != 18:
        raise InvalidIdNumber("an ID number has 18 characters")
    normalised = value[:17] + value[17].upper()
    if not normalised[:17].isascii() or not normalised[:17].isdigit():
        raise InvalidIdNumber("the first 17 characters of an ID number are digits")
    if normalised[17] not in _CHECK_CHARS:
        raise InvalidIdNumber("the last character of an ID number is a digit or X")
    if normalised[:2] not in _PROVINCES:
        raise InvalidIdNumber("the ID number does not start with a known region code")
    try:
        born = dt.date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        raise InvalidIdNumber("the ID number does not hold a real birth date") from None
    if born < _EARLIEST_BIRTH or born > (today or dt.date.today()):
        raise InvalidIdNumber("the ID number's birth date is out of range")
    if check_digit(normalised[:17]) != normalised[17]:
        raise InvalidIdNumber("the ID number's check character does not match")
    return normalised


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` is a valid GB 11643 ID number."""
    try:
        validate_id_number(value)
    except InvalidIdNumber:
        return False
    return True
