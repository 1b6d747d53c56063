"""Subsidy grants (惠民惠农政策直达): who receives which programme, how much and when."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from citybrain.seed.identity import REFERENCE_DATE

if TYPE_CHECKING:
    import random

__all__ = ["PROGRAMMES", "grants_for"]

PROGRAMMES = (
    "高龄津贴",
    "城乡居民基础养老金",
    "最低生活保障金",
    "特困人员救助供养金",
    "残疾人两项补贴",
    "耕地地力保护补贴",
    "农机购置补贴",
    "临时救助金",
    "优抚对象抚恤补助",
    "一次性创业补贴",
)

Grant = tuple[str, int, dt.date]


def _monthly(rng: random.Random, programme: str, amount: int, most: int) -> list[Grant]:
    """The last 1..``most`` monthly payments, on the 10th of each month."""
    grants = []
    for back in range(1, rng.randint(1, most) + 1):
        month = REFERENCE_DATE.month - back
        year = REFERENCE_DATE.year + (month - 1) // 12
        grants.append((programme, amount, dt.date(year, (month - 1) % 12 + 1, 10)))
    return grants


def _once(rng: random.Random, programme: str, amount: int, days: int = 720) -> Grant:
    return programme, amount, REFERENCE_DATE - dt.timedelta(days=rng.randint(1, days))


def grants_for(rng: random.Random, age: int, *, village: bool) -> list[Grant]:
    """The grants one person received; most people receive none."""
    grants: list[Grant] = []
    if age >= 80:
        grants += _monthly(rng, "高龄津贴", 100 if age < 90 else 200 if age < 100 else 500, 3)
    if age >= 60 and village and rng.random() < 0.6:
        grants += _monthly(rng, "城乡居民基础养老金", 307, 2)
    draw = rng.random()
    if draw < 0.012:
        grants += _monthly(rng, "最低生活保障金", rng.choice((1110, 1110, 1220, 1350)), 3)
    elif draw < 0.027:
        grants += _monthly(rng, "残疾人两项补贴", rng.choice((110, 220, 330)), 2)
    elif draw < 0.029 and age >= 60:
        grants += _monthly(rng, "特困人员救助供养金", 1700, 2)
    elif draw < 0.032:
        grants.append(_once(rng, "临时救助金", rng.randrange(500, 3001, 100)))
    elif draw < 0.036 and age >= 40:
        grants.append(_once(rng, "优抚对象抚恤补助", rng.randrange(1500, 4001, 50)))
    elif draw < 0.038 and 20 <= age <= 45:
        grants.append(_once(rng, "一次性创业补贴", rng.choice((5000, 8000, 10000))))
    if village and 25 <= age <= 75:
        if rng.random() < 0.25:
            acres = rng.randint(3, 30)
            grants.append(("耕地地力保护补贴", acres * 95, dt.date(REFERENCE_DATE.year, 6, 20)))
        if rng.random() < 0.01:
            grants.append(_once(rng, "农机购置补贴", rng.randrange(3000, 30001, 500)))
    return grants
