"""Abuse controls: the rate limit (in process and over Redis), CORS, cost budgets per role,
measure-only mode, and a field declaring its own cost rule."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.http import RedisStore
from citybrain.limits import field_cost_rules, operation_cost, register_field_cost
from citybrain.schema import build_schema
from citybrain.seed import DEMO_GRID_CODE
from tests.servers import RedisServer

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from tests.city import GraphClient

    GraphWith = Callable[..., Coroutine[Any, Any, GraphClient]]

PAGE = (
    f'{{ persons(gridCode: "{DEMO_GRID_CODE}", first: 50) {{ edges {{ node {{ name '
    "household { address } } } } }"
)  # 1 + 50 × (edges 1 + node 1 + household 1) = 151


async def test_rate_limit_per_principal(graph_with: GraphWith) -> None:
    graph = await graph_with(rate_limit_per_minute=3)
    for _ in range(3):
        assert (
            await graph.http.post(
                "/graphql", json={"query": "{ __typename }"}, headers=graph.headers
            )
        ).status_code == 200
    refused = await graph.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers=graph.headers
    )
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    other = graph.as_role("analyst", subject="someone-else")
    assert (
        await other.http.post("/graphql", json={"query": "{ __typename }"}, headers=other.headers)
    ).status_code == 200


async def test_rate_limit_is_shared_through_redis(
    graph_with: GraphWith, redis_server: RedisServer
) -> None:
    first = await graph_with(rate_limit_per_minute=2, redis_url=redis_server.url)
    second = await graph_with(rate_limit_per_minute=2, redis_url=redis_server.url)
    caller = {
        "Authorization": first.as_role("analyst", subject="shared-caller").headers["Authorization"]
    }
    statuses = [
        (
            await g.http.post("/graphql", json={"query": "{ __typename }"}, headers=caller)
        ).status_code
        for g in (first, second, first)
    ]
    assert statuses == [200, 200, 429]


async def test_cors_is_configurable(graph_with: GraphWith) -> None:
    graph = await graph_with(cors_origins=["https://dashboard.city.example"])
    preflight = await graph.http.options(
        "/graphql",
        headers={
            "Origin": "https://dashboard.city.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://dashboard.city.example"
    stranger = await graph.http.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in stranger.headers
    plain = await graph_with()
    response = await plain.http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": "https://dashboard.city.example"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cost_budgets_per_role(graph_with: GraphWith) -> None:
    graph = await graph_with(max_cost=100, cost_budgets={"analyst": 1000})
    refused = await graph.as_role("grid_worker", DEMO_GRID_CODE).query(PAGE)
    assert refused["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "cost": 151,
        "budget": 100,
    }
    allowed = await graph.as_role("analyst").query(PAGE)
    assert [e["extensions"]["code"] for e in allowed.get("errors", [])] != ["QUERY_TOO_COMPLEX"]
    assert "data" in allowed


async def test_measure_only_logs_hash_and_cost_never_the_text(
    graph_with: GraphWith, caplog: pytest.LogCaptureFixture
) -> None:
    graph = await graph_with(max_cost=100, cost_mode="measure")
    caplog.set_level(logging.INFO, logger="citybrain.limits")
    answer = await graph.as_role("grid_worker", DEMO_GRID_CODE).query(PAGE)
    assert "data" in answer and "QUERY_TOO_COMPLEX" not in str(answer)
    messages = [r.getMessage() for r in caplog.records if r.name == "citybrain.limits"]
    assert len(messages) == 1 and "cost 151 budget 100" in messages[0], messages
    assert DEMO_GRID_CODE not in messages[0] and "persons" not in messages[0]


def test_a_field_declares_its_own_cost_rule() -> None:
    from graphql import parse

    schema = build_schema()._schema
    document = parse(
        f'{{ persons(gridCode: "{DEMO_GRID_CODE}", first: 50) {{ edges {{ cursor }} }} }}'
    )
    default = operation_cost(schema, document, None, {}, default_page_size=20, max_page_size=100)
    assert default == 1 + 50 * 1
    try:
        register_field_cost("Query.persons", lambda args, item: 7 * args["first"] + item)
        assert "Query.persons" in field_cost_rules()
        costed = operation_cost(schema, document, None, {}, default_page_size=20, max_page_size=100)
        assert costed == 7 * 50 + 1
    finally:
        from citybrain.limits import cost

        cost._RULES.pop("Query.persons", None)
    with pytest.raises(ValueError, match=r"Type\.field"):
        register_field_cost("persons", lambda args, item: 1)


def test_default_page_size_and_nesting_count() -> None:
    from graphql import parse

    schema = build_schema()._schema
    nested = parse(
        f'{{ persons(gridCode: "{DEMO_GRID_CODE}") {{ edges {{ node {{ vehicles(first: 5) '
        "{ edges { cursor } } } } } }"
    )
    # persons: default page 20 × (edges 1 + node 1 + vehicles (1 + 5 × edges 1))
    assert operation_cost(
        schema, nested, None, {}, default_page_size=20, max_page_size=100
    ) == 1 + 20 * (1 + 1 + 6)


async def test_redis_down_rate_limit_and_persisted_queries_still_answer(
    graph_with: GraphWith,
) -> None:
    with RedisServer() as redis:
        graph = await graph_with(rate_limit_per_minute=3, redis_url=redis.url)
        store = graph.app.state.endpoint.persisted.store
        assert isinstance(store, RedisStore)
        store.retry_after = 0.0  # try Redis again on every call (no waiting in the test)
        digest = hashlib.sha256(b"{ __typename }").hexdigest()
        by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}

        async def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            response = await graph.http.post("/graphql", json=body, headers=graph.headers)
            return response.status_code, response.json()

        redis.kill()
        # Persisted queries fall back to this process; the limit counts in this process.
        assert await post({"query": "{ __typename }", **by_hash}) == (
            200,
            {"data": {"__typename": "Query"}},
        )
        assert await post(by_hash) == (200, {"data": {"__typename": "Query"}})
        assert (await post({"query": "{ __typename }"}))[0] == 200
        status, refused = await post({"query": "{ __typename }"})
        assert status == 429 and refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert store.errors > 0

        redis.start()  # shared again: Redis holds no count yet
        assert (await post({"query": "{ __typename }"}))[0] == 200
        assert await store.redis.exists(store.prefix + "apq:" + digest) == 0
