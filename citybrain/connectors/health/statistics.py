"""The health-code daily report (健康码日报), computed by the health database (``GROUP BY``).

Per district and day: health codes shown (亮码), place-code scans (扫码); per district:
place codes issued (by day and by industry) and place codes active. Each figure is one
aggregate statement; the statements of a report are sent concurrently.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, null, select

from citybrain.connectors.aggregates import as_date, at, day_of
from citybrain.connectors.health.tables import code_shows, place_scans, places

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

    from citybrain.connectors.sql import SqlConnector

__all__ = ["DistrictCount", "HealthReportRows", "health_report_rows"]


@dataclass(frozen=True, slots=True)
class DistrictCount:
    """One count of a district, on a day or for an industry (``part``)."""

    district_code: str
    part: dt.date | str | None
    count: int


@dataclass(frozen=True, slots=True)
class HealthReportRows:
    """The aggregates behind a daily report, as the database counted them.

    Args:
        shows: health codes shown, per district and day.
        scans: place-code scans, per district (of the place) and day.
        issued: place codes issued, per district and day.
        issued_by_industry: place codes issued in the period, per district and industry.
        active: place codes in use now, per district (``part`` None).
    """

    shows: list[DistrictCount]
    scans: list[DistrictCount]
    issued: list[DistrictCount]
    issued_by_industry: list[DistrictCount]
    active: list[DistrictCount]


def _district(column: ColumnElement[str], district: str | None) -> ColumnElement[bool]:
    return column.is_not(None) if district is None else column == district


async def _counts(connector: SqlConnector, stmt: Select[Any], *, day: bool) -> list[DistrictCount]:
    return [
        DistrictCount(
            district_code=str(row["district"]),
            part=as_date(row["part"]) if day else row["part"],
            count=int(row["n"]),
        )
        for row in await connector._rows(stmt)
    ]


async def health_report_rows(
    connector: SqlConnector, start: dt.date, end: dt.date, *, district: str | None = None
) -> HealthReportRows:
    """The report's aggregates for days ``start`` (inclusive) to ``end`` (exclusive).

    Args:
        connector: the health department's connector.
        start: first day.
        end: the day after the last.
        district: one district's code, or None for every district.
    """
    since = at(dt.datetime.combine(start, dt.time()))
    until = at(dt.datetime.combine(end, dt.time()))
    s, p, sc = code_shows, places, place_scans
    n = func.count().label("n")

    shown_day = day_of(s.c.shown_at)
    shows = (
        select(s.c.district_code.label("district"), shown_day.label("part"), n)
        .where(_district(s.c.district_code, district), s.c.shown_at >= since, s.c.shown_at < until)
        .group_by(s.c.district_code, shown_day)
        .order_by(s.c.district_code, shown_day)
    )
    scan_day = day_of(sc.c.scanned_at)
    scans = (
        select(p.c.district_code.label("district"), scan_day.label("part"), n)
        .select_from(sc.join(p, p.c.place_code == sc.c.place_code))
        .where(
            _district(p.c.district_code, district),
            sc.c.scanned_at >= since,
            sc.c.scanned_at < until,
        )
        .group_by(p.c.district_code, scan_day)
        .order_by(p.c.district_code, scan_day)
    )
    in_period = (
        _district(p.c.district_code, district),
        p.c.issued_on >= start,
        p.c.issued_on < end,
    )
    issued = (
        select(p.c.district_code.label("district"), p.c.issued_on.label("part"), n)
        .where(*in_period)
        .group_by(p.c.district_code, p.c.issued_on)
        .order_by(p.c.district_code, p.c.issued_on)
    )
    by_industry = (
        select(p.c.district_code.label("district"), p.c.industry.label("part"), n)
        .where(*in_period)
        .group_by(p.c.district_code, p.c.industry)
        .order_by(p.c.district_code, p.c.industry)
    )
    active = (
        select(p.c.district_code.label("district"), null().label("part"), n)
        .where(_district(p.c.district_code, district), p.c.active.is_(True))
        .group_by(p.c.district_code)
        .order_by(p.c.district_code)
    )
    found = await asyncio.gather(
        _counts(connector, shows, day=True),
        _counts(connector, scans, day=True),
        _counts(connector, issued, day=True),
        _counts(connector, by_industry, day=False),
        _counts(connector, active, day=False),
    )
    return HealthReportRows(*found)
