"""Requests refused before any operation runs are logged and counted like every other."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from pathlib import Path

    from tests.city import GraphClient

    GraphWith = Callable[..., Coroutine[Any, Any, GraphClient]]

JSON = {"Content-Type": "application/json"}
HELLO = {"query": "query Hello { __typename }"}

# (case, settings, request: method + httpx keyword arguments, expected status, code)
REFUSALS: list[tuple[str, dict[str, Any], dict[str, Any], int, str]] = [
    ("bad JSON", {}, {"content": b"{not json", "headers": JSON}, 400, "BAD_REQUEST"),
    ("parse error", {}, {"json": {"query": "{ __typename "}}, 200, "GRAPHQL_PARSE_FAILED"),
    (
        "too many tokens",
        {"max_tokens": 20},
        {"json": {"query": "{ " + "__typename " * 30 + "}"}},
        200,
        "TOO_MANY_TOKENS",
    ),
    ("safelist", {"safelist": "enforce"}, {"json": HELLO}, 200, "OPERATION_NOT_IN_SAFELIST"),
    ("rate limit", {"rate_limit_per_minute": 1}, {"json": HELLO}, 429, "RATE_LIMITED"),
    (
        "body too large",
        {"max_body_bytes": 1024},
        {"json": {"query": "{ __typename }", "variables": {"x": "x" * 2000}}},
        413,
        "PAYLOAD_TOO_LARGE",
    ),
    (
        "media type",
        {},
        {"content": b"{ __typename }", "headers": {"Content-Type": "text/plain"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    ("method", {}, {"method": "PUT", "json": HELLO}, 405, "METHOD_NOT_ALLOWED"),
    (
        "bad token",
        {},
        {"json": HELLO, "headers": {"Authorization": "Bearer not-a-token"}},
        401,
        "UNAUTHENTICATED",
    ),
]


def _metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _metrics(graph: GraphClient) -> str:
    return (await graph.http.get("/metrics")).text


@pytest.mark.parametrize(
    ("settings", "request_", "status", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
async def test_refused_requests_end_with_a_log_line_and_are_counted(
    graph_with: GraphWith,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    settings: dict[str, Any],
    request_: dict[str, Any],
    status: int,
    code: str,
) -> None:
    if settings.get("safelist"):
        settings = {**settings, "operations_file": tmp_path / "operations.json"}
    graph = await graph_with(**settings)
    anonymous = graph.as_role(None)
    if code == "RATE_LIMITED":  # the caller's one request of the minute
        assert (await anonymous.http.post("/graphql", json=HELLO)).status_code == 200
    request = dict(request_)
    method = request.pop("method", "POST")
    requests = 'citybrain_requests_total{operation="anonymous",outcome="refused"}'
    errors = f'citybrain_errors_total{{code="{code}"}}'
    before = await _metrics(graph)
    caplog.clear()
    caplog.set_level(logging.INFO, logger="citybrain")
    answer = await anonymous.http.request(method, "/graphql", **request)
    assert answer.status_code == status, answer.text
    assert answer.json()["errors"][0]["extensions"]["code"] == code
    after = await _metrics(graph)
    assert _metric(after, requests) == _metric(before, requests) + 1
    assert _metric(after, errors) == _metric(before, errors) + 1
    (line,) = [r for r in caplog.records if r.getMessage() == "graphql request"]
    assert line.outcome == "refused" and line.error_codes == [code]  # type: ignore[attr-defined]
    assert line.status == status  # type: ignore[attr-defined]
    assert len(answer.headers["X-Request-Id"]) == 32


async def test_a_request_that_ran_is_logged_once(
    graph_with: GraphWith, caplog: pytest.LogCaptureFixture
) -> None:
    graph = await graph_with()
    caplog.set_level(logging.INFO, logger="citybrain")
    answer = await graph.http.post("/graphql", json=HELLO, headers=graph.headers)
    assert answer.status_code == 200
    (line,) = [r for r in caplog.records if r.getMessage() == "graphql request"]
    assert line.outcome == "ok" and line.operation == "Hello"  # type: ignore[attr-defined]
