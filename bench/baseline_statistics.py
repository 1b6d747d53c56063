"""Hand-written SQL baselines of the statistics and screening scenarios (SQLite).

What a developer would write without the graph: SQL text with SQLite's own date functions,
every aggregate in the database, independent statements sent concurrently on the app's
engines, then the JSON of the GraphQL response's ``data``. Small-cell suppression is off on
both sides in these scenarios (threshold 1), so the two answers can be compared byte for
byte; suppression is Python work on the few hundred aggregate rows only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text

from citybrain.id_numbers import InvalidIdNumber, validate_id_number

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from bench.baseline import Engines, Json

__all__ = ["district_statistics", "health_report", "screening"]

_HOURS = "((julianday({end}) - julianday({start})) * 24.0)"
_CLOSED = "(e.closed_at IS NOT NULL AND e.closed_at < :as_of)"
_EVENT_FIGURES = f"""
  count(*) AS reported,
  coalesce(sum(CASE WHEN {_CLOSED} THEN 1 ELSE 0 END), 0) AS closed,
  avg(CASE WHEN {_CLOSED} THEN {_HOURS.format(start="e.reported_at", end="e.closed_at")} END)
    AS hours,
  coalesce(sum(CASE WHEN {_HOURS.format(start="e.reported_at", end=":as_of")} > c.deadline_hours
    AND (NOT {_CLOSED} OR {_HOURS.format(start="e.reported_at", end="e.closed_at")}
      > c.deadline_hours) THEN 1 ELSE 0 END), 0) AS overdue
FROM grid_events e JOIN event_categories c ON c.code = e.category_code
WHERE e.reported_at >= :start AND e.reported_at < :end"""


def _stamp(moment: dt.datetime) -> str:
    """A timestamp as SQLAlchemy stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


async def _all(engine: AsyncEngine, sql: str, **params: Any) -> Sequence[Any]:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).all()


def _figures(row: Any, code: str | None, name: str | None) -> Json:
    reported, closed, hours, overdue = row[-4:]
    return {
        "code": code,
        "name": name,
        "reported": reported,
        "closed": closed,
        "closeRate": closed / reported if reported else None,
        "averageHandlingHours": hours,
        "overdue": overdue,
        "suppressed": False,
    }


async def district_statistics(engines: Engines, start: dt.datetime, end: dt.datetime) -> Json:
    """``eventStatistics`` of the city: in all, per district and per category (5 statements)."""
    params = {"start": _stamp(start), "end": _stamp(end), "as_of": _stamp(end)}
    total, districts, categories, district_names, category_names = await asyncio.gather(
        _all(engines.grid, f"SELECT {_EVENT_FIGURES}", **params),
        _all(
            engines.grid,
            f"SELECT substr(e.grid_code, 1, 6) AS key, {_EVENT_FIGURES} GROUP BY 1 ORDER BY 1",
            **params,
        ),
        _all(
            engines.grid,
            f"SELECT coalesce(c.parent_code, c.code) AS key, {_EVENT_FIGURES} "
            "GROUP BY 1 ORDER BY 1",
            **params,
        ),
        _all(engines.grid, "SELECT code, name FROM districts"),
        _all(engines.grid, "SELECT code, name FROM event_categories WHERE parent_code IS NULL"),
    )
    names = dict(district_names)
    kinds = dict(category_names)
    return {
        "eventStatistics": {
            "asOf": end.isoformat(),
            "total": {
                k: v for k, v in _figures(total[0], None, None).items() if k not in {"code", "name"}
            },
            "byRegion": [_figures(r, r[0], names.get(r[0])) for r in districts],
            "byCategory": [_figures(r, r[0], kinds.get(r[0])) for r in categories],
        }
    }


