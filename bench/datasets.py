"""The seeded cities the benchmarks run on: found, or seeded once and described."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from citybrain.connectors.civil_affairs import tables as civil_tables
from citybrain.connectors.grid import tables as grid_tables
from citybrain.connectors.health import tables as health_tables
from citybrain.connectors.transport import tables as transport_tables
from citybrain.seed import DEMO_GRID_CODE, SeedReport, seed_city
from citybrain.settings import DEPARTMENTS, Settings

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from bench.baseline import Engines

__all__ = [
    "BENCH_DATA",
    "DATA_ENV",
    "REPORT_FILE",
    "Dataset",
    "benchmark_grid",
    "city_dir",
    "dataset_ready",
    "measured_report",
    "prepare",
]

BENCH_DATA = Path(__file__).resolve().parent / "data"
DATA_ENV = "CITYBRAIN_BENCH_DATA"
REPORT_FILE = "seed-report.json"
MIN_RESIDENTS = 100

METADATA: dict[str, MetaData] = {
    "civil_affairs": civil_tables.metadata,
    "health": health_tables.metadata,
    "transport": transport_tables.metadata,
    "grid": grid_tables.metadata,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Dataset:
    """A seeded city: where it is and, when the benchmark seeded it, its seed report."""

    scale: str
    data_dir: Path
    report: SeedReport | None

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir)


def city_dir(option: Path | None) -> tuple[Path, bool]:
    """Where the city is: ``--data-dir``, ``$CITYBRAIN_BENCH_DATA`` or ``bench/data/city``.

    Returns the folder and whether the benchmark may seed it (only its own folder).
    """
    if option is not None:
        return option, False
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]), False
    return BENCH_DATA / "city", True


def dataset_ready(data_dir: Path) -> bool:
    """Every department file has all its tables and indexes and was switched to WAL.

    The seeder builds indexes and switches to WAL last, so a city still being seeded
    (or whose seeding was interrupted) is not ready.
    """
    for department, metadata in METADATA.items():
        path = data_dir / f"{department}.sqlite3"
        if not path.is_file():
            return False
        wanted = {t.name for t in metadata.sorted_tables}
        wanted |= {str(i.name) for t in metadata.sorted_tables for i in t.indexes}
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        except sqlite3.Error:
            return False
        finally:
            conn.close()
        if not wanted <= names or mode != "wal":
            return False
    return True


def _load_report(data_dir: Path) -> SeedReport | None:
    path = data_dir / REPORT_FILE
    if not path.is_file():
        return None
    return SeedReport(**json.loads(path.read_text(encoding="utf-8")))


def _save_report(data_dir: Path, report: SeedReport) -> None:
    text = json.dumps(dataclasses.asdict(report), indent=2, ensure_ascii=False)
    (data_dir / REPORT_FILE).write_text(text + "\n", encoding="utf-8")


async def prepare(
    scale: str, data_dir: Path, *, may_seed: bool, progress: bool = True, seed: int = 0
) -> Dataset:
    """The ready city in ``data_dir``, seeded first (report saved beside it) if allowed.

    Raises:
        SystemExit: the city is missing or incomplete and may not be seeded here.
    """
    if not dataset_ready(data_dir):
        if not may_seed:
            raise SystemExit(
                f"no complete {scale} city in {data_dir} (still being seeded?); "
                f"seed it with `citybrain seed --scale {scale}` or drop --data-dir/{DATA_ENV}"
            )
        if progress:
            print(f"seeding the {scale}-scale data set into {data_dir} (once; kept for later runs)")
        report = await seed_city(
            Settings(data_dir=data_dir), scale=scale, seed=seed, progress=progress
        )
        _save_report(data_dir, report)
        assert dataset_ready(data_dir), f"seeding {data_dir} left it incomplete"
    return Dataset(scale=scale, data_dir=data_dir, report=_load_report(data_dir))


async def measured_report(dataset: Dataset, engines: Engines) -> dict[str, Any]:
    """Row counts and file sizes of a city, with the seeding time when it is known.

    From the saved seed report when the benchmark seeded the city; otherwise counted in
    the databases (then the seeding time is unknown: None).
    """
    if dataset.report is not None:
        return dataclasses.asdict(dataset.report)
    counts: dict[str, int] = {}
    for department, metadata in METADATA.items():
        engine = getattr(engines, department)
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                stmt = select(func.count()).select_from(table)
                counts[table.name] = int((await conn.execute(stmt)).scalar_one())
    sizes = {d: (dataset.data_dir / f"{d}.sqlite3").stat().st_size for d in DEPARTMENTS}
    return {
        "scale": dataset.scale,
        "seed": None,
        "row_counts": counts,
        "elapsed_seconds": None,
        "database_bytes": sizes,
    }


async def benchmark_grid(engines: Engines) -> tuple[str, int]:
    """The demo grid if it has at least 100 residents, else the first grid that has.

    Returns the grid code and its number of residents.
    """
    persons = civil_tables.persons
    residents = func.count().label("residents")
    async with engines.civil_affairs.connect() as conn:
        demo = (
            await conn.execute(select(residents).where(persons.c.home_grid_code == DEMO_GRID_CODE))
        ).scalar_one()
        if demo >= MIN_RESIDENTS:
            return DEMO_GRID_CODE, int(demo)
        found = (
            await conn.execute(
                select(persons.c.home_grid_code, residents)
                .group_by(persons.c.home_grid_code)
                .having(residents >= MIN_RESIDENTS)
                .order_by(persons.c.home_grid_code)
                .limit(1)
            )
        ).first()
    assert found is not None, f"no grid has {MIN_RESIDENTS} residents: the page would be short"
    return str(found[0]), int(found[1])
