"""Grid-governance statistics (统计), computed by the grid database itself (``GROUP BY``).

Events reported in a period, within a region (any level of the hierarchy) and optionally a
category: how many were reported, closed, how long closing took, how many missed their
category's deadline; whistles (吹哨) per summoned department: responses (报到), response
times and the street's scores. Every figure is one aggregate statement; no row leaves the
database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import and_, case, func, or_, select

from citybrain.connectors.aggregates import at, hours_between, within_region
from citybrain.connectors.grid.tables import event_categories, grid_events, whistles
from citybrain.connectors.sql import prefix_range

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import ColumnElement

    from citybrain.connectors.sql import SqlConnector

__all__ = [
    "EventAggregate",
    "EventGrouping",
    "StatisticsPeriod",
    "WhistleAggregate",
    "child_code_length",
    "event_aggregates",
    "whistle_aggregates",
]

EventGrouping = Literal["none", "region", "category"]
"""``none``: one row for the whole region; ``region``: one per child region (a city's
districts, a district's streets, ...); ``category``: one per top-level category (大类)."""

_CHILD_LENGTH = {None: 6, 6: 9, 9: 12, 12: 15, 15: 15}


def child_code_length(region: str | None) -> int:
    """Length of the codes one level below ``region`` (a grid is its own child)."""
    return _CHILD_LENGTH[None if region is None else len(region)]


@dataclass(frozen=True, slots=True)
class StatisticsPeriod:
    """Events reported from ``start`` (inclusive) to ``end`` (exclusive), seen at ``as_of``.

    ``as_of`` is when "closed" and "overdue" are judged: the end of the period, or now when
    the period has not ended yet. Times are naive city time, as stored.
    """

    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime


@dataclass(frozen=True, slots=True)
class EventAggregate:
    """Figures of one group of events.

    Args:
        key: the group: a region code, a top-level category code, or None for all.
        reported: events reported in the period.
        closed: of those, closed (结案) by ``as_of``.
        average_handling_hours: mean hours from report to closing, over the closed ones.
        overdue: events whose deadline passed before ``as_of`` without being closed by it.
    """

    key: str | None
    reported: int
    closed: int
    average_handling_hours: float | None
    overdue: int


@dataclass(frozen=True, slots=True)
class WhistleAggregate:
    """Figures of the whistles (吹哨) that summoned one department (or all: ``key`` None).

    Args:
        key: the department summoned, or None for all.
        whistles: whistles in the period.
        responded: of those, answered (报到) by ``as_of``.
        average_response_hours: mean hours from whistle to response, over the answered.
        average_speed_score: the street's mean response-speed score (1-5), over the scored.
        average_handling_score: the street's mean handling score (1-5), over the scored.
        scored: whistles the street has scored (评价).
    """

    key: str | None
    whistles: int
    responded: int
    average_response_hours: float | None
    average_speed_score: float | None
    average_handling_score: float | None
    scored: int


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def event_aggregates(
    connector: SqlConnector,
    period: StatisticsPeriod,
    *,
    region: str | None = None,
    category: str | None = None,
    group_by: EventGrouping = "none",
) -> list[EventAggregate]:
    """Event figures in ``region`` (a code prefix; None: the city), one statement.

    Args:
        connector: the grid department's connector.
        period: the reporting period and the moment figures are judged at.
        region: a district, street, community or grid code.
        category: a category (大类) or sub-category (小类) code.
        group_by: one row in all, per child region, or per top-level category.
    """
    e, c = grid_events, event_categories
    as_of = at(period.as_of)
    deadline = c.c.deadline_hours
    closed = and_(e.c.closed_at.is_not(None), e.c.closed_at < as_of)
    overdue = and_(
        hours_between(e.c.reported_at, as_of) > deadline,
        or_(~closed, hours_between(e.c.reported_at, e.c.closed_at) > deadline),
    )
    key: ColumnElement[str | None]
    if group_by == "region":
        key = func.substr(e.c.grid_code, 1, child_code_length(region))
    elif group_by == "category":
        key = func.coalesce(c.c.parent_code, c.c.code)
    else:
        key = None  # type: ignore[assignment]
    figures = (
        func.count().label("reported"),
        _count_if(closed).label("closed"),
        func.avg(case((closed, hours_between(e.c.reported_at, e.c.closed_at)))).label("hours"),
        _count_if(overdue).label("overdue"),
    )
    conditions = [
        e.c.reported_at >= at(period.start),
        e.c.reported_at < at(period.end),
        within_region(e.c.grid_code, region),
    ]
    if category is not None:
        conditions.append(prefix_range(e.c.category_code, category))
    source = e.join(c, c.c.code == e.c.category_code)
    if key is None:
        stmt = select(*figures).select_from(source).where(*conditions)
    else:
        stmt = (
            select(key.label("key"), *figures)
            .select_from(source)
            .where(*conditions)
            .group_by(key)
            .order_by(key)
        )
    return [
        EventAggregate(
            key=row.get("key"),
            reported=int(row["reported"]),
            closed=int(row["closed"]),
            average_handling_hours=None if row["hours"] is None else float(row["hours"]),
            overdue=int(row["overdue"]),
        )
        for row in await connector._rows(stmt)
    ]


async def whistle_aggregates(
    connector: SqlConnector,
    period: StatisticsPeriod,
    *,
    region: str | None = None,
    by_department: bool = False,
) -> list[WhistleAggregate]:
    """Whistle figures of ``region``'s streets, per department or in all, one statement.

    A whistle belongs to the region of its event's grid: above community level that is
    the whistling street's code (an index range); for a community or a grid, the event's.
    """
    w, e = whistles, grid_events
    as_of = at(period.as_of)
    responded = and_(w.c.responded_at.is_not(None), w.c.responded_at < as_of)
    figures = (
        func.count().label("whistles"),
        _count_if(responded).label("responded"),
        func.avg(case((responded, hours_between(w.c.whistled_at, w.c.responded_at)))).label(
            "hours"
        ),
        func.avg(w.c.speed_score).label("speed"),
        func.avg(w.c.handling_score).label("handling"),
        func.count(w.c.speed_score).label("scored"),
    )
    conditions = [w.c.whistled_at >= at(period.start), w.c.whistled_at < at(period.end)]
    source = w
    if region is not None and len(region) > 9:
        source = w.join(e, e.c.id == w.c.event_id)  # type: ignore[assignment]
        conditions.append(within_region(e.c.grid_code, region))
    else:
        conditions.append(within_region(w.c.street_code, region))
    if by_department:
        stmt = (
            select(w.c.department.label("key"), *figures)
            .select_from(source)
            .where(*conditions)
            .group_by(w.c.department)
            .order_by(w.c.department)
        )
    else:
        stmt = select(*figures).select_from(source).where(*conditions)
    return [
        WhistleAggregate(
            key=row.get("key"),
            whistles=int(row["whistles"]),
            responded=int(row["responded"]),
            average_response_hours=None if row["hours"] is None else float(row["hours"]),
            average_speed_score=None if row["speed"] is None else float(row["speed"]),
            average_handling_score=None if row["handling"] is None else float(row["handling"]),
            scored=int(row["scored"]),
        )
        for row in await connector._rows(stmt)
    ]
