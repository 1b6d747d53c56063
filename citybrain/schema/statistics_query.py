"""The statistics root fields: arguments, who may ask, and the caller's region.

``eventStatistics``, ``whistleStatistics`` and ``healthDailyReport`` check that the policy
allows every field of their types (analysts, officers: yes; citizens, verifiers, anonymous
callers: ``FORBIDDEN``), bound regional callers to their jurisdiction, and validate the
period: whole days only (midnight Beijing time), so that no two answers differ by one
event's second. The figures themselves are computed when their fields are selected (see
:mod:`citybrain.schema.statistics`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info  # noqa: TC002 - read by strawberry at schema build

from citybrain.auth.access import forbidden
from citybrain.auth.sensitivity import Decision
from citybrain.city_clock import CITY_TIME, city_now, city_time
from citybrain.connectors.grid.statistics import StatisticsPeriod
from citybrain.errors import bad_user_input
from citybrain.regions import code_level
from citybrain.resolvers.statistics import health_report
from citybrain.schema.statistics import (
    DailyHealthFigures,
    DistrictHealthReport,
    EventFigures,
    EventStatistics,
    HealthDailyReport,
    IndustryFigures,
    WhistleFigures,
    WhistleStatistics,
)

if TYPE_CHECKING:
    from citybrain.federation import RequestContext

__all__ = [
    "CITY_TIME",
    "MAX_REPORT_DAYS",
    "city_time",
    "event_statistics",
    "health_daily_report",
    "whistle_statistics",
    "whole_day",
]

MAX_REPORT_DAYS = 366
"""Longest daily report, in days."""


def _type_names(types: tuple[type, ...]) -> tuple[str, ...]:
    return tuple(t.__strawberry_definition__.name for t in types)  # type: ignore[attr-defined]


def _require(ctx: RequestContext, root: str, types: tuple[type, ...]) -> str | None:
    """Check the policy allows every field of ``types``; return the caller's region bound."""
    access = ctx.access
    if access is None:  # policies switched off (benchmarks)
        return None
    prefixes = tuple(f"{name}." for name in _type_names(types))
    for name, decision in access.decisions.items():
        if name.startswith(prefixes) and decision is not Decision.ALLOW:
            raise forbidden(root)
    scope = access.scope
    if scope.city_wide:
        return None
    if scope.region is None:
        raise forbidden(root)
    return scope.region


def _within(root: str, asked: str | None, bound: str | None, argument: str) -> str | None:
    if bound is None:
        return asked
    if asked is None:
        return bound
    if not asked.startswith(bound):
        raise forbidden(f"{root}({argument}) outside your jurisdiction")
    return asked


def _region_code(value: str | None, argument: str) -> str | None:
    if value is not None and code_level(value) is None:
        raise bad_user_input(
            f"`{argument}` must be a district, street, community or grid code "
            "(6, 9, 12 or 15 digits: 120101 is 和平区)",
            argument=argument,
        )
    return value


def whole_day(value: dt.datetime, argument: str) -> dt.datetime:
    """``value`` as naive city time, if it is a midnight there; else ``BAD_USER_INPUT``.

    Statistics periods are whole days: a period bound to the second would let two
    answers a second apart single out one event (differencing past small-cell suppression).
    """
    local = city_time(value)
    if local.time() != dt.time(0):
        raise bad_user_input(
            f"`{argument}` must be a whole day: midnight Beijing time, such as "
            f"{local:%Y-%m-%d}T00:00:00 (or with an offset, {local:%Y-%m-%d}T00:00:00+08:00); "
            f"got {local:%Y-%m-%dT%H:%M:%S} city time",
            argument=argument,
        )
    return local


def _period(start: dt.datetime, end: dt.datetime) -> StatisticsPeriod:
    start, end = whole_day(start, "from"), whole_day(end, "before")
    if start >= end:
        raise bad_user_input("`from` must be before `before`", argument="from")
    now = city_now()
    return StatisticsPeriod(start=start, end=end, as_of=min(end, now))


