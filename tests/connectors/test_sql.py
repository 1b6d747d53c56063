"""The SQL connector on real SQLite files and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from citybrain.connectors import Filter, InvalidCursor, load_connectors
from citybrain.connectors.civil_affairs import CivilAffairsConnector
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER, seed_city
from citybrain.settings import DEPARTMENTS, Settings
from tests.city import StatementCounter

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from citybrain.connectors import Connector
    from tests.servers import PostgresServer


@pytest.fixture(scope="session")
async def postgres_city(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The small city seeded into four PostgreSQL databases, one per department."""
    urls = {d: postgres_server.create_database(f"city_{d}") for d in DEPARTMENTS}
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("unused"),
        civil_affairs_url=urls["civil_affairs"],
        health_url=urls["health"],
        transport_url=urls["transport"],
        grid_url=urls["grid"],
    )
    await seed_city(settings, scale="small", seed=0, progress=False)
    return settings


@pytest.fixture(params=["sqlite", "postgres"])
async def connectors(
    request: pytest.FixtureRequest, small_city: Settings, postgres_city: Settings
) -> AsyncIterator[dict[str, Connector]]:
    settings = small_city if request.param == "sqlite" else postgres_city
    built = load_connectors(settings)
    yield built
    for connector in built.values():
        await connector.close()


async def test_fetch_by_keys_keeps_order_and_marks_missing(
    connectors: dict[str, Connector],
) -> None:
    civil = connectors["civil_affairs"]
    missing = "11010519491231002X"
    rows = await civil.fetch_by_keys("person", "id_number", [missing, DEMO_ID_NUMBER, missing])
    assert rows[0] is None and rows[2] is None
    assert rows[1] is not None and rows[1]["id_number"] == DEMO_ID_NUMBER
    assert isinstance(rows[1]["birth_date"], dt.date)


async def test_fetch_groups_gives_first_rows_of_each_key_in_one_statement(
    connectors: dict[str, Connector],
) -> None:
    civil, grid = connectors["civil_affairs"], connectors["grid"]
    page = await civil.fetch_page(
        "person", [Filter("home_grid_code", "eq", DEMO_GRID_CODE)], first=50
    )
    ids = [r["id_number"] for r in page.rows]
    counter = StatementCounter()
    counter.attach({"grid": grid})
    groups = await grid.fetch_groups("grid_event", "reporter_id_number", ids, first=2)
    assert counter.total == 1
    assert len(groups) == len(ids)
    for person, group in zip(ids, groups, strict=True):
        assert len(group.rows) <= 2
        assert all(r["reporter_id_number"] == person for r in group.rows)
        times = [(r["reported_at"], r["id"]) for r in group.rows]
        assert times == sorted(times, reverse=True)
    demo = groups[ids.index(DEMO_ID_NUMBER)] if DEMO_ID_NUMBER in ids else None
    if demo is not None:
        assert demo.has_next_page  # the demo resident reported at least three events


async def test_group_pages_continue_after_a_cursor(connectors: dict[str, Connector]) -> None:
    grid = connectors["grid"]
    everything = (
        await grid.fetch_groups("grid_event", "reporter_id_number", [DEMO_ID_NUMBER], first=100)
    )[0]
    walked: list[int] = []
    after = None
    while True:
        page = (
            await grid.fetch_groups(
                "grid_event", "reporter_id_number", [DEMO_ID_NUMBER], first=1, after=after
            )
        )[0]
        walked.extend(r["id"] for r in page.rows)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert walked == [r["id"] for r in everything.rows]
    assert len(walked) >= 3


async def test_fetch_page_walks_a_filtered_list_exactly_once(
    connectors: dict[str, Connector],
) -> None:
    grid = connectors["grid"]
    district = DEMO_GRID_CODE[:6]
    filters = [Filter("grid_code", "prefix", district)]
    seen: list[int] = []
    after = None
    while True:
        page = await grid.fetch_page("grid_event", filters, first=97, after=after)
        assert all(r["grid_code"].startswith(district) for r in page.rows)
        seen.extend(r["id"] for r in page.rows)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    everything = await grid.fetch_page("grid_event", filters, first=100_000)
    assert seen == [r["id"] for r in everything.rows]
    assert len(seen) == len(set(seen)) > 97


async def test_filters_are_applied_in_the_query(connectors: dict[str, Connector]) -> None:
    grid = connectors["grid"]
    since = dt.datetime(2026, 1, 1)
    until = dt.datetime(2026, 3, 1)
    page = await grid.fetch_page(
        "grid_event",
        [
            Filter("reported_at", "ge", since),
            Filter("reported_at", "lt", until),
            Filter("status", "in", ["CLOSED", "EVALUATED"]),
        ],
        first=500,
    )
    assert page.rows
    assert all(since <= r["reported_at"] < until for r in page.rows)
    assert {r["status"] for r in page.rows} <= {"CLOSED", "EVALUATED"}
    tops = await grid.fetch_page("event_category", [Filter("parent_code", "eq", None)], first=100)
    assert len(tops.rows) == 9


async def test_sql_looking_filter_values_are_inert(connectors: dict[str, Connector]) -> None:
    civil = connectors["civil_affairs"]
    for value in ["' OR 1=1 --", "1201%", "12010_", "\u0000", "😀"]:
        page = await civil.fetch_page(
            "person", [Filter("home_grid_code", "prefix", value)], first=5
        )
        assert page.rows == []


async def test_a_foreign_cursor_is_refused(connectors: dict[str, Connector]) -> None:
    grid = connectors["grid"]
    person_page = await connectors["civil_affairs"].fetch_page("person", [], first=1)
    with pytest.raises(InvalidCursor):
        await grid.fetch_page("grid_event", [], first=1, after=person_page.cursors[0])
    with pytest.raises(InvalidCursor):
        await grid.fetch_page("grid_event", [], first=1, after="not a cursor")


async def test_health_check(connectors: dict[str, Connector]) -> None:
    for connector in connectors.values():
        await connector.check_health()


async def test_a_missing_sqlite_file_is_an_outage_not_a_new_database(tmp_path: Path) -> None:
    connector = CivilAffairsConnector.from_settings(Settings(data_dir=tmp_path))
    with pytest.raises(Exception, match="unable to open database file"):
        await connector.check_health()
    await connector.close()
    assert not (tmp_path / "civil_affairs.sqlite3").exists()
