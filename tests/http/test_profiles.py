"""The production profile: no introspection or suggestions, GraphiQL for analysts only,
GET for persisted operations only, federation fields behind the gateway credential,
security headers; and what ``serve --production`` refuses."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from citybrain.cli import app as cli
from citybrain.http.production import production_problems
from citybrain.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from pathlib import Path

    from tests.city import GraphClient

    GraphWith = Callable[..., Coroutine[Any, Any, GraphClient]]

PRODUCTION: dict[str, Any] = {
    "profile": "production",
    "signing_key": SecretStr("a-production-signing-key-for-tests"),
    "gateway_secret": SecretStr("gateway-shared-secret"),
}
GQL = "application/graphql-response+json"


async def test_production_hides_the_schema(graph_with: GraphWith) -> None:
    graph = await graph_with(**PRODUCTION)
    response = await graph.http.post(
        "/graphql", json={"query": "{ __schema { types { name } } }"}, headers={"Accept": GQL}
    )
    assert response.status_code == 400
    assert "introspection" in response.json()["errors"][0]["message"]
    typo = await graph.http.post("/graphql", json={"query": "{ district { nam } }"})
    assert "Did you mean" not in typo.text
    development = await graph_with()
    typo = await development.http.post("/graphql", json={"query": "{ districts { edge } }"})
    assert "Did you mean 'edges'" in typo.text


async def test_graphiql_analysts_may_introspect_in_production(graph_with: GraphWith) -> None:
    graph = await graph_with(**PRODUCTION)
    query = {"query": "{ __schema { queryType { name } } }"}
    analyst = graph.as_role("analyst")
    answer = (await analyst.http.post("/graphql", json=query, headers=analyst.headers)).json()
    assert answer == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    worker = graph.as_role("grid_worker", "120101001001001")
    refused = (await worker.http.post("/graphql", json=query, headers=worker.headers)).json()
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    closed = await graph_with(**PRODUCTION, graphiql=False)
    analyst = closed.as_role("analyst")
    refused = (await analyst.http.post("/graphql", json=query, headers=analyst.headers)).json()
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_production_security_headers(graph_with: GraphWith) -> None:
    graph = await graph_with(**PRODUCTION)
    response = await graph.http.post("/graphql", json={"query": "{ __typename }"})
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert len(response.headers["x-request-id"]) == 32


async def test_graphiql_only_for_analysts_in_production(graph_with: GraphWith) -> None:
    graph = await graph_with(**PRODUCTION)
    page = {"Accept": "text/html"}
    assert (await graph.http.get("/graphql", headers=page)).status_code == 403
    analyst = graph.as_role("analyst")
    shown = await graph.http.get("/graphql", headers={**page, **analyst.headers})
    assert shown.status_code == 200 and "graphiql" in shown.text.lower()
    off = await graph_with(**PRODUCTION, graphiql=False)
    assert (await off.http.get("/graphql", headers={**page, **analyst.headers})).status_code == 404


async def test_get_runs_persisted_operations_only_in_production(graph_with: GraphWith) -> None:
    graph = await graph_with(**PRODUCTION)
    query = "{ __typename }"
    refused = await graph.http.get("/graphql", params={"query": query})
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = f'{{"persistedQuery": {{"version": 1, "sha256Hash": "{digest}"}}}}'
    await graph.http.post(
        "/graphql",
        json={
            "query": query,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
        },
    )
    persisted = await graph.http.get("/graphql", params={"extensions": extensions})
    assert persisted.status_code == 200 and persisted.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "field",
    [
        "{ _service { sdl } }",
        '{ _entities(representations: [{__typename: "Grid", code: "120101001001001"}]) { __typename } }',
    ],
)
async def test_federation_fields_need_the_gateway_credential(
    graph_with: GraphWith, field: str
) -> None:
    graph = await graph_with(**PRODUCTION)
    graph.statements.reset()
    refused = await graph.http.post("/graphql", json={"query": field}, headers={"Accept": GQL})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    wrong = await graph.http.post(
        "/graphql", json={"query": field}, headers={"X-Gateway-Secret": "gateway-shared-secreT"}
    )
    assert wrong.status_code == 403
    through_fragment = "{ ...F } fragment F on Query " + field
    assert (await graph.http.post("/graphql", json={"query": through_fragment})).status_code == 403
    assert graph.statements.counts == {}
    allowed = await graph.http.post(
        "/graphql", json={"query": field}, headers={"X-Gateway-Secret": "gateway-shared-secret"}
    )
    assert allowed.status_code == 200 and "errors" not in allowed.json(), allowed.text
    development = await graph_with()
    assert (await development.http.post("/graphql", json={"query": field})).status_code == 200


async def test_unacceptable_accept_and_methods(graph_with: GraphWith) -> None:
    graph = await graph_with()
    refused = await graph.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/xml"}
    )
    assert refused.status_code == 406
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
    put = await graph.http.put("/graphql", json={"query": "{ __typename }"})
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    ranked = await graph.http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Accept": "application/json;q=0.5, application/graphql-response+json"},
    )
    assert ranked.headers["content-type"] == f"{GQL}; charset=utf-8"


def test_serve_production_refuses_unsafe_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITYBRAIN_SAFELIST", "enforce")
    serve = CliRunner().invoke(cli, ["serve", "--production"])
    assert serve.exit_code == 2
    output = " ".join(serve.output.split())
    assert "CITYBRAIN_ALLOW_SQLITE_AUDIT" in output
    assert "CITYBRAIN_REDIS_URL" in output
    assert "holds no operation" in output


def test_a_production_set_up_has_no_safety_problems(tmp_path: Path) -> None:
    manifest = tmp_path / "operations.json"
    manifest.write_text('{"operations": {"%s": {"query": "{ __typename }"}}}' % ("0" * 64))
    settings = Settings(
        profile="production",
        audit_url="postgresql+asyncpg://audit@db/audit",
        redis_url="redis://cache:6379/0",
        safelist="enforce",
        operations_file=manifest,
    )
    assert production_problems(settings) == []
    consenting = Settings(
        profile="production",
        allow_sqlite_audit=True,
        persisted_queries=False,
        rate_limit_per_minute=0,
    )
    assert production_problems(consenting) == []
