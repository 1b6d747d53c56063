"""Transport (交通): ride-hailing platforms, drivers, vehicles, violations (慧治网约车)."""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - ClassVar annotations are read at run time
from typing import ClassVar

from citybrain.connectors.sql import SqlConnector, SqlEntity
from citybrain.connectors.transport import tables

__all__ = ["TransportConnector", "tables"]


class TransportConnector(SqlConnector):
    """The transport database: ride-hailing oversight."""

    department = "transport"
    description = "Transport (交通): ride-hailing platforms, drivers, vehicles, violations"
    metadata = tables.metadata
    sql_entities: ClassVar[Mapping[str, SqlEntity]] = {
        "platform": SqlEntity(tables.platforms, order=("code",)),
        "driver": SqlEntity(tables.drivers, order=("id_number",)),
        "vehicle": SqlEntity(tables.vehicles, order=("plate",)),
        "violation": SqlEntity(tables.violations, order=("occurred_at", "id"), descending=True),
    }
