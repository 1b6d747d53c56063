"""Statistics (统计): aggregates from the departments, named and small cells withheld.

The departments count (``GROUP BY`` in their own databases, see the connectors'
``event_statistics``, ``whistle_statistics`` and ``health_daily_report``); this module
names the groups (region and category names through the loaders), derives rates, and
applies small-cell suppression (:mod:`citybrain.resolvers.suppression`). It returns plain
dicts; the schema wraps them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from graphql import GraphQLError

from citybrain.connectors.health import HealthReportRows  # noqa: TC001 - gathered at run time
from citybrain.errors import DEPARTMENT_UNAVAILABLE, department_unavailable
from citybrain.resolvers.report_suppression import suppress_report
from citybrain.resolvers.suppression import Derived, suppress_breakdown, suppress_row

if TYPE_CHECKING:
    from collections.abc import Sequence

    from citybrain.connectors.grid import EventAggregate, EventGrouping, WhistleAggregate
    from citybrain.connectors.grid.statistics import StatisticsPeriod
    from citybrain.federation import RequestContext

__all__ = [
    "CITY_NAME",
    "EventSource",
    "HealthReportSource",
    "event_figures",
    "health_report",
    "region_names",
    "whistle_figures",
]

CITY_NAME = "天津市"
_LEVEL_ENTITY = {6: "district", 9: "street", 12: "community", 15: "grid"}

EVENT_COUNTS = ("reported", "closed", "overdue")
EVENT_SUBSETS = (("reported", "closed"),)
"""Within a row, ``reported - closed`` (the open events) is protected too."""
EVENT_DERIVED = {
    "close_rate": Derived(inputs=("reported", "closed"), base="reported"),
    "average_handling_hours": Derived(inputs=("closed",), base="closed"),
}
WHISTLE_COUNTS = ("whistles", "responded", "scored")
WHISTLE_SUBSETS = (("whistles", "responded"),)
WHISTLE_DERIVED = {
    "average_response_hours": Derived(inputs=("responded",), base="responded"),
    "average_speed_score": Derived(inputs=("scored",), base="scored"),
    "average_handling_score": Derived(inputs=("scored",), base="scored"),
}
HEALTH_COUNTS = ("codes_shown", "scans", "place_codes_issued")
INDUSTRY_COUNTS = ("place_codes",)


@runtime_checkable
class EventSource(Protocol):
    """A grid connector that counts events and whistles (``GridConnector`` does)."""

    async def event_statistics(
        self,
        period: StatisticsPeriod,
        *,
        region: str | None = None,
        category: str | None = None,
        group_by: EventGrouping = "none",
    ) -> list[EventAggregate]: ...

    async def whistle_statistics(
        self, period: StatisticsPeriod, *, region: str | None = None, by_department: bool = False
    ) -> list[WhistleAggregate]: ...


@runtime_checkable
class HealthReportSource(Protocol):
    """A health connector that counts the daily report (``HealthConnector`` does)."""

    async def health_daily_report(
        self, start: dt.date, end: dt.date, *, district: str | None = None
    ) -> HealthReportRows: ...


def _source(ctx: RequestContext, department: str, kind: type[Any]) -> Any:
    connector = ctx.loaders.connector(department)
    if not isinstance(connector, kind):
        raise GraphQLError(
            f"the {department} department's connector does not offer statistics",
            extensions={"code": DEPARTMENT_UNAVAILABLE, "department": department},
        )
    return connector


async def region_names(ctx: RequestContext, codes: Sequence[str]) -> dict[str, str]:
    """Names of region codes of one level, in one statement (through the loaders)."""
    if not codes:
        return {}
    entity = _LEVEL_ENTITY[len(codes[0])]
    rows = await ctx.loaders.one("grid", entity, "code").load_many(list(codes))
    return {code: row["name"] for code, row in zip(codes, rows, strict=True) if row is not None}


def _event_row(found: EventAggregate, code: str | None, name: str | None) -> dict[str, Any]:
    rate = found.closed / found.reported if found.reported else None
    return {
        "code": code,
        "name": name,
        "reported": found.reported,
        "closed": found.closed,
        "close_rate": rate,
        "average_handling_hours": found.average_handling_hours,
        "overdue": found.overdue,
    }


async def event_figures(
    ctx: RequestContext,
    period: StatisticsPeriod,
    *,
    region: str | None,
    category: str | None,
    group_by: EventGrouping,
) -> list[dict[str, Any]]:
    """Event figures of ``region`` in all (one row) or per child region or category."""
    source: EventSource = _source(ctx, "grid", EventSource)
    try:
        found = await ctx.loaders.connector("grid").aggregate(
            lambda: source.event_statistics(
                period, region=region, category=category, group_by=group_by
            )
        )
    except Exception as exc:
        raise department_unavailable("grid", exc) from exc
    threshold = ctx.settings.suppression_threshold
    if group_by == "none":
        names = await region_names(ctx, [region]) if region else {}
        name = names.get(region) if region else CITY_NAME
        (row,) = found
        event_row = _event_row(row, region, name)
        return [suppress_row(event_row, EVENT_COUNTS, EVENT_DERIVED, threshold, EVENT_SUBSETS)]
    keys = [str(f.key) for f in found]
    if group_by == "region":
        names = await region_names(ctx, keys)
    else:
        rows = await ctx.loaders.one("grid", "event_category", "code").load_many(keys)
        names = {k: r["name"] for k, r in zip(keys, rows, strict=True) if r is not None}
    rows_out = [_event_row(f, k, names.get(k)) for f, k in zip(found, keys, strict=True)]
    return suppress_breakdown(rows_out, EVENT_COUNTS, EVENT_DERIVED, threshold, EVENT_SUBSETS)


def _whistle_row(found: WhistleAggregate) -> dict[str, Any]:
    return {
        "department": found.key,
        "whistles": found.whistles,
        "responded": found.responded,
        "average_response_hours": found.average_response_hours,
        "scored": found.scored,
        "average_speed_score": found.average_speed_score,
        "average_handling_score": found.average_handling_score,
    }


async def whistle_figures(
    ctx: RequestContext, period: StatisticsPeriod, *, region: str | None, by_department: bool
) -> list[dict[str, Any]]:
    """Whistle (吹哨) figures of ``region``: one row in all, or one per department."""
    source: EventSource = _source(ctx, "grid", EventSource)
    try:
        found = await ctx.loaders.connector("grid").aggregate(
            lambda: source.whistle_statistics(period, region=region, by_department=by_department)
        )
    except Exception as exc:
        raise department_unavailable("grid", exc) from exc
    threshold = ctx.settings.suppression_threshold
    rows = [_whistle_row(f) for f in found]
    if not by_department:
        return [suppress_row(rows[0], WHISTLE_COUNTS, WHISTLE_DERIVED, threshold, WHISTLE_SUBSETS)]
    return suppress_breakdown(rows, WHISTLE_COUNTS, WHISTLE_DERIVED, threshold, WHISTLE_SUBSETS)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days)]


async def _districts(ctx: RequestContext, district: str | None) -> list[tuple[str, str]]:
    """(code, name) of the report's districts, from the grid department's register."""
    if district is not None:
        names = await region_names(ctx, [district])
        return [(district, names[district])] if district in names else []
    try:
        page = await ctx.loaders.connector("grid").fetch_page("district", [], first=1000)
    except Exception as exc:
        raise department_unavailable("grid", exc) from exc
    return [(row["code"], row["name"]) for row in page.rows]


def _district_report(
    code: str | None,
    name: str,
    days: list[dt.date],
    daily: dict[tuple[str, dt.date], dict[str, int]],
    industries: dict[str, int],
    active: int,
) -> dict[str, Any]:
    """A district's (or the city's) report with every count, before suppression."""
    zero = dict.fromkeys(HEALTH_COUNTS, 0)
    day_rows: list[dict[str, Any]] = [{"day": d, **daily.get((code or "", d), zero)} for d in days]
    totals = {n: sum(int(r[n]) for r in day_rows) for n in HEALTH_COUNTS}
    industry_rows = [{"industry": k, "place_codes": v} for k, v in sorted(industries.items())]
    return {
        "district_code": code,
        "district_name": name,
        **totals,
        "active_place_codes": active,
        "days": day_rows,
        "issued_by_industry": industry_rows,
    }


async def health_report(
    ctx: RequestContext, start: dt.date, end: dt.date, *, district: str | None
) -> dict[str, Any]:
    """The daily report (健康码日报): per district and for the whole city, with days."""
    source: HealthReportSource = _source(ctx, "health", HealthReportSource)

    async def counted() -> HealthReportRows:
        try:
            return await ctx.loaders.connector("health").aggregate(
                lambda: source.health_daily_report(start, end, district=district)
            )
        except Exception as exc:
            raise department_unavailable("health", exc) from exc

    districts, rows = await asyncio.gather(_districts(ctx, district), counted())
    threshold = ctx.settings.suppression_threshold
    daily: dict[tuple[str, dt.date], dict[str, int]] = {}
    for name, found in (
        ("codes_shown", rows.shows),
        ("scans", rows.scans),
        ("place_codes_issued", rows.issued),
    ):
        for count in found:
            assert isinstance(count.part, dt.date)  # noqa: S101 - day rows carry dates
            for key in ((count.district_code, count.part), ("", count.part)):
                cell = daily.setdefault(key, dict.fromkeys(HEALTH_COUNTS, 0))
                cell[name] += count.count
    industries: dict[str, dict[str, int]] = {}
    for count in rows.issued_by_industry:
        for district_key in (count.district_code, ""):
            per = industries.setdefault(district_key, {})
            per[str(count.part)] = per.get(str(count.part), 0) + count.count
    active = {count.district_code: count.count for count in rows.active}
    days = _days(start, end)
    reports = [
        _district_report(code, name, days, daily, industries.get(code, {}), active.get(code, 0))
        for code, name in districts
    ]
    city = _district_report(
        None, CITY_NAME, days, daily, industries.get("", {}), sum(active.values())
    )
    figures = (*HEALTH_COUNTS, "active_place_codes")
    city_shown, shown = suppress_report(
        city if district is None else None, reports, HEALTH_COUNTS, figures, threshold
    )
    return {"city": city_shown, "districts": shown}
