"""Around each GraphQL request: its observation, span, metrics, log line and extensions."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from citybrain.observability.metrics import METRICS
from citybrain.observability.requests import (
    RequestObservation,
    current_observation,
    observe_request,
    stop_observing,
)
from citybrain.observability.tracing import annotate_request, request_span

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send
    from strawberry.http import GraphQLHTTPResponse

__all__ = ["ObservedEndpoint", "finish_request"]

logger = logging.getLogger("citybrain.requests")


class ObservedEndpoint:
    """ASGI wrapper of ``/graphql``: one :class:`RequestObservation` per HTTP request.

    Args:
        app: the GraphQL endpoint.
        lineage_header: the request header that asks for ``extensions.lineage``
            (any value but ``0``, ``false`` or ``no``).
    """

    def __init__(self, app: ASGIApp, *, lineage_header: str = "X-Citybrain-Lineage") -> None:
        self.app = app
        self.lineage_header = lineage_header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        observation = RequestObservation()
        for name, value in scope.get("headers", ()):
            if name == self.lineage_header and value.lower() not in (b"0", b"false", b"no"):
                observation.lineage = {}
        token = observe_request(observation)
        try:
            with request_span(observation.request_id):
                await self.app(scope, receive, send)
        finally:
            stop_observing(token)


def _outcome(response: GraphQLHTTPResponse) -> str:
    errors = response.get("errors")
    if not errors:
        return "ok"
    return "partial" if response.get("data") is not None else "error"


def finish_request(response: GraphQLHTTPResponse) -> GraphQLHTTPResponse:
    """Add ``degraded`` (and ``lineage``) to the response's extensions; count and log it."""
    observation = current_observation()
    if observation is None:
        return response
    extensions: dict[str, Any] | None = None
    if observation.degraded:
        extensions = dict(response.get("extensions") or {})
        extensions["degraded"] = observation.degraded_json()
    if observation.lineage is not None:
        extensions = (
            extensions if extensions is not None else dict(response.get("extensions") or {})
        )
        extensions["lineage"] = observation.lineage_json()
    if extensions is not None:
        response["extensions"] = extensions
    operation = METRICS.operation(observation.operation)
    outcome = _outcome(response)
    seconds = time.perf_counter() - observation.started
    annotate_request(operation, outcome)
    METRICS.requests.labels(operation, outcome).inc()
    METRICS.request_seconds.labels(operation).observe(seconds)
    codes: list[str] = []
    for error in response.get("errors") or []:
        details = error.get("extensions") if isinstance(error, dict) else None
        code = str((details or {}).get("code") or "UNKNOWN")
        codes.append(code)
        METRICS.errors.labels(code).inc()
    logger.info(
        "graphql request",
        extra={
            "operation": operation,
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 2),
            "department_calls": observation.department_calls,
            "error_codes": sorted(set(codes)),
            "degraded": sorted(observation.degraded),
        },
    )
    return response
