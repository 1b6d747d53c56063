"""Grid governance (网格, 津治通): the hierarchy, grid workers, events, whistles (吹哨)."""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - ClassVar annotations are read at run time
from typing import ClassVar

from citybrain.connectors.grid import tables
from citybrain.connectors.grid.writes import (
    Change,
    EventWrites,
    IdempotencyKeyReused,
    StaleVersion,
    Transition,
    TransitionOutcome,
)
from citybrain.connectors.sql import SqlConnector, SqlEntity

__all__ = [
    "Change",
    "EventWrites",
    "GridConnector",
    "IdempotencyKeyReused",
    "StaleVersion",
    "Transition",
    "TransitionOutcome",
    "tables",
]


class GridConnector(EventWrites, SqlConnector):
    """The grid-governance database: district / street / community / grid and events.

    Reads are the :class:`SqlConnector` ones; the event workflow writes through
    :meth:`transition` (see :mod:`citybrain.connectors.grid.writes`), never through them.
    """

    department = "grid"
    description = "Grid governance (网格): hierarchy, workers, events, timelines, whistles"
    metadata = tables.metadata
    sql_entities: ClassVar[Mapping[str, SqlEntity]] = {
        "district": SqlEntity(tables.districts, order=("code",)),
        "street": SqlEntity(tables.streets, order=("code",)),
        "community": SqlEntity(tables.communities, order=("code",)),
        "grid": SqlEntity(tables.grids, order=("code",)),
        "grid_worker": SqlEntity(tables.grid_workers, order=("worker_id",)),
        "event_category": SqlEntity(tables.event_categories, order=("code",)),
        "grid_event": SqlEntity(tables.grid_events, order=("reported_at", "id"), descending=True),
        "event_step": SqlEntity(tables.event_steps, order=("at", "id")),
        "whistle": SqlEntity(tables.whistles, order=("whistled_at", "id")),
    }

    async def close(self) -> None:
        await self.close_writes()
        await super().close()
