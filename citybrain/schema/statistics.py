"""Statistics in the graph (统计): events, whistles and the health daily report.

Aggregates only: no type here holds a personal field, so analysts read them in full.
Every figure is counted by the department's own database; a count below the
suppression threshold (``CITYBRAIN_SUPPRESSION_THRESHOLD``) is null, with ``suppressed``
true on its row. Regional callers (grid workers, street and district officers) get the
statistics of their own jurisdiction only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from citybrain.auth.access import forbidden
from citybrain.auth.sensitivity import Decision
from citybrain.connectors.grid.statistics import StatisticsPeriod
from citybrain.errors import bad_user_input
from citybrain.regions import code_level
from citybrain.resolvers.statistics import event_figures, health_report, whistle_figures

if TYPE_CHECKING:
    from citybrain.connectors.grid import EventGrouping
    from citybrain.federation import RequestContext

__all__ = [
    "CITY_TIME",
    "STATISTICS_TYPES",
    "DailyHealthFigures",
    "DistrictHealthReport",
    "EventFigures",
    "EventStatistics",
    "HealthDailyReport",
    "IndustryFigures",
    "WhistleFigures",
    "WhistleStatistics",
    "event_statistics",
    "health_daily_report",
    "whistle_statistics",
]

CITY_TIME = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""The city's clock: stored times are naive Beijing time (UTC+8)."""

MAX_REPORT_DAYS = 366


@strawberry.type(description="Figures of a group of grid events (网格事件统计).")
class EventFigures:
    code: str | None = strawberry.field(
        description="The group: a region code, a category code (大类), or null for the city."
    )
    name: str | None = strawberry.field(description="Name of the region or category.")
    reported: int | None = strawberry.field(description="Events reported (上报) in the period.")
    closed: int | None = strawberry.field(description="Of those, closed (结案) by `asOf`.")
    close_rate: float | None = strawberry.field(description="closed / reported (结案率).")
    average_handling_hours: float | None = strawberry.field(
        description="Mean hours from report to closing, over the closed events."
    )
    overdue: int | None = strawberry.field(
        description="Events whose category deadline passed before `asOf` unclosed (超期)."
    )
    suppressed: bool = strawberry.field(
        description="Whether a figure of this row is null by small-cell suppression."
    )


@strawberry.type(description="Grid-event statistics (事件统计) of a region and period.")
class EventStatistics:
    region_code: str | None = strawberry.field(description="The region; null: the whole city.")
    category_code: str | None = strawberry.field(description="The category filter, if any.")
    from_: dt.datetime = strawberry.field(name="from", description="Reported at or after.")
    before: dt.datetime = strawberry.field(description="Reported before.")
    as_of: dt.datetime = strawberry.field(
        description="When `closed` and `overdue` are judged: `before`, or now if earlier."
    )
    suppression_threshold: int = strawberry.field(
        description="Counts below this (and above 0) are withheld (小数抑制)."
    )

    @property
    def period(self) -> StatisticsPeriod:
        return StatisticsPeriod(start=self.from_, end=self.before, as_of=self.as_of)

    async def _figures(self, info: Info, group_by: EventGrouping) -> list[EventFigures]:
        rows = await event_figures(
            info.context,
            self.period,
            region=self.region_code,
            category=self.category_code,
            group_by=group_by,
        )
        return [EventFigures(**row) for row in rows]

    @strawberry.field(description="Figures of the whole region.")
    async def total(self, info: Info) -> EventFigures:
        (row,) = await self._figures(info, "none")
        return row

    @strawberry.field(
        description="Figures per region one level down (the city's districts, a district's "
        "streets, ...; a grid's own)."
    )
    async def by_region(self, info: Info) -> list[EventFigures]:
        return await self._figures(info, "region")

    @strawberry.field(description="Figures per top-level category (事件大类).")
    async def by_category(self, info: Info) -> list[EventFigures]:
        return await self._figures(info, "category")


@strawberry.type(description="Figures of whistles (吹哨) summoning a department, or all.")
class WhistleFigures:
    department: str | None = strawberry.field(description="Department summoned; null: all.")
    whistles: int | None = strawberry.field(description="Whistles in the period.")
    responded: int | None = strawberry.field(description="Of those, reported in (报到).")
    average_response_hours: float | None = strawberry.field(
        description="Mean hours from whistle to response."
    )
    scored: int | None = strawberry.field(description="Whistles the street has scored (评价).")
    average_speed_score: float | None = strawberry.field(description="Mean speed score (1-5).")
    average_handling_score: float | None = strawberry.field(
        description="Mean handling score (1-5)."
    )
    suppressed: bool = strawberry.field(
        description="Whether a figure of this row is null by small-cell suppression."
    )


