"""A small city seeded once per session, and plain SQL reads of its SQLite files."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.seed import SeedReport, seed_city
from citybrain.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class SeededCity:
    """Where a seeded city's databases are, and what ``seed_city`` reported."""

    settings: Settings
    report: SeedReport

    def path(self, department: str) -> Path:
        return self.settings.data_dir / f"{department}.sqlite3"

    def rows(
        self, department: str, sql: str, params: tuple[Any, ...] = ()
    ) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.path(department))) as db:
            return db.execute(sql, params).fetchall()

    def column(self, department: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return [row[0] for row in self.rows(department, sql, params)]

    def scalar(self, department: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.rows(department, sql, params)[0][0]


@pytest.fixture(scope="session")
async def seeded(tmp_path_factory: pytest.TempPathFactory) -> SeededCity:
    """The small city, seed 0, in a temporary folder of its own."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded") / "data")
    report = await seed_city(settings, scale="small", seed=0, progress=False)
    return SeededCity(settings, report)
