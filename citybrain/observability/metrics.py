"""Prometheus metrics of the service: one registry, served at ``/metrics``.

Labels never carry personal data: operations are client-chosen names checked against a
pattern and capped in number, departments and entities come from the code, error codes
from :mod:`citybrain.errors`.
"""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["BREAKER_STATES", "METRICS", "Metrics", "operation_label"]

BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
_OPERATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_MAX_OPERATIONS = 200
_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)


class Metrics:
    """Every series the service exports, in a registry of its own.

    Args:
        registry: where the series live (a fresh one by default).
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "citybrain_requests", "GraphQL requests by operation and outcome",
            ["operation", "outcome"], registry=r,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "citybrain_request_seconds", "GraphQL request latency", ["operation"],
            buckets=_LATENCY, registry=r,
        )  # fmt: skip
        self.errors = Counter(
            "citybrain_errors", "GraphQL errors by extensions.code", ["code"], registry=r
        )
        self.department_calls = Counter(
            "citybrain_department_calls", "Calls that reached a department's system",
            ["department", "method", "outcome"], registry=r,
        )  # fmt: skip
        self.department_seconds = Histogram(
            "citybrain_department_call_seconds", "Latency of department calls",
            ["department", "method"], buckets=_LATENCY, registry=r,
        )  # fmt: skip
        self.batch_size = Histogram(
            "citybrain_department_batch_size", "Keys per department call",
            ["department", "method"], buckets=_SIZES, registry=r,
        )  # fmt: skip
        self.department_errors = Counter(
            "citybrain_department_errors", "Failed department calls by reason",
            ["department", "reason"], registry=r,
        )  # fmt: skip
        self.retries = Counter(
            "citybrain_department_retries", "Reads retried", ["department"], registry=r
        )
        self.breaker_state = Gauge(
            "citybrain_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open",
            ["department"], registry=r,
        )  # fmt: skip
        self.breaker_rejections = Counter(
            "citybrain_breaker_rejections", "Calls refused by an open breaker",
            ["department"], registry=r,
        )  # fmt: skip
        self.cache = Counter(
            "citybrain_cache_lookups", "Cache lookups by result (hit, miss)",
            ["department", "entity", "result"], registry=r,
        )  # fmt: skip
        self.cache_errors = Counter(
            "citybrain_cache_errors", "Cache backend errors (the call fell through)",
            ["backend"], registry=r,
        )  # fmt: skip
        self.audit_writes = Counter(
            "citybrain_audit_writes", "Audit records written, by outcome", ["outcome"],
            registry=r,
        )  # fmt: skip
        self._operations: set[str] = set()

    def operation(self, name: str | None) -> str:
        """A safe, bounded label for a client's operation name."""
        if not name:
            return "anonymous"
        if not _OPERATION.fullmatch(name):
            return "invalid"
        if name not in self._operations:
            if len(self._operations) >= _MAX_OPERATIONS:
                return "other"
            self._operations.add(name)
        return name


def operation_label(name: str | None) -> str:
    """:meth:`Metrics.operation` of the process-wide metrics."""
    return METRICS.operation(name)


METRICS = Metrics()
"""The process-wide metrics (each worker process serves its own)."""
