"""``seed_city``: generate a synthetic Tianjin and load it into every department's database."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from citybrain.connectors.civil_affairs import tables as civil_affairs_tables
from citybrain.connectors.grid import tables as grid_tables
from citybrain.connectors.health import tables as health_tables
from citybrain.connectors.transport import tables as transport_tables
from citybrain.seed.events import generate_grid
from citybrain.seed.health import generate_health
from citybrain.seed.hierarchy import build_hierarchy
from citybrain.seed.loader import DepartmentLoader
from citybrain.seed.people import Population, generate_people
from citybrain.seed.progress import PhaseProgress
from citybrain.seed.scales import SCALES
from citybrain.seed.transport import generate_transport

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import MetaData

    from citybrain.seed.batches import Batch
    from citybrain.settings import Settings

__all__ = ["SeedReport", "seed_city"]

_METADATA: dict[str, MetaData] = {
    "civil_affairs": civil_affairs_tables.metadata,
    "health": health_tables.metadata,
    "transport": transport_tables.metadata,
    "grid": grid_tables.metadata,
}
_LABELS = {
    "civil_affairs": "民政 civil affairs",
    "health": "卫健 health",
    "transport": "交通 transport",
    "grid": "网格 grid",
}


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What ``seed_city`` wrote.

    Args:
        scale: the scale seeded (``small`` or ``city``).
        seed: the random seed.
        row_counts: rows per table (table names are unique over the departments).
        elapsed_seconds: wall-clock time of the whole run.
        database_bytes: size of each department's SQLite file, None for other databases.
    """

    scale: str
    seed: int
    row_counts: dict[str, int]
    elapsed_seconds: float
    database_bytes: dict[str, int | None]

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


async def seed_city(
    settings: Settings, *, scale: str = "small", seed: int = 0, progress: bool = True
) -> SeedReport:
    """Replace every department's data with a synthetic city shaped like Tianjin.

    Each department's tables are dropped and created again in its own database
    (``settings.department_url``), then filled through SQLAlchemy Core in chunks; indexes
    are built after the rows. The same ``seed`` and ``scale`` always give the same rows.

    Args:
        settings: where the department databases are (SQLite files under ``data_dir`` by
            default; the directory is created if needed).
        scale: ``small`` (128 grids, seconds) or ``city`` (Tianjin's 20,795 grids, about
            2 million residents and 1 million events; minutes).
        seed: the random seed.
        progress: show a progress bar per phase.

    Example:
        >>> report = asyncio.run(seed_city(Settings(data_dir=Path("data"))))  # doctest: +SKIP
        >>> report.row_counts["persons"]  # doctest: +SKIP
        8753
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    started = time.perf_counter()
    shape = SCALES[scale]
    hierarchy = build_hierarchy(shape)
    population = Population()
    generators: dict[str, Callable[[], Iterator[Batch]]] = {
        "civil_affairs": lambda: generate_people(seed, hierarchy, shape, population),
        "health": lambda: generate_health(seed, hierarchy, shape, population),
        "transport": lambda: generate_transport(seed, population),
        "grid": lambda: generate_grid(seed, hierarchy, shape, population),
    }
    row_counts: dict[str, int] = {}
    database_bytes: dict[str, int | None] = {}
    with PhaseProgress(enabled=progress) as bars:
        for department, generate in generators.items():
            totals = {
                "civil_affairs": len(hierarchy.grids),
                "health": len(hierarchy.grids),
                "transport": len(population.drivers) + 1,
                "grid": shape.events,
            }
            loader = DepartmentLoader(settings.department_url(department), _METADATA[department])
            async with loader:
                await loader.load(generate(), bars.phase(_LABELS[department], totals[department]))
                await loader.finish(bars.phase("  indexes", loader.index_count()))
            row_counts.update(loader.row_counts)
            path = loader.sqlite_path
            database_bytes[department] = path.stat().st_size if path and path.exists() else None
    return SeedReport(
        scale=scale,
        seed=seed,
        row_counts=row_counts,
        elapsed_seconds=time.perf_counter() - started,
        database_bytes=database_bytes,
    )
