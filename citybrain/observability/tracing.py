"""OpenTelemetry spans per request and per department call (off unless enabled).

Only the OpenTelemetry API is used: with ``CITYBRAIN_OTEL_ENABLED=true`` spans go to the
tracer provider the deployment installs (the SDK and an exporter of its choice, e.g.
``opentelemetry-instrument`` or a provider set up before the app starts); with none
installed they cost next to nothing. Attributes never carry keys or personal data.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from opentelemetry import trace

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.trace import TracerProvider

__all__ = [
    "annotate_request",
    "department_span",
    "enable_tracing",
    "request_span",
    "tracing_enabled",
]

_TRACER_NAME = "citybrain"
_enabled = False
_provider: TracerProvider | None = None


def enable_tracing(enabled: bool, provider: TracerProvider | None = None) -> None:
    """Switch span creation on or off for this process.

    Args:
        enabled: create spans (``CITYBRAIN_OTEL_ENABLED``).
        provider: the tracer provider to use; by default the global one that the
            deployment installed (OpenTelemetry's no-op provider when none was).
    """
    global _enabled, _provider  # one switch per process, set at start-up
    _enabled = enabled
    _provider = provider


def _tracer() -> trace.Tracer:
    if _provider is not None:
        return _provider.get_tracer(_TRACER_NAME)
    return trace.get_tracer(_TRACER_NAME)


def tracing_enabled() -> bool:
    """Whether spans are being created."""
    return _enabled


@contextlib.contextmanager
def request_span(request_id: str) -> Iterator[None]:
    """A span around one GraphQL request (its operation is added when known)."""
    if not _enabled:
        yield
        return
    tracer = _tracer()
    with tracer.start_as_current_span(
        "graphql.request",
        kind=trace.SpanKind.SERVER,
        attributes={"citybrain.request_id": request_id},
    ):
        yield


def annotate_request(operation: str, outcome: str) -> None:
    """Add the operation's (bounded) name and outcome to the current request span."""
    if _enabled:
        span = trace.get_current_span()
        span.set_attribute("graphql.operation.name", operation)
        span.set_attribute("citybrain.outcome", outcome)


@contextlib.contextmanager
def department_span(department: str, method: str, size: int) -> Iterator[None]:
    """A span around one call to a department's system."""
    if not _enabled:
        yield
        return
    tracer = _tracer()
    with tracer.start_as_current_span(
        f"department.{method}",
        kind=trace.SpanKind.CLIENT,
        attributes={
            "citybrain.department": department,
            "citybrain.method": method,
            "citybrain.batch_size": size,
        },
    ):
        yield
