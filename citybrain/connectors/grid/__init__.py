"""Grid governance (网格, 津治通): the hierarchy, grid workers, events, whistles (吹哨)."""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - ClassVar annotations are read at run time
from typing import ClassVar

from citybrain.connectors.grid import tables
from citybrain.connectors.grid.statistics import (
    EventAggregate,
    EventGrouping,
    StatisticsPeriod,
    WhistleAggregate,
    event_aggregates,
    whistle_aggregates,
)
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
    "EventAggregate",
    "EventGrouping",
    "EventWrites",
    "GridConnector",
    "IdempotencyKeyReused",
    "StaleVersion",
    "StatisticsPeriod",
    "Transition",
    "TransitionOutcome",
    "WhistleAggregate",
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

    async def event_statistics(
        self,
        period: StatisticsPeriod,
        *,
        region: str | None = None,
        category: str | None = None,
        group_by: EventGrouping = "none",
    ) -> list[EventAggregate]:
        """Event figures (reported, closed, handling hours, overdue), one statement.

        Args:
            period: reported from ``period.start`` to ``period.end``, judged at ``as_of``.
            region: a region code prefix (district, street, community, grid); None: city.
            category: a category (大类) or sub-category (小类) code.
            group_by: ``none``, ``region`` (child regions) or ``category`` (大类).
        """
        return await event_aggregates(
            self, period, region=region, category=category, group_by=group_by
        )

    async def whistle_statistics(
        self, period: StatisticsPeriod, *, region: str | None = None, by_department: bool = False
    ) -> list[WhistleAggregate]:
        """Whistle (吹哨) figures in ``region``, in all or per department, one statement."""
        return await whistle_aggregates(self, period, region=region, by_department=by_department)

    async def close(self) -> None:
        await self.close_writes()
        await super().close()