FromTime = Annotated[
    dt.datetime,
    strawberry.argument(
        name="from",
        description="First day, at midnight Beijing time (北京时间), e.g. "
        "2026-10-01T00:00:00 or 2026-10-01T00:00:00+08:00. Periods are whole days: any "
        "other time of day is BAD_USER_INPUT.",
    ),
]
BeforeTime = Annotated[
    dt.datetime,
    strawberry.argument(
        description="The day after the last, at midnight Beijing time (e.g. "
        "2026-11-01T00:00:00 for a period ending with October 31st); any other time of "
        "day is BAD_USER_INPUT."
    ),
]
Region = Annotated[
    str | None,
    strawberry.argument(description="District, street, community or grid code; null: the city."),
]


async def event_statistics(
    info: Info,
    from_: FromTime,
    before: BeforeTime,
    region_code: Region = None,
    category_code: Annotated[
        str | None, strawberry.argument(description="Only this category (大类) or sub-category.")
    ] = None,
) -> EventStatistics | None:
    """Events reported, closed, close rate, handling hours and overdue (事件统计)."""
    ctx: RequestContext = info.context
    bound = _require(ctx, "Query.eventStatistics", (EventStatistics, EventFigures))
    region = _within(
        "Query.eventStatistics", _region_code(region_code, "regionCode"), bound, "regionCode"
    )
    if category_code is not None and not (category_code.isascii() and category_code.isdigit()):
        raise bad_user_input("`categoryCode` is a category code such as 01 or 0101")
    period = _period(from_, before)
    return EventStatistics(
        region_code=region,
        category_code=category_code,
        from_=period.start,
        before=period.end,
        as_of=period.as_of,
        suppression_threshold=ctx.settings.suppression_threshold,
    )


async def whistle_statistics(
    info: Info, from_: FromTime, before: BeforeTime, region_code: Region = None
) -> WhistleStatistics | None:
    """Whistles (吹哨), responses (报到), response times and scores per department."""
    ctx: RequestContext = info.context
    bound = _require(ctx, "Query.whistleStatistics", (WhistleStatistics, WhistleFigures))
    region = _within(
        "Query.whistleStatistics", _region_code(region_code, "regionCode"), bound, "regionCode"
    )
    period = _period(from_, before)
    return WhistleStatistics(
        region_code=region,
        from_=period.start,
        before=period.end,
        as_of=period.as_of,
    )


async def health_daily_report(
    info: Info,
    from_: Annotated[dt.date, strawberry.argument(name="from", description="First day.")],
    before: Annotated[dt.date, strawberry.argument(description="The day after the last.")],
    district_code: Annotated[
        str | None, strawberry.argument(description="One district; null: every district.")
    ] = None,
) -> HealthDailyReport | None:
    """The health-code daily report (健康码日报) per district, with a trend over days."""
    ctx: RequestContext = info.context
    root = "Query.healthDailyReport"
    health_types = (HealthDailyReport, DistrictHealthReport, DailyHealthFigures, IndustryFigures)
    bound = _require(ctx, root, health_types)
    if district_code is not None and code_level(district_code) != "district":
        raise bad_user_input("`districtCode` must be a 6-digit district code such as 120101")
    district = _within(root, district_code, bound, "districtCode")
    if district is not None and len(district) != 6:
        raise forbidden(f"{root}: the report is per district, wider than your jurisdiction")
    days = (before - from_).days
    if not 1 <= days <= MAX_REPORT_DAYS:
        raise bad_user_input(
            f"`from` must be before `before`, at most {MAX_REPORT_DAYS} days apart",
            argument="from",
        )
    found = await health_report(ctx, from_, before, district=district)
    threshold = ctx.settings.suppression_threshold

    def district_report(row: dict[str, Any]) -> DistrictHealthReport:
        return DistrictHealthReport(
            **{
                **row,
                "days": [DailyHealthFigures(**d) for d in row["days"]],
                "issued_by_industry": [IndustryFigures(**i) for i in row["issued_by_industry"]],
            }
        )

    return HealthDailyReport(
        from_=from_,
        before=before,
        suppression_threshold=threshold,
        city=None if found["city"] is None else district_report(found["city"]),
        districts=[district_report(row) for row in found["districts"]],
    )
