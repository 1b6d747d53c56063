"""``/metrics`` (Prometheus text) and ``/readyz`` (each department, the cache, the audit store)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, cast

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import JSONResponse, Response

from citybrain.auth.audit_records import AuditUnavailable
from citybrain.connectors.layers import ConnectorLayer
from citybrain.observability.metrics import METRICS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from starlette.requests import Request

    from citybrain.auth.audit_gate import AuditGate
    from citybrain.connectors import Connector

__all__ = ["metrics_endpoint", "readiness", "readyz_endpoint"]

CHECK_TIMEOUT = 2.0
"""Seconds any one component may take to answer a readiness check."""


async def metrics_endpoint(request: Request) -> Response:
    """Every series of :data:`citybrain.observability.metrics.METRICS`."""
    return Response(generate_latest(METRICS.registry), media_type=CONTENT_TYPE_LATEST)


def _layer(connector: Connector, kind: str) -> Any:
    while isinstance(connector, ConnectorLayer):
        if type(connector).__name__ == kind:
            return connector
        connector = connector.inner
    return None


async def _check(probe: Callable[[], Awaitable[Any]]) -> tuple[bool, str | None]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await probe()
    except TimeoutError:
        return False, "timeout"
    except Exception as exc:  # the type only: a message may hold a host or DSN
        return False, type(exc).__name__
    return True, None


async def _department(connector: Connector) -> dict[str, Any]:
    ok, error = await _check(connector.check_health)
    status: dict[str, Any] = {"status": "up" if ok else "down"}
    if error:
        status["error"] = error
    guard = _layer(connector, "ResilientConnector")
    if guard is not None:
        status["breaker"] = guard.breaker.state
        if guard.failing_since is not None:
            status["failingSince"] = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(guard.failing_since)
            )
    return status


async def _audit(audit: AuditGate) -> None:
    # The gate creates the store on first use; then the store itself is asked, uncached.
    if not await audit.ready():
        raise AuditUnavailable("the audit store cannot be written")
    await audit.store.check_health()


async def readiness(
    connectors: Mapping[str, Connector], audit: AuditGate
) -> tuple[bool, dict[str, Any]]:
    """Check every component at once; ready unless the audit store is down.

    A department or the cache being down degrades answers (their fields are null, or
    reads go to the departments) but the service still serves: it stays ready. Without the
    audit store no personal field may be served, so the service is not ready.
    """
    names = list(connectors)
    stores = {}
    for connector in connectors.values():
        cache = _layer(connector, "CachingConnector")
        if cache is not None:
            stores[id(cache.store)] = cache.store
    checks = await asyncio.gather(
        *(_department(connectors[name]) for name in names),
        *(_check(store.ping) for store in stores.values()),
        _check(lambda: _audit(audit)),
    )
    components: dict[str, Any] = {}
    for name, status in zip(names, checks[: len(names)], strict=True):
        components[f"department:{name}"] = status
    for store, (ok, error) in zip(stores.values(), checks[len(names) : -1], strict=True):
        components["cache"] = {"status": "up" if ok else "down", "backend": store.name}
        if error:
            components["cache"]["error"] = error
    audit_ok, audit_error = cast("tuple[bool, str | None]", checks[-1])
    components["audit"] = {"status": "up" if audit_ok else "down"}
    if audit_error:
        components["audit"]["error"] = audit_error
    return audit_ok, components


def readyz_endpoint(
    connectors: Mapping[str, Connector], audit: AuditGate
) -> Callable[[Request], Awaitable[Response]]:
    """The ``/readyz`` handler: 200 when ready, 503 when not, JSON status per component."""

    async def readyz(request: Request) -> Response:
        ready, components = await readiness(connectors, audit)
        body = {"status": "ready" if ready else "not ready", "components": components}
        return JSONResponse(body, status_code=200 if ready else 503)

    return readyz