async def health_report(engines: Engines, start: dt.date, end: dt.date) -> Json:
    """``healthDailyReport`` of every district and the city (6 statements)."""
    since = _stamp(dt.datetime.combine(start, dt.time()))
    until = _stamp(dt.datetime.combine(end, dt.time()))
    shows, scans, issued, industries, active, districts = await asyncio.gather(
        _all(
            engines.health,
            "SELECT district_code, date(shown_at), count(*) FROM code_shows "
            "WHERE district_code IS NOT NULL AND shown_at >= :since AND shown_at < :until "
            "GROUP BY 1, 2",
            since=since,
            until=until,
        ),
        _all(
            engines.health,
            "SELECT p.district_code, date(s.scanned_at), count(*) FROM place_scans s "
            "JOIN places p ON p.place_code = s.place_code "
            "WHERE s.scanned_at >= :since AND s.scanned_at < :until GROUP BY 1, 2",
            since=since,
            until=until,
        ),
        _all(
            engines.health,
            "SELECT district_code, issued_on, count(*) FROM places "
            "WHERE issued_on >= :start AND issued_on < :end GROUP BY 1, 2",
            start=start.isoformat(),
            end=end.isoformat(),
        ),
        _all(
            engines.health,
            "SELECT district_code, industry, count(*) FROM places "
            "WHERE issued_on >= :start AND issued_on < :end GROUP BY 1, 2 ORDER BY 1, 2",
            start=start.isoformat(),
            end=end.isoformat(),
        ),
        _all(engines.health, "SELECT district_code, count(*) FROM places WHERE active GROUP BY 1"),
        _all(engines.grid, "SELECT code, name FROM districts ORDER BY code"),
    )
    days = [start + dt.timedelta(days=n) for n in range((end - start).days)]
    daily: dict[tuple[str, str], dict[str, int]] = {}
    for figure, rows in (("codesShown", shows), ("scans", scans), ("placeCodesIssued", issued)):
        for district, day, count in rows:
            for key in ((district, str(day)), ("", str(day))):
                cell = daily.setdefault(key, {"codesShown": 0, "scans": 0, "placeCodesIssued": 0})
                cell[figure] += count
    per_industry: dict[str, dict[str, int]] = {}
    for district, industry, count in industries:
        for where in (district, ""):
            found = per_industry.setdefault(where, {})
            found[industry] = found.get(industry, 0) + count
    active_codes = dict(active)

    def report(code: str | None, name: str, active_count: int) -> Json:
        zero = {"codesShown": 0, "scans": 0, "placeCodesIssued": 0}
        rows: list[dict[str, Any]] = [
            {"day": d.isoformat(), **daily.get((code or "", d.isoformat()), zero)} for d in days
        ]
        totals = {k: sum(int(r[k]) for r in rows) for k in zero}
        return {
            "districtCode": code,
            "districtName": name,
            **totals,
            "activePlaceCodes": active_count,
            "suppressed": False,
            "days": [{**r, "suppressed": False} for r in rows],
            "issuedByIndustry": [
                {"industry": k, "placeCodes": v, "suppressed": False}
                for k, v in sorted(per_industry.get(code or "", {}).items())
            ],
        }

    return {
        "healthDailyReport": {
            "city": report(None, "天津市", sum(active_codes.values())),
            "districts": [report(c, n, active_codes.get(c, 0)) for c, n in districts],
        }
    }


async def screening(
    engines: Engines, id_numbers: Sequence[str], at: dt.datetime, window_hours: int
) -> Json:
    """``screenPersons`` for ``id_numbers`` (3 statements: codes, tests, doses)."""
    checked: list[tuple[str, str | None]] = []
    for value in id_numbers:
        try:
            checked.append((validate_id_number(value), None))
        except InvalidIdNumber as exc:
            checked.append((value if len(value) <= 32 else value[:32] + "…", str(exc)))
    keys = list(dict.fromkeys(n for n, problem in checked if problem is None))
    ids: Any = bindparam("ids", expanding=True)

    async def run(sql: str, **params: Any) -> Sequence[Any]:
        async with engines.health.connect() as conn:
            stmt = text(sql).bindparams(ids)
            return (await conn.execute(stmt, {"ids": keys, **params})).all()

    codes, tests, doses = await asyncio.gather(
        run("SELECT id_number, color FROM health_codes WHERE id_number IN :ids"),
        run(
            "SELECT id_number, result FROM (SELECT id_number, result, row_number() OVER "
            "(PARTITION BY id_number ORDER BY sampled_at DESC, id DESC) AS rank "
            "FROM nucleic_acid_tests WHERE id_number IN :ids "
            "AND sampled_at >= :since AND sampled_at <= :until) WHERE rank = 1",
            since=_stamp(at - dt.timedelta(hours=window_hours)),
            until=_stamp(at),
        ),
        run(
            "SELECT DISTINCT id_number FROM vaccinations WHERE id_number IN :ids "
            "AND vaccinated_on <= :day",
            day=at.date().isoformat(),
        ),
    )
    color = dict(codes)
    latest = dict(tests)
    dosed = {row[0] for row in doses}
    results = []
    for index, (number, problem) in enumerate(checked):
        found = problem is None and number in color
        outcome = "INVALID_ID_NUMBER" if problem else ("SCREENED" if found else "UNKNOWN")
        results.append(
            {
                "index": index,
                "idNumber": number,
                "outcome": outcome,
                "problem": problem,
                "codeColor": color[number] if found else None,
                "negativeTestWithinWindow": latest.get(number) == "NEGATIVE" if found else None,
                "vaccinated": number in dosed if found else None,
            }
        )
    return {
        "screenPersons": {
            "at": at.isoformat(),
            "testWindowHours": window_hours,
            "checked": len(id_numbers),
            "results": results,
        }
    }
