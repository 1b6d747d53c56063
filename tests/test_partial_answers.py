"""A failing, slow or fenced-off department nulls only its own fields (real departments)."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from citybrain.connectors import load_connectors
from citybrain.connectors.cache_store import MemoryCacheStore
from citybrain.connectors.stack import layered
from citybrain.connectors.transport.tables import metadata as transport_metadata
from citybrain.seed import DEMO_ID_NUMBER
from citybrain.settings import DEPARTMENTS
from tests.city import open_graph
from tests.faults import Faults, FaultySource
from tests.servers import PostgresServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from citybrain.settings import Settings
    from tests.city import GraphClient

PROFILE = """
query ProfileCard($id: String!) {
  person(idNumber: $id) {
    idNumber name
    healthCode { color }
    driverLicence { licenceNumber }
    homeGrid { code name }
    reportedEvents(first: 2) { edges { node { id title } } }
  }
}
"""


def copy_city(small_city: Settings, folder: Path) -> Settings:
    """The small city's department files, copied so that a test may break them."""
    for department in DEPARTMENTS:
        shutil.copy(small_city.data_dir / f"{department}.sqlite3", folder)
    return small_city.model_copy(update={"data_dir": folder})


@pytest.fixture
def city(small_city: Settings, tmp_path: Path) -> Settings:
    return copy_city(small_city, tmp_path)


def errors_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """department -> its error's extensions."""
    return {e["extensions"]["department"]: e for e in body.get("errors", [])}


def assert_nothing_leaks(body: dict[str, Any], *secrets: str) -> None:
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("Traceback", "sqlite3", "SELECT", "127.0.0.1", "File ", *secrets):
        assert secret not in text, secret


async def test_a_missing_department_file_nulls_only_its_fields(city: Settings) -> None:
    (city.data_dir / "health.sqlite3").rename(city.data_dir / "health.moved")
    graph, _ = await open_graph(city)
    try:
        body = await graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    finally:
        await graph.aclose()
    person = body["data"]["person"]
    assert person["name"] == "王海川" and person["homeGrid"]["code"]
    assert person["driverLicence"]["licenceNumber"]
    assert person["reportedEvents"]["edges"]
    assert person["healthCode"] is None
    errors = errors_of(body)
    assert set(errors) == {"health"}
    assert errors["health"]["extensions"]["code"] == "DEPARTMENT_UNAVAILABLE"
    assert errors["health"]["path"] == ["person", "healthCode"]
    (degraded,) = body["extensions"]["degraded"]
    assert degraded["department"] == "health" and degraded["reason"] == "error"
    assert degraded["since"].endswith("Z")
    assert_nothing_leaks(body, str(city.data_dir))


async def test_a_garbage_department_file_nulls_only_its_fields(city: Settings) -> None:
    (city.data_dir / "transport.sqlite3").write_bytes(b"this is not a database" * 1000)
    graph, _ = await open_graph(city)
    try:
        body = await graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    finally:
        await graph.aclose()
    person = body["data"]["person"]
    assert person["driverLicence"] is None
    assert person["healthCode"]["color"] and person["name"]
    errors = errors_of(body)
    assert set(errors) == {"transport"}
    assert errors["transport"]["extensions"]["code"] == "DEPARTMENT_UNAVAILABLE"
    assert_nothing_leaks(body, str(city.data_dir))


@pytest.fixture
async def slow_health(small_city: Settings) -> AsyncIterator[tuple[GraphClient, Faults]]:
    """The graph with the health department answering 60 s late (its timeout: 0.2 s)."""
    settings = small_city.model_copy(
        update={
            "resilience": {
                "health": {"timeout": 0.2, "aggregate_timeout": 0.2, "retry_attempts": 0}
            }
        }
    )
    bare = load_connectors(settings, layers=False)
    faults = Faults(delay=60.0)
    store = MemoryCacheStore()
    connectors = {
        d: layered(FaultySource(c, faults) if d == "health" else c, settings, store)
        for d, c in bare.items()
    }
    graph, _ = await open_graph(settings, connectors)
    try:
        yield graph, faults
    finally:
        await graph.aclose()


