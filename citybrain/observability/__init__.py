"""Metrics, readiness, structured logs, lineage and tracing of the service."""

from __future__ import annotations

from citybrain.observability.logs import JsonFormatter, configure_logging
from citybrain.observability.metrics import METRICS, Metrics
from citybrain.observability.requests import RequestObservation, current_observation
from citybrain.observability.tracing import enable_tracing

__all__ = [
    "METRICS",
    "JsonFormatter",
    "Metrics",
    "RequestObservation",
    "configure_logging",
    "current_observation",
    "enable_tracing",
]
