"""Workflow writes of the grid connector on real SQLite files and a real PostgreSQL server:
one transaction per transition, idempotency keys, stale versions, concurrent requests."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.ext.asyncio import create_async_engine

from citybrain.auth.principal import Principal
from citybrain.auth.roles import Role
from citybrain.connectors.grid import (
    Change,
    GridConnector,
    IdempotencyKeyReused,
    Transition,
    TransitionOutcome,
)
from citybrain.connectors.grid.tables import (
    event_steps,
    grid_events,
    metadata,
    whistles,
    workflow_requests,
)
from citybrain.workflow import Action, WorkflowRefusal, choose_rule

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence
    from pathlib import Path

    from citybrain.connectors import Row

GRID = "120101001001001"
STREET = Principal("street-1", frozenset({Role.STREET_OFFICER}), jurisdiction=GRID[:9])
NOW = dt.datetime(2026, 11, 1, 9, 0)


async def _database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A grid database seeded before the workflow existed: no workflow_requests table."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'grid.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"wf_{uuid.uuid4().hex[:12]}")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            insert(grid_events),
            [
                {
                    "id": i,
                    "title": "占道经营",
                    "description": "…",
                    "category_code": "0101",
                    "grid_code": GRID,
                    "status": "ACCEPTED",
                    "reporter_id_number": "",
                    "reported_at": NOW,
                    "version": 2,
                }
                for i in (1, 2, 3)
            ],
        )
    await engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
async def grid(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GridConnector]:
    connector = GridConnector(await _database(request, tmp_path))
    yield connector
    await connector.close()


def _analyse(expected: int) -> Any:
    def decide(row: Row | None, found: Sequence[Row]) -> Change:
        rule = choose_rule(
            Action.ANALYSE, STREET, row, found, event_id=1, expected_version=expected
        )
        step = {"action": "ANALYSE", "actor_role": "STREET", "actor_name": "s", "note": ""}
        return Change(rule.target, step)

    return decide


def _request(event_id: int = 1, key: str | None = None, fingerprint: str = "f") -> Transition:
    return Transition(event_id, "street-1", key, fingerprint, "ANALYSE", NOW)


async def _counts(grid: GridConnector) -> tuple[int, int, int]:
    async with grid.engine.connect() as conn:
        steps = await conn.scalar(select(func.count()).select_from(event_steps))
        versions = await conn.scalar(select(func.sum(grid_events.c.version)))
        kept = await conn.scalar(select(func.count()).select_from(workflow_requests))
    return int(steps or 0), int(versions or 0), int(kept or 0)


async def test_a_database_without_the_workflow_table_gets_it_on_the_first_write(
    grid: GridConnector,
) -> None:
    def names(conn: Any) -> list[str]:
        return list(inspect(conn).get_table_names())

    async with grid.engine.connect() as conn:
        assert "workflow_requests" not in await conn.run_sync(names)
    done = await grid.transition(_request(key="k1"), _analyse(2))
    assert (done.version, done.status, done.replayed) == (3, "ANALYSED", False)
    async with grid.engine.connect() as conn:
        assert "workflow_requests" in await conn.run_sync(names)


async def test_a_retry_with_the_same_key_acts_once(grid: GridConnector) -> None:
    first = await grid.transition(_request(key="k1"), _analyse(2))
    again = await grid.transition(_request(key="k1"), _analyse(2))
    assert again.replayed and not first.replayed
    assert (again.event_id, again.step_id, again.version) == (
        first.event_id,
        first.step_id,
        first.version,
    )
    assert await _counts(grid) == (1, 7, 1)


async def test_a_key_reused_for_another_request_is_refused(grid: GridConnector) -> None:
    await grid.transition(_request(key="k1"), _analyse(2))
    with pytest.raises(IdempotencyKeyReused):
        await grid.transition(_request(2, key="k1", fingerprint="other"), _analyse(2))
    assert await _counts(grid) == (1, 7, 1)


async def test_concurrent_retries_with_one_key_act_once(grid: GridConnector) -> None:
    results = await asyncio.gather(
        *(grid.transition(_request(key="same"), _analyse(2)) for _ in range(6))
    )
    assert sorted(r.replayed for r in results) == [False] + [True] * 5
    assert len({r.step_id for r in results}) == 1
    assert await _counts(grid) == (1, 7, 1)


async def test_concurrent_transitions_from_one_version_let_exactly_one_through(
    grid: GridConnector,
) -> None:
    results = await asyncio.gather(
        *(grid.transition(_request(key=f"k{i}"), _analyse(2)) for i in range(6)),
        return_exceptions=True,
    )
    done = [r for r in results if isinstance(r, TransitionOutcome)]
    refused = [r for r in results if isinstance(r, WorkflowRefusal)]
    assert len(done) == 1 and len(refused) == 5
    assert {r.code for r in refused} == {"CONFLICT"}
    assert await _counts(grid) == (1, 7, 1)


async def test_a_failing_before_commit_hook_leaves_nothing_behind(grid: GridConnector) -> None:
    async def audit_down(outcome: TransitionOutcome) -> None:
        raise RuntimeError("audit store down")

    with pytest.raises(RuntimeError):
        await grid.transition(_request(key="k1"), _analyse(2), before_commit=audit_down)
    assert await _counts(grid) == (0, 6, 0)
    done = await grid.transition(_request(key="k1"), _analyse(2))
    assert not done.replayed


async def test_new_rows_take_the_next_numbers(grid: GridConnector) -> None:
    principal = Principal("w", frozenset({Role.GRID_WORKER}), jurisdiction=GRID)

    def report(row: Row | None, found: Sequence[Row]) -> Change:
        choose_rule(Action.REPORT, principal, row, found, grid_code=GRID)
        step = {"action": "REPORT", "actor_role": "GRID_WORKER", "actor_name": "w", "note": ""}
        new = {
            "title": "t",
            "description": "d",
            "category_code": "0101",
            "grid_code": GRID,
            "reporter_id_number": "",
        }
        return Change("REPORTED", step, new_event=new)

    created = await asyncio.gather(
        *(grid.transition(Transition(None, "w", None, "f", "REPORT", NOW), report) for _ in "abc")
    )
    assert sorted(c.event_id for c in created) == [4, 5, 6]
    assert sorted(c.step_id for c in created) == [1, 2, 3]
    async with grid.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(whistles)) == 0


def test_migrate_creates_the_workflow_tables_in_an_existing_database(
    city_copy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from citybrain.cli import app

    def tables() -> set[str]:
        with sqlite3.connect(city_copy.data_dir / "grid.sqlite3") as db:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    assert "workflow_requests" not in tables()
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(city_copy.data_dir))
    for _ in range(2):  # idempotent
        result = CliRunner().invoke(app, ["migrate"])
        assert result.exit_code == 0, result.output
    assert "workflow_requests" in tables()