@strawberry.type(description="Whistle statistics (吹哨报到统计) of a region and period.")
class WhistleStatistics:
    region_code: str | None = strawberry.field(description="The region; null: the whole city.")
    from_: dt.datetime = strawberry.field(name="from", description="Whistled at or after.")
    before: dt.datetime = strawberry.field(description="Whistled before.")
    as_of: dt.datetime = strawberry.field(description="When responses are counted.")

    @property
    def period(self) -> StatisticsPeriod:
        return StatisticsPeriod(start=self.from_, end=self.before, as_of=self.as_of)

    async def _figures(self, info: Info, by_department: bool) -> list[WhistleFigures]:
        rows = await whistle_figures(
            info.context, self.period, region=self.region_code, by_department=by_department
        )
        return [WhistleFigures(**row) for row in rows]

    @strawberry.field(description="Figures of every whistle of the region.")
    async def total(self, info: Info) -> WhistleFigures:
        (row,) = await self._figures(info, False)
        return row

    @strawberry.field(description="Figures per department summoned.")
    async def by_department(self, info: Info) -> list[WhistleFigures]:
        return await self._figures(info, True)


@strawberry.type(description="One day of a district's health-code figures.")
class DailyHealthFigures:
    day: dt.date = strawberry.field(description="The day.")
    codes_shown: int | None = strawberry.field(description="Health codes shown (亮码).")
    scans: int | None = strawberry.field(description="Place codes scanned (扫码).")
    place_codes_issued: int | None = strawberry.field(description="Place codes issued (赋码).")
    suppressed: bool = strawberry.field(description="Whether a figure is withheld.")


@strawberry.type(description="Place codes issued in the period in one industry (行业).")
class IndustryFigures:
    industry: str = strawberry.field(description="Industry, e.g. 餐饮.")
    place_codes: int | None = strawberry.field(description="Place codes issued.")
    suppressed: bool = strawberry.field(description="Whether the figure is withheld.")


@strawberry.type(description="A district's health-code daily report (健康码日报), or the city's.")
class DistrictHealthReport:
    district_code: str | None = strawberry.field(description="District code; null: the city.")
    district_name: str = strawberry.field(description="District name (区名).")
    codes_shown: int | None = strawberry.field(description="Codes shown in the period.")
    scans: int | None = strawberry.field(description="Scans in the period.")
    place_codes_issued: int | None = strawberry.field(description="Place codes issued.")
    active_place_codes: int | None = strawberry.field(
        description="Place codes in use now (有效场所码)."
    )
    suppressed: bool = strawberry.field(description="Whether a figure is withheld.")
    days: list[DailyHealthFigures] = strawberry.field(description="Trend: one row per day.")
    issued_by_industry: list[IndustryFigures] = strawberry.field(
        description="Place codes issued in the period, per industry."
    )


@strawberry.type(description="The health-code daily report (健康码日报) of a period.")
class HealthDailyReport:
    from_: dt.date = strawberry.field(name="from", description="First day.")
    before: dt.date = strawberry.field(description="The day after the last.")
    suppression_threshold: int = strawberry.field(description="Counts below this are withheld.")
    city: DistrictHealthReport | None = strawberry.field(
        description="The whole city (null when one district was asked for)."
    )
    districts: list[DistrictHealthReport] = strawberry.field(description="Per district.")


STATISTICS_TYPES: tuple[type, ...] = (
    EventStatistics,
    EventFigures,
    WhistleStatistics,
    WhistleFigures,
    HealthDailyReport,
    DistrictHealthReport,
    DailyHealthFigures,
    IndustryFigures,
)


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


def city_time(value: dt.datetime) -> dt.datetime:
    """A client's time as stored: naive city time (a time with an offset is converted)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(CITY_TIME).replace(tzinfo=None)


def _period(start: dt.datetime, end: dt.datetime) -> StatisticsPeriod:
    start, end = city_time(start), city_time(end)
    if start >= end:
        raise bad_user_input("`from` must be before `before`", argument="from")
    now = dt.datetime.now(CITY_TIME).replace(tzinfo=None)
    return StatisticsPeriod(start=start, end=end, as_of=min(end, now))


FromTime = Annotated[
    dt.datetime, strawberry.argument(name="from", description="At or after this time.")
]
BeforeTime = Annotated[dt.datetime, strawberry.argument(description="Before this time.")]
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
) -> EventStatistics:
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
) -> WhistleStatistics:
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
) -> HealthDailyReport:
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