async def test_a_slow_department_times_out_and_its_call_is_cancelled(
    slow_health: tuple[GraphClient, Faults],
) -> None:
    graph, faults = slow_health
    body = await graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    person = body["data"]["person"]
    assert person["healthCode"] is None and person["name"] == "王海川"
    assert person["driverLicence"] and person["homeGrid"]
    errors = errors_of(body)
    assert errors["health"]["extensions"]["code"] == "DEPARTMENT_TIMEOUT"
    assert body["extensions"]["degraded"][0]["reason"] == "timeout"
    assert faults.calls and faults.cancelled == len(faults.calls)  # nothing left running


async def test_an_open_breaker_answers_without_calling_the_department(
    slow_health: tuple[GraphClient, Faults],
) -> None:
    graph, faults = slow_health
    faults.delay = 0
    faults.fail = -1
    health = graph.connectors["health"]
    breaker = health.inner.breaker  # type: ignore[attr-defined]
    for _ in range(breaker.threshold):
        await graph.query(PROFILE, {"id": DEMO_ID_NUMBER})  # failures are never cached
    assert breaker.state == "open"
    reached = len(faults.calls)
    body = await graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    assert len(faults.calls) == reached
    assert errors_of(body)["health"]["extensions"]["code"] == "DEPARTMENT_UNAVAILABLE"
    assert body["extensions"]["degraded"][0]["reason"] == "breaker_open"
    assert body["data"]["person"]["name"] == "王海川"


@pytest.fixture
async def transport_on_postgres(
    small_city: Settings, tmp_path: Path
) -> AsyncIterator[tuple[Settings, PostgresServer]]:
    """Transport in its own PostgreSQL instance (its rows copied from the small city)."""
    with PostgresServer() as server:
        url = server.create_database("transport")
        source = create_async_engine(small_city.department_url("transport"))
        target = create_async_engine(url)
        async with target.begin() as conn:
            await conn.run_sync(transport_metadata.create_all)
        for table in transport_metadata.sorted_tables:
            async with source.connect() as conn:
                rows = [dict(r._mapping) for r in await conn.execute(table.select())]
            if rows:
                async with target.begin() as conn:
                    await conn.execute(table.insert(), rows)
        await source.dispose()
        await target.dispose()
        settings = copy_city(small_city, tmp_path).model_copy(update={"transport_url": url})
        yield settings, server


@pytest.mark.postgres
async def test_a_stopped_postgresql_department_nulls_only_its_fields(
    transport_on_postgres: tuple[Settings, PostgresServer],
) -> None:
    settings, server = transport_on_postgres
    settings = settings.model_copy(update={"cache_enabled": False})
    graph, _ = await open_graph(settings)
    try:
        healthy = await graph.data(PROFILE, {"id": DEMO_ID_NUMBER})
        licence = healthy["person"]["driverLicence"]["licenceNumber"]
        assert licence

        server.shutdown()
        body = await graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
        person = body["data"]["person"]
        assert person["driverLicence"] is None
        assert person["healthCode"]["color"] and person["homeGrid"]["code"]
        assert errors_of(body)["transport"]["extensions"]["code"] == "DEPARTMENT_UNAVAILABLE"
        assert_nothing_leaks(body, str(server.port), "postgres")

        ready = await graph.http.get("/readyz")
        assert ready.status_code == 200  # degraded, still serving
        assert ready.json()["components"]["department:transport"]["status"] == "down"

        server.start()  # back: the department answers again, no restart of ours needed
        again = await graph.data(PROFILE, {"id": DEMO_ID_NUMBER})
        assert again["person"]["driverLicence"]["licenceNumber"] == licence
    finally:
        await graph.aclose()


HEALTH_REPORT = """query($from: Date!, $before: Date!) {
  healthDailyReport(from: $from, before: $before) { city { codesShown } }
  districts { edges { node { code } } }
}"""


async def test_a_slow_department_times_out_its_statistics_too(
    slow_health: tuple[GraphClient, Faults],
) -> None:
    # Statistics are the department's own aggregate reads: the resilience layer holds them
    # to a timeout like any read (here 0.2 s; CITYBRAIN_STATISTICS_TIMEOUT by default), and
    # the other departments' fields are answered.
    graph, faults = slow_health
    analyst = graph.as_role("analyst")
    body = await analyst.query(HEALTH_REPORT, {"from": "2026-10-01", "before": "2026-10-08"})
    assert body["data"]["healthDailyReport"] is None
    assert len(body["data"]["districts"]["edges"]) == 16
    assert errors_of(body)["health"]["extensions"]["code"] == "DEPARTMENT_TIMEOUT"
    assert "aggregate" in faults.calls and faults.cancelled == len(faults.calls)
    assert_nothing_leaks(body)
