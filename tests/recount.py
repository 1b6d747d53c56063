"""Straightforward recounts of seeded rows, in Python, to check the statistics against."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from citybrain.connectors.grid import tables as grid_tables
from citybrain.connectors.health import tables as health_tables

if TYPE_CHECKING:
    from sqlalchemy import Table

    from citybrain.connectors import Connector


async def all_rows(connector: Connector, table: Table) -> list[dict[str, Any]]:
    """Every row of a table, read through the connector's engine."""
    async with connector.engine.connect() as conn:  # type: ignore[attr-defined]
        result = await conn.execute(select(table))
        return [dict(row._mapping) for row in result]


@dataclass
class Recount:
    reported: int = 0
    closed: int = 0
    hours: float = 0.0
    overdue: int = 0

    @property
    def average_hours(self) -> float | None:
        return self.hours / self.closed if self.closed else None


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


async def recount_events(
    grid: Connector,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    *,
    region: str | None = None,
    key: str = "none",
) -> dict[str | None, Recount]:
    """Events reported in [start, end) in ``region``, counted one by one."""
    categories = {r["code"]: r for r in await all_rows(grid, grid_tables.event_categories)}
    out: dict[str | None, Recount] = defaultdict(Recount)
    for event in await all_rows(grid, grid_tables.grid_events):
        if not start <= event["reported_at"] < end:
            continue
        if region is not None and not event["grid_code"].startswith(region):
            continue
        category = categories[event["category_code"]]
        if key == "region":
            group: str | None = event["grid_code"][: 6 if region is None else len(region) + 3]
        elif key == "category":
            group = category["parent_code"] or category["code"]
        else:
            group = None
        found = out[group]
        found.reported += 1
        closed_at = event["closed_at"]
        closed = closed_at is not None and closed_at < as_of
        if closed:
            found.closed += 1
            found.hours += _hours(event["reported_at"], closed_at)
        deadline = event["reported_at"] + dt.timedelta(hours=category["deadline_hours"])
        if deadline < as_of and not (closed and closed_at <= deadline):
            found.overdue += 1
    return dict(out)


async def recount_whistles(
    grid: Connector, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> dict[str, dict[str, Any]]:
    """Whistles per department in [start, end), counted one by one."""
    out: dict[str, dict[str, Any]] = {}
    for w in await all_rows(grid, grid_tables.whistles):
        if not start <= w["whistled_at"] < end:
            continue
        d = out.setdefault(
            w["department"],
            {"whistles": 0, "responded": 0, "hours": [], "speed": [], "handling": []},
        )
        d["whistles"] += 1
        if w["responded_at"] is not None and w["responded_at"] < as_of:
            d["responded"] += 1
            d["hours"].append(_hours(w["whistled_at"], w["responded_at"]))
        if w["speed_score"] is not None:
            d["speed"].append(w["speed_score"])
        if w["handling_score"] is not None:
            d["handling"].append(w["handling_score"])
    return out


async def recount_health(
    health: Connector, start: dt.date, end: dt.date
) -> dict[str, dict[str, Any]]:
    """The daily report per district, counted one by one."""
    places = {p["place_code"]: p for p in await all_rows(health, health_tables.places)}

    def district() -> dict[str, Any]:
        return {
            "shown": defaultdict(int),
            "scans": defaultdict(int),
            "issued": defaultdict(int),
            "industry": defaultdict(int),
            "active": 0,
        }

    out: dict[str, dict[str, Any]] = defaultdict(district)
    for show in await all_rows(health, health_tables.code_shows):
        if start <= show["shown_at"].date() < end:
            out[show["district_code"]]["shown"][show["shown_at"].date()] += 1
    for scan in await all_rows(health, health_tables.place_scans):
        if start <= scan["scanned_at"].date() < end:
            where = places[scan["place_code"]]["district_code"]
            out[where]["scans"][scan["scanned_at"].date()] += 1
    for place in places.values():
        if start <= place["issued_on"] < end:
            out[place["district_code"]]["issued"][place["issued_on"]] += 1
            out[place["district_code"]]["industry"][place["industry"]] += 1
        if place["active"]:
            out[place["district_code"]]["active"] += 1
    return dict(out)
