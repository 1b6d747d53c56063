"""/metrics, /readyz, lineage, JSON request logs and OpenTelemetry spans, on real departments."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from citybrain.observability.logs import JsonFormatter, RequestIdFilter
from citybrain.observability.tracing import enable_tracing
from citybrain.seed import DEMO_ID_NUMBER
from tests.city import open_graph
from tests.servers import PostgresServer
from tests.test_partial_answers import PROFILE, copy_city

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from citybrain.settings import Settings
    from tests.city import GraphClient

SERIES = (
    'citybrain_requests_total{operation="ProfileCard",outcome="ok"}',
    'citybrain_request_seconds_bucket{le="0.005",operation="ProfileCard"}',
    'citybrain_errors_total{code="DEPARTMENT_UNAVAILABLE"}',
    'citybrain_department_calls_total{department="health",method="fetch_by_keys",outcome="ok"}',
    'citybrain_department_call_seconds_count{department="grid",method="fetch_groups"}',
    'citybrain_department_batch_size_bucket{department="civil_affairs",le="1.0",method="fetch_by_keys"}',
    'citybrain_department_errors_total{department="health",reason="error"}',
    'citybrain_breaker_state{department="transport"}',
    'citybrain_cache_lookups_total{department="civil_affairs",entity="person",result="hit"}',
    'citybrain_cache_lookups_total{department="civil_affairs",entity="person",result="miss"}',
    'citybrain_audit_writes_total{outcome="written"}',
)


@pytest.fixture
async def city_graph(small_city: Settings, tmp_path: Path) -> AsyncIterator[GraphClient]:
    """The graph over a copy of the small city (tests break its files)."""
    graph, _ = await open_graph(copy_city(small_city, tmp_path))
    try:
        yield graph
    finally:
        await graph.aclose()


def metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not in /metrics")


async def test_metrics_expose_every_series(city_graph: GraphClient) -> None:
    variables = {"id": DEMO_ID_NUMBER}
    await city_graph.data(PROFILE, variables)
    await city_graph.data(PROFILE, variables)  # cache hits
    garbage = b"not a database" * 10_000  # same file, open connections see it too
    (city_graph.settings.data_dir / "health.sqlite3").write_bytes(garbage)
    await city_graph.connectors["health"].invalidate("health_code")
    body = await city_graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    assert body["errors"][0]["extensions"]["code"] == "DEPARTMENT_UNAVAILABLE"
    response = await city_graph.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for series in SERIES:
        assert metric(text, series) >= 0
    assert metric(text, SERIES[0]) >= 2
    assert DEMO_ID_NUMBER not in text and "王海川" not in text


async def test_readyz_reflects_each_fault(city_graph: GraphClient) -> None:
    ready = await city_graph.http.get("/readyz")
    assert ready.status_code == 200
    components = ready.json()["components"]
    assert {k: v["status"] for k, v in components.items()} == {
        "department:civil_affairs": "up",
        "department:health": "up",
        "department:transport": "up",
        "department:grid": "up",
        "cache": "up",
        "audit": "up",
    }
    data_dir = city_graph.settings.data_dir
    (data_dir / "grid.sqlite3").write_bytes(b"not a database" * 10_000)
    ready = await city_graph.http.get("/readyz")
    assert ready.status_code == 200  # degraded answers are still answers
    assert ready.json()["components"]["department:grid"]["status"] == "down"
    assert str(data_dir) not in ready.text


@pytest.mark.postgres
async def test_readyz_is_not_ready_while_the_audit_store_is_down(
    small_city: Settings, tmp_path: Path
) -> None:
    with PostgresServer() as server:
        url = server.create_database("audit")
        graph, _ = await open_graph(
            copy_city(small_city, tmp_path).model_copy(update={"audit_url": url})
        )
        graph.app.state.audit._ttl = 0.0  # ask the store on every check
        try:
            assert (await graph.http.get("/readyz")).status_code == 200
            server.shutdown()
            ready = await graph.http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["status"] == "not ready"
            assert ready.json()["components"]["audit"]["status"] == "down"
            assert str(server.port) not in ready.text
            assert (await graph.http.get("/healthz")).json() == {"status": "ok"}
            server.start()
            assert (await graph.http.get("/readyz")).status_code == 200
        finally:
            await graph.aclose()


async def test_lineage_on_request_tells_sources_round_trips_and_cache_age(
    city_graph: GraphClient,
) -> None:
    query = """query($id: String!) {
      person(idNumber: $id) { name healthCode { color } }
      grid(code: "120101001001001") { name }
    }"""
    variables = {"id": DEMO_ID_NUMBER}
    plain = await city_graph.query(query, variables)
    assert "lineage" not in plain.get("extensions", {})

    city_graph.connectors["civil_affairs"].store._entries.clear()  # type: ignore[attr-defined]
    city_graph.connectors["civil_affairs"].store._generations.clear()  # type: ignore[attr-defined]
    cold = await city_graph.query(query, variables, **{"X-Citybrain-Lineage": "1"})
    lineage = cold["extensions"]["lineage"]
    assert lineage["person"]["departments"] == ["civil_affairs", "health"]
    assert lineage["person"]["roundTrips"] >= 2 and lineage["person"]["cacheHits"] == 0
    assert lineage["person"]["oldestCachedAgeSeconds"] is None
    assert lineage["grid"]["departments"] == ["grid"]

    warm = await city_graph.query(query, variables, **{"X-Citybrain-Lineage": "1"})
    lineage = warm["extensions"]["lineage"]
    assert lineage["person"]["roundTrips"] == 0 and lineage["person"]["cacheHits"] >= 2
    assert lineage["person"]["departments"] == ["civil_affairs", "health"]
    assert 0 <= lineage["person"]["oldestCachedAgeSeconds"] < 60
    assert lineage["grid"]["roundTrips"] == 0 and lineage["grid"]["cacheHits"] == 1


@pytest.mark.parametrize(
    ("roles", "jurisdiction"),
    [
        (None, None),  # anonymous
        ("citizen", "110101193706306660"),
        ("grid_worker", "120101001001002"),  # another grid than the resident's
        ("district_officer", "120102"),
    ],
)
async def test_lineage_is_refused_to_callers_who_cannot_see_every_row(
    city_graph: GraphClient, roles: str | None, jurisdiction: str | None
) -> None:
    # Cache hits and round trips of a lookup would tell them whether a resident they
    # cannot read exists, and when someone else last looked them up.
    query = "query($id: String!) { person(idNumber: $id) { name } }"
    variables = {"id": DEMO_ID_NUMBER}
    await city_graph.query(query, variables)  # cached by a caller who may read it
    caller = city_graph.as_role(roles, jurisdiction)
    body = await caller.query(query, variables, **{"X-Citybrain-Lineage": "1"})
    assert body["data"] == {"person": None}
    assert "lineage" not in body.get("extensions", {})


async def test_request_logs_are_json_with_a_request_id_and_no_personal_data(
    city_graph: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    (city_graph.settings.data_dir / "health.sqlite3").unlink()
    await city_graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    formatter, stamp = JsonFormatter(), RequestIdFilter()
    lines = []
    for record in caplog.records:
        if record.name.startswith("citybrain"):
            lines.append(json.loads(formatter.format(record)))
            assert stamp is not None
    (done,) = [line for line in lines if line["message"] == "graphql request"]
    assert done["outcome"] == "partial" and done["operation"] == "ProfileCard"
    assert done["error_codes"] == ["DEPARTMENT_UNAVAILABLE"] and done["degraded"] == ["health"]
    failed = [line for line in lines if line["message"] == "department call failed"]
    assert failed and failed[0]["department"] == "health"
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert DEMO_ID_NUMBER not in text and "王海川" not in text and "sqlite" not in text.lower()


async def test_request_ids_reach_the_log_records(city_graph: GraphClient) -> None:
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(getattr(record, "request_id", "?"))

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("citybrain.requests")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        await city_graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
        await city_graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(seen) == 2 and len(set(seen)) == 2 and all(len(s) == 32 for s in seen)


async def test_spans_per_request_and_per_department_call_when_enabled(
    city_graph: GraphClient,
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    enable_tracing(True, provider)
    try:
        await city_graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    finally:
        enable_tracing(False)
    spans = exporter.get_finished_spans()
    (request,) = [s for s in spans if s.name == "graphql.request"]
    assert request.attributes is not None
    assert request.attributes["graphql.operation.name"] == "ProfileCard"
    assert request.attributes["citybrain.outcome"] == "ok"
    calls = [s for s in spans if s.name.startswith("department.")]
    assert {s.attributes["citybrain.department"] for s in calls} == {  # type: ignore[index]
        "civil_affairs",
        "health",
        "transport",
        "grid",
    }
    assert all(
        s.parent is not None and s.parent.trace_id == request.context.trace_id for s in calls
    )
    assert all(DEMO_ID_NUMBER not in json.dumps(dict(s.attributes or {})) for s in spans)
    exporter.clear()
    await city_graph.query(PROFILE, {"id": DEMO_ID_NUMBER})
    assert exporter.get_finished_spans() == ()  # off again: no span at all
