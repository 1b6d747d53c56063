"""Department connectors: plain rows from each department's own system."""

from __future__ import annotations

from citybrain.connectors.base import Connector, Filter, Page, Row
from citybrain.connectors.breaker import CircuitBreaker
from citybrain.connectors.cache import CachePolicy, CachingConnector
from citybrain.connectors.cache_store import CacheStore, MemoryCacheStore, RedisCacheStore
from citybrain.connectors.cursors import InvalidCursor, decode_cursor, encode_cursor
from citybrain.connectors.faults import DepartmentFault, DepartmentTimeout, DepartmentUnavailable
from citybrain.connectors.layers import READ_METHODS, ConnectorLayer, source_of
from citybrain.connectors.registry import (
    ENTRY_POINT_GROUP,
    ConnectorSetupError,
    available_connectors,
    load_connectors,
)
from citybrain.connectors.resilience import ResiliencePolicy, ResilientConnector
from citybrain.connectors.sql import SqlConnector, SqlEntity

__all__ = [
    "ENTRY_POINT_GROUP",
    "READ_METHODS",
    "CachePolicy",
    "CacheStore",
    "CachingConnector",
    "CircuitBreaker",
    "Connector",
    "ConnectorLayer",
    "ConnectorSetupError",
    "DepartmentFault",
    "DepartmentTimeout",
    "DepartmentUnavailable",
    "Filter",
    "InvalidCursor",
    "MemoryCacheStore",
    "Page",
    "RedisCacheStore",
    "ResiliencePolicy",
    "ResilientConnector",
    "Row",
    "SqlConnector",
    "SqlEntity",
    "available_connectors",
    "decode_cursor",
    "encode_cursor",
    "load_connectors",
    "source_of",
]
