"""The cache seen through the graph: repeated queries, roles, and Redis failing mid-run."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from citybrain.auth.roles import Role
from citybrain.connectors import RedisCacheStore, source_of
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.city import open_graph
from tests.servers import RedisServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.settings import Settings
    from tests.city import GraphClient

PROFILE = """
query($id: String!) { person(idNumber: $id) {
  idNumber name phone healthCode { color } driverLicence { licenceNumber }
  homeGrid { code name } reportedEvents(first: 3) { edges { node { id title } } } } }
"""
CARD = "query($id: String!) { person(idNumber: $id) { idNumber name phone homeGrid { code } } }"
RESIDENTS = """
query($grid: String!) { persons(gridCode: $grid, first: 20) {
  edges { node { idNumber name phone } } } }
"""
OTHER_GRID = DEMO_GRID_CODE[:-1] + "2"  # a neighbouring grid of the same community


async def test_a_repeated_query_makes_no_department_round_trip(graph: GraphClient) -> None:
    for query, variables in (
        (PROFILE, {"id": DEMO_ID_NUMBER}),
        (RESIDENTS, {"grid": DEMO_GRID_CODE}),
    ):
        graph.statements.reset()
        first = await graph.data(query, variables)
        assert graph.statements.total > 0
        graph.statements.reset()
        assert await graph.data(query, variables) == first
        assert graph.statements.total == 0, graph.statements.counts


async def test_a_masked_role_after_an_unmasked_one_gets_no_unmasked_bytes(
    graph: GraphClient,
) -> None:
    officer = graph.as_role(Role.CIVIL_AFFAIRS_OFFICER)
    worker = graph.as_role(Role.GRID_WORKER, DEMO_GRID_CODE)
    clear = await officer.data(CARD, {"id": DEMO_ID_NUMBER})
    listed = await officer.data(RESIDENTS, {"grid": DEMO_GRID_CODE})
    name, phone = clear["person"]["name"], clear["person"]["phone"]
    assert name == "王海川" and phone and "*" not in phone
    secrets = {name, phone} | {
        edge["node"]["phone"] for edge in listed["persons"]["edges"] if edge["node"]["phone"]
    }

    for query, variables in ((CARD, {"id": DEMO_ID_NUMBER}), (RESIDENTS, {"grid": DEMO_GRID_CODE})):
        graph.statements.reset()
        response = await worker.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=worker.headers
        )
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text and json.dumps(secret) not in text
        if query is CARD:  # the officer's cached row, masked afresh for the worker
            assert graph.statements.total == 0
    masked = await worker.query(CARD, {"id": DEMO_ID_NUMBER})
    assert (
        masked["data"]["person"]["name"].startswith("王")
        and "*" in masked["data"]["person"]["name"]
    )


async def test_a_narrower_jurisdiction_never_gets_a_wider_cached_list(graph: GraphClient) -> None:
    district = graph.as_role(Role.DISTRICT_OFFICER, DEMO_GRID_CODE[:6])
    neighbour = graph.as_role(Role.GRID_WORKER, OTHER_GRID)
    assert (
        await district.data("query($c: String!) { grid(code: $c) { code } }", {"c": OTHER_GRID})
    )["grid"]
    wide = await district.data(RESIDENTS, {"grid": DEMO_GRID_CODE})
    assert len(wide["persons"]["edges"]) > 1
    narrow = await neighbour.data(RESIDENTS, {"grid": DEMO_GRID_CODE})
    assert narrow["persons"]["edges"] == []  # not the district officer's cached page


@pytest.fixture
async def redis_graph(small_city: Settings) -> AsyncIterator[tuple[GraphClient, RedisServer]]:
    """The graph with its cache in a Redis server of its own (killed by the test)."""
    with RedisServer() as redis:
        settings = small_city.model_copy(update={"redis_url": redis.url, "cache_timeout": 0.5})
        graph, _ = await open_graph(settings)
        try:
            yield graph, redis
        finally:
            await graph.aclose()


async def test_redis_killed_mid_run_every_request_answers_and_hits_resume(
    redis_graph: tuple[GraphClient, RedisServer],
) -> None:
    graph, redis = redis_graph
    store = graph.connectors["civil_affairs"].store  # type: ignore[attr-defined]
    assert isinstance(store, RedisCacheStore)
    store.retry_after = 0.0  # try Redis again on every call (no waiting in the test)
    variables = {"id": DEMO_ID_NUMBER}
    expected = await graph.data(PROFILE, variables)
    graph.statements.reset()
    assert await graph.data(PROFILE, variables) == expected
    assert graph.statements.total == 0

    redis.kill()
    for _ in range(3):
        graph.statements.reset()
        body = await graph.query(PROFILE, variables)
        assert body == {"data": expected}  # no error, no degraded department
        assert graph.statements.total > 0  # answered by the departments
    assert store.errors > 0
    ready = (await graph.http.get("/readyz")).json()
    assert ready["status"] == "ready" and ready["components"]["cache"]["status"] == "down"
    metrics = (await graph.http.get("/metrics")).text
    assert 'citybrain_cache_errors_total{backend="redis"}' in metrics

    redis.start()
    await graph.data(PROFILE, variables)  # refills the empty Redis
    graph.statements.reset()
    assert await graph.data(PROFILE, variables) == expected
    assert graph.statements.total == 0
    ready = (await graph.http.get("/readyz")).json()
    assert ready["components"]["cache"] == {"status": "up", "backend": "redis"}
    assert source_of(graph.connectors["civil_affairs"]) is not graph.connectors["civil_affairs"]
