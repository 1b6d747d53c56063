"""Department connectors: plain rows from each department's own system."""

from __future__ import annotations

from citybrain.connectors.base import Connector, Filter, Page, Row
from citybrain.connectors.cursors import InvalidCursor, decode_cursor, encode_cursor
from citybrain.connectors.registry import (
    ENTRY_POINT_GROUP,
    ConnectorSetupError,
    available_connectors,
    load_connectors,
)
from citybrain.connectors.sql import SqlConnector, SqlEntity

__all__ = [
    "ENTRY_POINT_GROUP",
    "Connector",
    "ConnectorSetupError",
    "Filter",
    "InvalidCursor",
    "Page",
    "Row",
    "SqlConnector",
    "SqlEntity",
    "available_connectors",
    "decode_cursor",
    "encode_cursor",
    "load_connectors",
]
