"""Deterministic synthetic data shaped like Tianjin, for every department's database.

``seed_city(settings, scale="small" | "city", seed=N)`` drops and refills the tables of the
four departments (civil affairs, health, transport, grid) through SQLAlchemy Core. The
demo resident ``DEMO_ID_NUMBER`` lives in grid ``DEMO_GRID_CODE`` and has records in all
four departments, whatever the seed.
"""

from __future__ import annotations

from citybrain.seed.city import SeedReport, seed_city
from citybrain.seed.demo import DEMO_GRID_CODE, DEMO_ID_NUMBER
from citybrain.seed.scales import (
    CITY_TOTALS,
    REFERENCE_TIME,
    SCALES,
    DistrictShape,
    Scale,
    city_shape,
    distribute,
)

__all__ = [
    "CITY_TOTALS",
    "DEMO_GRID_CODE",
    "DEMO_ID_NUMBER",
    "REFERENCE_TIME",
    "SCALES",
    "DistrictShape",
    "Scale",
    "SeedReport",
    "city_shape",
    "distribute",
    "seed_city",
]
