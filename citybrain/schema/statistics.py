"""Statistics in the graph (统计): events, whistles and the health daily report.

Aggregates only: no type here holds a personal field, so analysts read them in full.
Every figure is counted by the department's own database; a count below the
suppression threshold (``CITYBRAIN_SUPPRESSION_THRESHOLD``) is null, with ``suppressed``
true on its row. Regional callers (grid workers, street and district officers) get the
statistics of their own jurisdiction only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from citybrain.connectors.grid.statistics import StatisticsPeriod
from citybrain.resolvers.statistics import event_figures, whistle_figures

if TYPE_CHECKING:
    from citybrain.connectors.grid import EventGrouping

__all__ = [
    "STATISTICS_TYPES",
    "DailyHealthFigures",
    "DistrictHealthReport",
    "EventFigures",
    "EventStatistics",
    "HealthDailyReport",
    "IndustryFigures",
    "WhistleFigures",
    "WhistleStatistics",
]


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
    from_: dt.datetime = strawberry.field(
        name="from",
        description="Reported on or after this day (midnight Beijing time, UTC+8, no offset).",
    )
    before: dt.datetime = strawberry.field(
        description="Reported before this day (midnight Beijing time, UTC+8, no offset)."
    )
    as_of: dt.datetime = strawberry.field(
        description="When `closed` and `overdue` are judged: `before`, or now if earlier "
        "(Beijing time, UTC+8, no offset)."
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
    from_: dt.datetime = strawberry.field(
        name="from",
        description="Whistled on or after this day (midnight Beijing time, UTC+8, no offset).",
    )
    before: dt.datetime = strawberry.field(
        description="Whistled before this day (midnight Beijing time, UTC+8, no offset)."
    )
    as_of: dt.datetime = strawberry.field(
        description="When responses are counted (Beijing time, UTC+8, no offset)."
    )

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
