"""How big a seeded city is: the scales, and the split of Tianjin's totals over districts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from citybrain.regions import TIANJIN_DISTRICTS

__all__ = [
    "CITY_TOTALS",
    "REFERENCE_TIME",
    "SCALES",
    "DistrictShape",
    "Scale",
    "city_shape",
    "distribute",
]

# Every date is relative to this moment, never to the clock: the same seed gives the same rows.
REFERENCE_TIME = dt.datetime(2026, 11, 1, 0, 0, 0)

# Tianjin's streets/townships, communities/villages and grids (津治通).
CITY_TOTALS = (281, 6127, 20795)

# Resident population of each district, 2020 census (ten thousands): bigger districts get
# more streets, communities and grids.
_POPULATION = {
    "120101": 35.5, "120102": 85.9, "120103": 82.2, "120104": 89.0, "120105": 64.8,
    "120106": 48.3, "120110": 85.7, "120111": 118.2, "120112": 92.9, "120113": 90.9,
    "120114": 115.1, "120115": 72.2, "120116": 206.7, "120117": 39.5, "120118": 78.7,
    "120119": 79.6,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scale:
    """The size of a seeded city.

    Args:
        name: ``small`` or ``city``.
        per_district: streets per district, communities per street and grids per community
            when every level is uniform, or None for Tianjin's real totals.
        persons_per_grid: mean residents of a grid.
        demo_grid_persons: residents of the demo grid.
        events: grid events reported in the last two years.
        workers: grid workers (网格员) over the whole city.
        places_per_grid: mean place codes (场所码) issued in a grid.
    """

    name: str
    per_district: tuple[int, int, int] | None
    persons_per_grid: int
    demo_grid_persons: int
    events: int
    workers: int
    places_per_grid: int


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small",
        per_district=(2, 2, 2),
        persons_per_grid=60,
        demo_grid_persons=1100,
        events=3000,
        workers=222,
        places_per_grid=4,
    ),
    "city": Scale(
        name="city",
        per_district=None,
        persons_per_grid=100,
        demo_grid_persons=1100,
        events=1_000_000,
        workers=36_000,
        places_per_grid=4,
    ),
}


@dataclass(frozen=True, slots=True)
class DistrictShape:
    """How many streets, communities and grids one district has."""

    code: str
    name: str
    streets: int
    communities: int
    grids: int


def distribute(total: int, weights: list[float], *, minimum: int = 1) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, each >= ``minimum``.

    Largest-remainder rounding: the parts always sum to ``total`` exactly.

    Example:
        >>> distribute(10, [1.0, 1.0, 2.0])
        [3, 2, 5]
    """
    if total < minimum * len(weights):
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} out of {total}")
    spare = total - minimum * len(weights)
    whole = sum(weights)
    exact = [spare * w / whole for w in weights]
    parts = [int(x) for x in exact]
    short = spare - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[:short]:
        parts[i] += 1
    return [p + minimum for p in parts]


def city_shape() -> list[DistrictShape]:
    """Tianjin's 281 streets, 6,127 communities and 20,795 grids split over its 16 districts."""
    weights = [_POPULATION[code] for code, _ in TIANJIN_DISTRICTS]
    levels = [distribute(total, weights) for total in CITY_TOTALS]
    return [
        DistrictShape(code, name, streets, communities, grids)
        for (code, name), streets, communities, grids in zip(
            TIANJIN_DISTRICTS, *levels, strict=True
        )
    ]
