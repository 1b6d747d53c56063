"""Authentication of /graphql: headers, purposes, where the principal goes, what is logged."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, request_response

from citybrain.app import CityGraphQL
from citybrain.auth import (
    ANONYMOUS,
    BearerAuthentication,
    Principal,
    Role,
    TokenVerifier,
)
from citybrain.auth.middleware import graphiql_headers
from citybrain.seed import DEMO_ID_NUMBER
from citybrain.settings import Settings
from tests.auth import OTHER_SECRET, bearer, hs256

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import Message, Receive, Scope, Send

    from citybrain.federation import RequestContext
    from tests.city import GraphClient

TYPENAME = {"query": "{ __typename }"}
EPIDEMIC = "epidemic-control"


@pytest.mark.parametrize(
    "value",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNzd29yZA==", "Token abc.def.ghi", "Bearer a b", "ey"],
)
async def test_malformed_authorization_headers_get_401(graph: GraphClient, value: str) -> None:
    response = await graph.http.post("/graphql", json=TYPENAME, headers={"Authorization": value})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json() == {
        "errors": [
            {
                "message": "invalid bearer token: the Authorization header must be "
                "'Bearer <token>'",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


async def test_two_authorization_headers_get_401(graph: GraphClient) -> None:
    token = hs256(graph.settings)
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    response = await graph.http.post("/graphql", json=TYPENAME, headers=headers)
    assert response.status_code == 401


async def test_the_scheme_is_case_insensitive(graph: GraphClient) -> None:
    headers = {"Authorization": f"bearer {hs256(graph.settings)}"}
    response = await graph.http.post("/graphql", json=TYPENAME, headers=headers)
    assert response.status_code == 200, response.text


async def test_other_paths_are_not_authenticated(graph: GraphClient) -> None:
    response = await graph.http.get("/healthz", headers={"Authorization": "Basic eA=="})
    assert response.status_code == 200


@pytest.fixture
def contexts(monkeypatch: pytest.MonkeyPatch) -> list[RequestContext]:
    """The request contexts the app builds, in order."""
    built: list[RequestContext] = []
    original = CityGraphQL.get_context

    async def get_context(self: CityGraphQL, request: Any, response: Any) -> RequestContext:
        context = await original(self, request, response)
        built.append(context)
        return context

    monkeypatch.setattr(CityGraphQL, "get_context", get_context)
    return built


async def test_the_principal_reaches_the_request_context(
    graph: GraphClient, contexts: list[RequestContext]
) -> None:
    token = hs256(
        graph.settings,
        sub="worker-7",
        roles=["grid_worker"],
        jurisdiction="120101001001001",
        purposes=[EPIDEMIC],
    )
    headers = {**bearer(token), "X-Purpose": EPIDEMIC}
    assert (await graph.http.post("/graphql", json=TYPENAME, headers=headers)).is_success
    assert (await graph.http.post("/graphql", json=TYPENAME)).is_success
    worker, anonymous = (context.principal for context in contexts)
    assert worker.subject == "worker-7"
    assert worker.roles == {Role.GRID_WORKER}
    assert worker.jurisdiction_prefix == "120101001001001"
    assert worker.purpose == EPIDEMIC
    assert anonymous is ANONYMOUS


@pytest.mark.parametrize(
    ("purposes", "declared", "status"),
    [
        ([EPIDEMIC], EPIDEMIC, 200),
        ([EPIDEMIC], "marketing", 403),
        ([], EPIDEMIC, 403),
        (None, EPIDEMIC, 403),  # anonymous: no purpose is granted
        ([EPIDEMIC], "  ", 200),  # a blank X-Purpose declares nothing
    ],
)
async def test_declared_purposes_must_be_granted(
    graph: GraphClient, purposes: list[str] | None, declared: str, status: int
) -> None:
    headers = {"X-Purpose": declared}
    if purposes is not None:
        headers.update(bearer(hs256(graph.settings, purposes=purposes)))
    response = await graph.http.post("/graphql", json=TYPENAME, headers=headers)
    assert response.status_code == status, response.text
    if status == 403:
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "FORBIDDEN"}
        assert f"purpose {declared!r} is not granted by your token" in error["message"]


async def test_failures_are_logged_without_tokens_or_id_numbers(
    graph: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = hs256(graph.settings, OTHER_SECRET, roles=["citizen"], jurisdiction=DEMO_ID_NUMBER)
    response = await graph.http.post("/graphql", json=TYPENAME, headers=bearer(token))
    assert response.status_code == 401
    refusals = [r for r in caplog.records if r.name == "citybrain.auth"]
    assert [r.getMessage() for r in refusals] == [
        "refused a bearer token on /graphql: bad signature"
    ]
    for secret in (token, token.split(".")[1], DEMO_ID_NUMBER):
        assert secret not in caplog.text


async def test_graphiql_carries_a_demo_citizen_token_in_development(graph: GraphClient) -> None:
    page = await graph.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    config = page.text.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    headers = json.loads(json.loads(config)["defaultHeaders"])
    scheme, token = headers["Authorization"].split(" ")
    principal = TokenVerifier(graph.settings).verify(token)
    assert scheme == "Bearer"
    assert principal.roles == {Role.CITIZEN}
    assert principal.own_id_number == DEMO_ID_NUMBER


def test_graphiql_has_no_token_in_production() -> None:
    settings = Settings(profile="production", signing_key=SecretStr(OTHER_SECRET))
    assert graphiql_headers(settings) is None


def test_graphiql_carries_a_token_only_for_this_machine_on_the_development_key() -> None:
    development = Settings()
    assert graphiql_headers(development, "127.0.0.1") is not None
    assert graphiql_headers(development, "192.168.1.20") is None
    assert (
        graphiql_headers(development.model_copy(update={"signing_key": SecretStr(OTHER_SECRET)}))
        is None
    )


# --- the middleware alone (the state it leaves, WebSocket upgrades) --------------------------


async def test_the_middleware_puts_the_principal_in_request_state() -> None:
    async def echo(request: Request) -> JSONResponse:
        principal: Principal = request.state.principal
        return JSONResponse({"roles": sorted(principal.roles), "purpose": principal.purpose})

    settings = Settings()
    guarded = BearerAuthentication(request_response(echo), TokenVerifier(settings))
    app = Starlette(routes=[Route("/graphql", guarded)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        token = hs256(settings, roles=["health_officer"], purposes=[EPIDEMIC])
        found = await client.post("/graphql", headers={**bearer(token), "X-Purpose": EPIDEMIC})
        assert found.json() == {"roles": ["health_officer"], "purpose": EPIDEMIC}
        anonymous = await client.post("/graphql")
        assert anonymous.json() == {"roles": ["anonymous"], "purpose": None}


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"authorization": "Bearer not-a-jwt"}, 4401),
        ({"x-purpose": EPIDEMIC}, 4403),
    ],
)
async def test_websockets_that_fail_are_closed(headers: dict[str, str], code: int) -> None:
    sent: list[Message] = []

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("a refused WebSocket must not reach the endpoint")

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "websocket",
        "path": "/graphql",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    await BearerAuthentication(endpoint, TokenVerifier(Settings()))(scope, receive, send)
    assert [(m["type"], m["code"]) for m in sent] == [("websocket.close", code)]
