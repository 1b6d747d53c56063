"""Aggregates computed by the department databases, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from citybrain.connectors import load_connectors, source_of
from citybrain.connectors.grid import GridConnector, StatisticsPeriod
from citybrain.connectors.health import HealthConnector
from citybrain.seed import seed_city
from citybrain.settings import DEPARTMENTS, Settings
from tests.city import StatementCounter
from tests.recount import recount_events, recount_health, recount_whistles

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.connectors import Connector
    from tests.servers import PostgresServer

PERIOD = StatisticsPeriod(
    start=dt.datetime(2025, 6, 1), end=dt.datetime(2026, 6, 1), as_of=dt.datetime(2026, 6, 1)
)


@pytest.fixture(scope="session")
async def postgres_statistics_city(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The small city seeded into PostgreSQL databases of its own."""
    urls = {d: postgres_server.create_database(f"stats_{d}") for d in DEPARTMENTS}
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
async def departments(
    request: pytest.FixtureRequest, small_city: Settings, postgres_statistics_city: Settings
) -> AsyncIterator[dict[str, Connector]]:
    settings = small_city if request.param == "sqlite" else postgres_statistics_city
    built = load_connectors(settings)
    # The statistics methods are the department connectors' own, below the cache layers.
    yield {department: source_of(layered) for department, layered in built.items()}
    for connector in built.values():
        await connector.close()


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _grid(departments: dict[str, Connector]) -> GridConnector:
    grid = departments["grid"]
    assert isinstance(grid, GridConnector)
    return grid


@pytest.mark.parametrize(
    ("region", "group_by"),
    [
        (None, "none"),
        (None, "region"),
        (None, "category"),
        ("120101", "region"),
        ("120101001", "region"),
        ("120101001001", "region"),
        ("120101001001001", "region"),
    ],
)
async def test_event_figures_equal_a_recount(
    departments: dict[str, Connector], region: str | None, group_by: str
) -> None:
    grid = _grid(departments)
    counter = StatementCounter()
    counter.attach({"grid": grid})
    found = await grid.event_statistics(PERIOD, region=region, group_by=group_by)  # type: ignore[arg-type]
    assert counter.total == 1  # one aggregate statement, whatever the number of events
    expected = await recount_events(
        grid, PERIOD.start, PERIOD.end, PERIOD.as_of, region=region, key=group_by
    )
    assert sum(r.reported for r in expected.values()) > 0
    assert [f.key for f in found] == sorted(expected, key=lambda k: k or "")
    for figures in found:
        want = expected[figures.key]
        assert (figures.reported, figures.closed, figures.overdue) == (
            want.reported,
            want.closed,
            want.overdue,
        )
        assert figures.average_handling_hours == pytest.approx(want.average_hours, rel=1e-6)


async def test_category_filter_counts_only_that_category(
    departments: dict[str, Connector],
) -> None:
    grid = _grid(departments)
    (all_events,) = await grid.event_statistics(PERIOD)
    per_category = await grid.event_statistics(PERIOD, group_by="category")
    (one,) = await grid.event_statistics(PERIOD, category=per_category[0].key)
    assert one.reported == per_category[0].reported < all_events.reported


async def test_whistle_figures_equal_a_recount(departments: dict[str, Connector]) -> None:
    grid = _grid(departments)
    period = StatisticsPeriod(
        start=dt.datetime(2024, 11, 1), end=dt.datetime(2026, 11, 2), as_of=dt.datetime(2026, 11, 2)
    )
    found = await grid.whistle_statistics(period, by_department=True)
    expected = await recount_whistles(grid, period.start, period.end, period.as_of)
    assert found and [f.key for f in found] == sorted(expected)
    for figures in found:
        want = expected[str(figures.key)]
        assert figures.whistles == want["whistles"]
        assert figures.responded == want["responded"]
        assert figures.scored == len(want["speed"])
        assert figures.average_response_hours == pytest.approx(mean(want["hours"]), rel=1e-6)
        assert figures.average_speed_score == pytest.approx(mean(want["speed"]))
        assert figures.average_handling_score == pytest.approx(mean(want["handling"]))
    (total,) = await grid.whistle_statistics(period)
    assert total.whistles == sum(d["whistles"] for d in expected.values())
    # Below street level the event's grid decides (a join), above it the street code.
    (street,) = await grid.whistle_statistics(period, region="120101001")
    (community,) = await grid.whistle_statistics(period, region="120101001001")
    assert street.whistles >= community.whistles


async def test_health_report_equals_a_recount(departments: dict[str, Connector]) -> None:
    health = departments["health"]
    assert isinstance(health, HealthConnector)
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    counter = StatementCounter()
    counter.attach({"health": health})
    rows = await health.health_daily_report(start, end)
    assert counter.total == 5
    expected = await recount_health(health, start, end)
    shows = {(r.district_code, r.part): r.count for r in rows.shows}
    assert shows == {
        (d, day): n for d, found in expected.items() for day, n in found["shown"].items()
    }
    scans = {(r.district_code, r.part): r.count for r in rows.scans}
    assert scans == {
        (d, day): n for d, found in expected.items() for day, n in found["scans"].items()
    }
    active = {r.district_code: r.count for r in rows.active}
    assert active == {d: f["active"] for d, f in expected.items() if f["active"]}
    one = await health.health_daily_report(start, end, district="120101")
    assert {r.district_code for r in one.shows} == {"120101"}
    assert sum(r.count for r in one.shows) == sum(expected["120101"]["shown"].values())


async def test_places_issued_by_day_and_industry_equal_a_recount(
    departments: dict[str, Connector],
) -> None:
    health = departments["health"]
    assert isinstance(health, HealthConnector)
    start, end = dt.date(2020, 1, 1), dt.date(2026, 11, 1)
    rows = await health.health_daily_report(start, end)
    expected = await recount_health(health, start, end)
    industry = {(r.district_code, r.part): r.count for r in rows.issued_by_industry}
    assert industry and industry == {
        (d, k): n for d, found in expected.items() for k, n in found["industry"].items()
    }
    issued = {(r.district_code, r.part): r.count for r in rows.issued}
    assert issued == {
        (d, k): n for d, found in expected.items() for k, n in found["issued"].items()
    }
