"""Automatic persisted queries and the safelist: registered by the CLI, shared over Redis."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from typer.testing import CliRunner

from citybrain.cli import app as cli

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from pathlib import Path

    import pytest

    from tests.city import GraphClient
    from tests.servers import RedisServer

    GraphWith = Callable[..., Coroutine[Any, Any, GraphClient]]

QUERY = "query Districts { districts(first: 2) { edges { node { code name } } } }"
DIGEST = hashlib.sha256(QUERY.encode()).hexdigest()
BY_HASH = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": DIGEST}}}


async def post(graph: GraphClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await graph.http.post("/graphql", json=body, headers=graph.headers)
    return response.status_code, response.json()


def codes(answer: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in answer.get("errors", [])]


async def test_automatic_persisted_queries(graph_with: GraphWith) -> None:
    graph = await graph_with()
    status, answer = await post(graph, BY_HASH)
    assert (status, codes(answer)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
    status, answer = await post(graph, {"query": QUERY, **BY_HASH})
    assert status == 200 and len(answer["data"]["districts"]["edges"]) == 2
    status, again = await post(graph, BY_HASH)
    assert again == answer
    wrong = {"query": "{ __typename }", **BY_HASH}
    status, answer = await post(graph, wrong)
    assert (status, codes(answer)) == (400, ["BAD_REQUEST"])


async def test_persisted_queries_are_shared_through_redis(
    graph_with: GraphWith, redis_server: RedisServer
) -> None:
    first = await graph_with(redis_url=redis_server.url)
    second = await graph_with(redis_url=redis_server.url)
    digest = hashlib.sha256(b"{ __typename }").hexdigest()
    by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    assert codes((await post(second, by_hash))[1]) == ["PERSISTED_QUERY_NOT_FOUND"]
    await post(first, {"query": "{ __typename }", **by_hash})
    assert (await post(second, by_hash))[1] == {"data": {"__typename": "Query"}}


async def test_registered_operations_form_the_safelist(
    graph_with: GraphWith, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    operation = tmp_path / "districts.graphql"
    operation.write_text(QUERY, encoding="utf-8")
    manifest = tmp_path / "operations.json"
    result = CliRunner().invoke(
        cli, ["operations", "register", str(operation), "--manifest", str(manifest)]
    )
    assert result.exit_code == 0, result.output
    assert (
        DIGEST in result.output.replace("\n", "").replace(" ", "") or DIGEST[:20] in result.output
    )
    listed = CliRunner().invoke(cli, ["operations", "list", "--manifest", str(manifest), "--json"])
    assert DIGEST in listed.output and "Districts" in listed.output

    graph = await graph_with(safelist="enforce", operations_file=manifest)
    status, by_hash = await post(graph, BY_HASH)
    assert status == 200 and len(by_hash["data"]["districts"]["edges"]) == 2
    assert (await post(graph, {"query": QUERY}))[1] == by_hash  # the exact text is allowed too
    status, answer = await post(graph, {"query": "{ districts { edges { cursor } } }"})
    assert (status, codes(answer)) == (200, ["OPERATION_NOT_IN_SAFELIST"])
    # Clients cannot add to the safelist by sending a document with its hash.
    other = "{ __typename }"
    digest = hashlib.sha256(other.encode()).hexdigest()
    apq = {"query": other, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    assert codes((await post(graph, apq))[1]) == ["OPERATION_NOT_IN_SAFELIST"]

    logged = await graph_with(safelist="log", operations_file=manifest)
    caplog.set_level(logging.INFO, logger="citybrain.http")
    personal_query = '{ person(idNumber: "120101199003071234") { name } }'
    status, answer = await post(logged, {"query": personal_query})
    assert status == 200 and "data" in answer
    warned = [r.getMessage() for r in caplog.records if "safelist" in r.getMessage()]
    assert warned == [
        f"operation {hashlib.sha256(personal_query.encode()).hexdigest()} is not on the "
        "safelist (logged, not refused)"
    ]
    assert all("120101199003071234" not in r.getMessage() for r in caplog.records)


def test_registering_an_invalid_operation_registers_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.graphql"
    good.write_text(QUERY, encoding="utf-8")
    bad = tmp_path / "bad.graphql"
    bad.write_text("{ districts { nope } }", encoding="utf-8")
    manifest = tmp_path / "operations.json"
    result = CliRunner().invoke(
        cli, ["operations", "register", str(good), str(bad), "--manifest", str(manifest)]
    )
    assert result.exit_code == 1
    assert "nothing registered" in result.output and "nope" in result.output
    assert not manifest.exists()


async def test_one_callers_persisted_query_is_not_anothers(graph_with: GraphWith) -> None:
    # A document may hold the ID number its sender looked up: another caller must not learn,
    # by sending its hash, that someone sent it.
    graph = await graph_with()
    other = graph.as_role("analyst", subject="someone-else")
    anonymous = graph.as_role(None)
    assert (await post(graph, {"query": QUERY, **BY_HASH}))[0] == 200
    for caller in (other, anonymous):
        status, answer = await post(caller, BY_HASH)
        assert (status, codes(answer)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
    assert (await post(graph, BY_HASH))[0] == 200
