"""Around each GraphQL request: its observation, span, metrics, log line and extensions."""

from __future__ import annotations

import asyncio
import json
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
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
    from strawberry.http import GraphQLHTTPResponse

__all__ = ["ObservedEndpoint", "finish_request"]

logger = logging.getLogger("citybrain.requests")


_REFUSAL_BODY = 65_536
"""Bytes of a refusal's body read for its error codes (refusals are small)."""


class _Answer:
    """What the client was sent: status, whether JSON, and (for a refusal) the body."""

    __slots__ = ("body", "json", "status")

    def __init__(self) -> None:
        self.status = 500
        self.json = False
        self.body = b""


class ObservedEndpoint:
    """ASGI wrapper of ``/graphql``: one :class:`RequestObservation` per HTTP request.

    Every request ends with one ``graphql request`` log line and is counted in the
    metrics, including those refused before any operation ran (method, media type, body
    size, rate limit, parse errors, limits, safelist, authentication): their outcome is
    ``refused`` and their error codes come from the answer sent.

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
        answer = _Answer()

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                headers = list(message.get("headers", ()))
                answer.json = any(
                    k.lower() == b"content-type" and b"json" in v.lower() for k, v in headers
                )
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", observation.request_id.encode("ascii")))
                    message = {**message, "headers": headers}
            elif (
                message["type"] == "http.response.body"
                and observation.outcome is None
                and answer.json
                and len(answer.body) < _REFUSAL_BODY
            ):
                answer.body += message.get("body", b"")
            await send(message)

        token = observe_request(observation)
        try:
            with request_span(observation.request_id):
                try:
                    await self.app(scope, receive, observed_send)
                except asyncio.CancelledError:  # the client went away
                    observation.outcome = observation.outcome or "cancelled"
                    raise
                except Exception:
                    if observation.outcome is None:
                        observation.outcome = "error"
                        observation.error_codes = ["INTERNAL_SERVER_ERROR"]
                    raise
                finally:
                    _record(observation, answer)
        finally:
            stop_observing(token)


def _refusal_codes(answer: _Answer) -> list[str]:
    try:
        body = json.loads(answer.body)
        errors = body.get("errors") or []
        return [str((e.get("extensions") or {}).get("code") or "UNKNOWN") for e in errors]
    except (ValueError, AttributeError, TypeError):
        return [] if answer.status < 400 else ["UNKNOWN"]


def _record(observation: RequestObservation, answer: _Answer) -> None:
    """Count and log one request, whatever became of it."""
    if observation.outcome is None:  # answered before any operation ran
        observation.error_codes = _refusal_codes(answer)
        failed = answer.status >= 400 or observation.error_codes
        observation.outcome = "refused" if failed else "ok"
    operation = METRICS.operation(observation.operation)
    seconds = time.perf_counter() - observation.started
    annotate_request(operation, observation.outcome)
    METRICS.requests.labels(operation, observation.outcome).inc()
    METRICS.request_seconds.labels(operation).observe(seconds)
    for code in observation.error_codes:
        METRICS.errors.labels(code).inc()
    logger.info(
        "graphql request",
        extra={
            "operation": operation,
            "outcome": observation.outcome,
            "status": answer.status,
            "duration_ms": round(seconds * 1000, 2),
            "department_calls": observation.department_calls,
            "error_codes": sorted(set(observation.error_codes)),
            "degraded": sorted(observation.degraded),
        },
    )


def _outcome(response: GraphQLHTTPResponse) -> str:
    errors = response.get("errors")
    if not errors:
        return "ok"
    return "partial" if response.get("data") is not None else "error"


def finish_request(response: GraphQLHTTPResponse) -> GraphQLHTTPResponse:
    """Add ``degraded`` (and ``lineage``) to the response's extensions; note its outcome.

    The request is counted and logged when its answer has been sent
    (:class:`ObservedEndpoint`).
    """
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
    observation.outcome = _outcome(response)
    codes: list[str] = []
    for error in response.get("errors") or []:
        details = error.get("extensions") if isinstance(error, dict) else None
        codes.append(str((details or {}).get("code") or "UNKNOWN"))
    observation.error_codes = codes
    return response
