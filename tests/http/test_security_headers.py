"""The security headers of docs/security.md are on every response the app sends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.http.test_profiles import PRODUCTION

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from tests.city import GraphClient

    GraphWith = Callable[..., Coroutine[Any, Any, GraphClient]]

HTML = {"Accept": "text/html"}
ALWAYS = {
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
}
HSTS = "strict-transport-security"

# (route, method, httpx keyword arguments, expected status)
ROUTES: list[tuple[str, str, dict[str, Any], int]] = [
    ("/graphql", "GET", {"headers": HTML}, 200),  # the GraphiQL page, with a demo token
    ("/graphql", "POST", {"json": {"query": "{ __typename }"}}, 200),
    ("/graphql", "POST", {"json": {"query": "{"}, "headers": {"Authorization": "Basic x"}}, 401),
    ("/dashboard", "GET", {}, 200),
    ("/healthz", "GET", {}, 200),
    ("/readyz", "GET", {}, 200),
    ("/metrics", "GET", {}, 200),
    ("/static/dashboard/dashboard.js", "GET", {}, 200),
    ("/static/vendor/versions.json", "GET", {}, 200),
    ("/nowhere", "GET", {}, 404),
]


@pytest.mark.parametrize(
    ("route", "method", "request_", "status"),
    [pytest.param(*route, id=f"{route[1]} {route[0]} {route[3]}") for route in ROUTES],
)
async def test_every_response_carries_the_security_headers(
    graph_with: GraphWith, route: str, method: str, request_: dict[str, Any], status: int
) -> None:
    graph = await graph_with()
    answer = await graph.http.request(method, route, **request_)
    assert answer.status_code == status, answer.text[:300]
    for name, value in ALWAYS.items():
        assert answer.headers.get(name) == value, (name, dict(answer.headers))
    assert len(answer.headers["x-request-id"]) == 32
    assert len(answer.headers.get_list("x-request-id")) == 1
    assert HSTS not in answer.headers  # development: no HSTS


async def test_production_adds_hsts_and_the_dashboard_keeps_its_policy(
    graph_with: GraphWith,
) -> None:
    graph = await graph_with(**PRODUCTION)
    for route in ("/healthz", "/metrics", "/dashboard", "/static/dashboard/dashboard.css"):
        answer = await graph.http.get(route)
        assert answer.headers[HSTS].startswith("max-age="), route
        assert answer.headers["cache-control"] == "no-store", route
    dashboard = await graph.http.get("/dashboard")
    assert "script-src 'self'" in dashboard.headers["content-security-policy"]
    assert len(dashboard.headers.get_list("cache-control")) == 1
