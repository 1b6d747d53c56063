"""The demo resident: one fixed person with records in all four departments, for any seed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from citybrain.id_numbers import check_digit

if TYPE_CHECKING:
    from citybrain.seed.hierarchy import GridArea

__all__ = [
    "DEMO_GRID_CODE",
    "DEMO_HOUSEHOLD_ID",
    "DEMO_ID_NUMBER",
    "DEMO_LICENCE_NUMBER",
    "DEMO_PLATE",
    "demo_household",
]


def _id_number(first17: str) -> str:
    return first17 + check_digit(first17)


# Born in 和平区 (120101) on 1990-03-07, sequence 123 (odd: male).
DEMO_ID_NUMBER = _id_number("12010119900307123")
# The first grid of 和平区's first street and community.
DEMO_GRID_CODE = "120101001001001"
DEMO_HOUSEHOLD_ID = f"H{DEMO_GRID_CODE}0000"
DEMO_LICENCE_NUMBER = "TJWY202300000001"
DEMO_PLATE = "津AD61990"
_SPOUSE_ID_NUMBER = _id_number("12010319910815124")
_CHILD_ID_NUMBER = _id_number("12010120180520126")


def demo_household(grid: GridArea) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The demo resident, spouse and child, and their household, in the demo grid."""
    address = f"天津市{grid.district_name}{grid.street_name}{grid.community_name}3号楼2单元502室"
    members = [
        (DEMO_ID_NUMBER, "王海川", "MALE", "13802261990"),
        (_SPOUSE_ID_NUMBER, "李静怡", "FEMALE", "15922081991"),
        (_CHILD_ID_NUMBER, "王欣然", "FEMALE", "15922081991"),
    ]
    persons = [
        {
            "id_number": id_number,
            "name": name,
            "gender": gender,
            "birth_date": dt.date(
                int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
            ),
            "phone": phone,
            "address": address,
            "resident_type": "PERMANENT",
            "household_id": DEMO_HOUSEHOLD_ID,
            "home_grid_code": grid.code,
        }
        for id_number, name, gender, phone in members
    ]
    household = {
        "household_id": DEMO_HOUSEHOLD_ID,
        "head_id_number": DEMO_ID_NUMBER,
        "address": address,
        "grid_code": grid.code,
    }
    return persons, household
