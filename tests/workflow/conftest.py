"""Fixtures of the workflow tests: a private copy of the small city, callers by role."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from citybrain.seed import DEMO_GRID_CODE
from citybrain.settings import DEPARTMENTS, Settings
from tests.city import open_graph

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from tests.city import GraphClient

DEPARTMENT = "和平区城管委"
OTHER_DEPARTMENT = "和平区住建委"


def copy_city(source: Settings, target: Path) -> Settings:
    """The departments' SQLite files copied: workflow tests change events, others must not see it."""
    target.mkdir(parents=True, exist_ok=True)
    for department in DEPARTMENTS:
        for suffix in ("", "-wal"):  # the -shm index is rebuilt from the WAL
            path = source.data_dir / f"{department}.sqlite3{suffix}"
            if path.exists():
                shutil.copy(path, target / path.name)
    return Settings(data_dir=target)


@pytest.fixture
def city_copy(small_city: Settings, tmp_path: Path) -> Settings:
    return copy_city(small_city, tmp_path / "city")


@dataclass
class Cast:
    """Callers of every role the workflow knows, around the demo grid, and strangers."""

    graph: GraphClient
    other_grid: str
    other_street_grid: str

    @property
    def worker(self) -> GraphClient:
        return self.graph.as_role("grid_worker", DEMO_GRID_CODE, subject="worker-demo")

    @property
    def street(self) -> GraphClient:
        return self.graph.as_role("street_officer", DEMO_GRID_CODE[:9], subject="street-demo")

    @property
    def department(self) -> GraphClient:
        return self.graph.as_role(
            "district_officer", DEMO_GRID_CODE[:6], subject="dept-demo", department=DEPARTMENT
        )


def _other_grids(settings: Settings) -> tuple[str, str]:
    with sqlite3.connect(settings.data_dir / "grid.sqlite3") as db:
        same_street = db.execute(
            "SELECT code FROM grids WHERE code LIKE ? AND code != ? ORDER BY code LIMIT 1",
            (DEMO_GRID_CODE[:9] + "%", DEMO_GRID_CODE),
        ).fetchone()[0]
        other_street = db.execute(
            "SELECT code FROM grids WHERE code NOT LIKE ? ORDER BY code LIMIT 1",
            (DEMO_GRID_CODE[:9] + "%",),
        ).fetchone()[0]
    return str(same_street), str(other_street)


@pytest.fixture
async def cast(city_copy: Settings) -> AsyncIterator[Cast]:
    client, _ = await open_graph(city_copy)
    other_grid, other_street_grid = _other_grids(city_copy)
    try:
        yield Cast(client, other_grid, other_street_grid)
    finally:
        await client.aclose()
