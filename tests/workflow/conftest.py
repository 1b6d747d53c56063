"""Fixtures of the workflow tests: a private copy of the small city, callers by role."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import DateTime
from sqlalchemy.ext.asyncio import create_async_engine

from citybrain.connectors.grid import tables as grid_tables
from citybrain.seed import DEMO_GRID_CODE
from citybrain.settings import DEPARTMENTS, Settings
from tests.city import open_graph

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy import Table

    from tests.city import GraphClient
    from tests.servers import PostgresServer

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


async def _cast(settings: Settings) -> AsyncIterator[Cast]:
    client, _ = await open_graph(settings)
    other_grid, other_street_grid = _other_grids(settings)
    try:
        yield Cast(client, other_grid, other_street_grid)
    finally:
        await client.aclose()


@pytest.fixture
async def cast(city_copy: Settings) -> AsyncIterator[Cast]:
    """Callers of the small city's copy (SQLite files)."""
    async for found in _cast(city_copy):
        yield found


async def _grid_on_postgres(settings: Settings, server: PostgresServer) -> str:
    """The copy's grid department moved to a fresh PostgreSQL database; its URL."""
    url = server.create_database(f"wf_grid_{uuid.uuid4().hex[:12]}")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(grid_tables.metadata.create_all)
            with sqlite3.connect(settings.data_dir / "grid.sqlite3") as db:
                db.row_factory = sqlite3.Row
                for table in grid_tables.metadata.sorted_tables:
                    rows = [dict(r) for r in db.execute(f'SELECT * FROM "{table.name}"')]  # noqa: S608
                    for start in range(0, len(rows), 5000):
                        chunk = [_typed(table, row) for row in rows[start : start + 5000]]
                        await conn.execute(table.insert(), chunk)
    finally:
        await engine.dispose()
    return url


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """SQLite hands back text for DateTime columns: parse it for PostgreSQL."""
    for column in table.columns:
        value = row[column.name]
        if isinstance(column.type, DateTime) and isinstance(value, str):
            row[column.name] = dt.datetime.fromisoformat(value)
    return row


@pytest.fixture(params=["sqlite", "postgres"])
async def any_cast(request: pytest.FixtureRequest, city_copy: Settings) -> AsyncIterator[Cast]:
    """Callers of the small city's copy, its grid department on SQLite or on PostgreSQL."""
    settings = city_copy
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        grid_url = await _grid_on_postgres(city_copy, server)
        settings = city_copy.model_copy(update={"grid_url": grid_url})
    async for found in _cast(settings):
        yield found
