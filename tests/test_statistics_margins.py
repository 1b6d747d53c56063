"""Statistics against differencing: no withheld cell comes back by subtraction.

Rows are inserted into a copy of the small city so that each margin a statistics answer
publishes would give a small count away by subtraction without complementary
suppression; an attacker (:func:`recover`) then solves every margin of the answer with
one unknown, repeatedly, and must find no small count.
"""

from __future__ import annotations

import shutil
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.resolvers.suppression import suppress_breakdown, suppress_row
from tests.city import open_graph

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from citybrain.settings import Settings
    from tests.city import GraphClient

THRESHOLD = 5
HEALTH = """
query Health($from: Date!, $before: Date!) {
  healthDailyReport(from: $from, before: $before) {
    city {
      codesShown scans placeCodesIssued activePlaceCodes
      days { day codesShown scans placeCodesIssued }
      issuedByIndustry { industry placeCodes }
    }
    districts {
      districtCode codesShown scans placeCodesIssued activePlaceCodes
      days { day codesShown scans placeCodesIssued }
      issuedByIndustry { industry placeCodes }
    }
  }
}
"""
EVENTS = """
query Events($from: DateTime!, $before: DateTime!) {
  eventStatistics(from: $from, before: $before) {
    total { code reported closed overdue suppressed }
    byRegion { code reported closed overdue suppressed }
    byCategory { code reported closed overdue suppressed }
  }
}
"""
HEALTH_COUNTS = ("codesShown", "scans", "placeCodesIssued")

Cell = tuple[Any, ...]
Margin = tuple[Cell, tuple[Cell, ...]]


def recover(cells: dict[Cell, int | None], margins: list[Margin]) -> dict[Cell, int]:
    """What subtraction gives back: every margin with one unknown member, until none."""
    known = {cell: value for cell, value in cells.items() if value is not None}
    found: dict[Cell, int] = {}
    progress = True
    while progress:
        progress = False
        for total, parts in margins:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            if cell == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != cell)
            known[cell] = found[cell] = value
            progress = True
    return found


def _small(found: dict[Cell, int]) -> dict[Cell, int]:
    return {cell: value for cell, value in found.items() if 0 < value < THRESHOLD}


@pytest.fixture
async def city_copy(small_city: Settings, tmp_path: Path) -> Settings:
    """A copy of the small city's files: rows may be inserted into it."""
    folder = tmp_path / "city"
    shutil.copytree(small_city.data_dir, folder)
    return small_city.model_copy(update={"data_dir": folder})


async def _client(settings: Settings, threshold: int) -> AsyncIterator[GraphClient]:
    client, _ = await open_graph(settings.model_copy(update={"suppression_threshold": threshold}))
    try:
        yield client.as_role("analyst")
    finally:
        await client.aclose()


def _health_rows(folder: Path) -> None:
    """Oct 1st, 2026 (before the seeded code shows start): 3 code shows in 和平区 beside
    6 and 7 in two other districts; places issued: 2 in 和平区, 6 in 河东区, all 餐饮."""
    with sqlite3.connect(folder / "health.sqlite3") as db:
        (last,) = db.execute("SELECT max(id) FROM code_shows").fetchone()
        shows = [("120101", 3), ("120102", 6), ("120103", 7)]
        rows = [(d, n) for d, count in shows for n in range(count)]
        db.executemany(
            "INSERT INTO code_shows VALUES (?, ?, ?, 'green', ?)",
            [
                (last + i + 1, f"12010119900101{i:04d}", d, f"2026-10-01 0{n}:00:00.000000")
                for i, (d, n) in enumerate(rows)
            ],
        )
        places = [("120101", n) for n in range(2)] + [("120102", n) for n in range(6)]
        db.executemany(
            "INSERT INTO places VALUES (?, ?, '餐饮', ?, ?, ?, '2026-10-03', 1)",
            [
                (f"TJTEST{d}{n:04d}", f"测试餐馆{n}", "天津市", f"{d}001001001", d)
                for d, n in places
            ],
        )


def _health_cells(report: dict[str, Any]) -> tuple[dict[Cell, int | None], list[Margin]]:
    """The cells of a daily report and the sums between them, as an attacker reads them."""
    cells: dict[Cell, int | None] = {}
    margins: list[Margin] = []
    keyed = [("city", report["city"])] + [(d["districtCode"], d) for d in report["districts"]]
    for key, row in keyed:
        for name in (*HEALTH_COUNTS, "activePlaceCodes"):
            cells[(key, name)] = row[name]
        for day in row["days"]:
            for name in HEALTH_COUNTS:
                cells[(key, day["day"], name)] = day[name]
        for industry in row["issuedByIndustry"]:
            cells[(key, industry["industry"])] = industry["placeCodes"]
        for name in HEALTH_COUNTS:
            margins.append(((key, name), tuple((key, d["day"], name) for d in row["days"])))
        by_industry = tuple((key, i["industry"]) for i in row["issuedByIndustry"])
        margins.append(((key, "placeCodesIssued"), by_industry))
    districts = [key for key, _ in keyed[1:]]
    for name in (*HEALTH_COUNTS, "activePlaceCodes"):
        margins.append((("city", name), tuple((d, name) for d in districts)))
    for day in report["city"]["days"]:
        for name in HEALTH_COUNTS:
            margins.append(
                (("city", day["day"], name), tuple((d, day["day"], name) for d in districts))
            )
    for industry in report["city"]["issuedByIndustry"]:
        parts = tuple(
            (d, industry["industry"]) for d in districts if (d, industry["industry"]) in cells
        )
        margins.append((("city", industry["industry"]), parts))
    return cells, margins


async def _health(settings: Settings, threshold: int) -> dict[str, Any]:
    async for client in _client(settings, threshold):
        data = await client.data(HEALTH, {"from": "2026-10-01", "before": "2026-10-08"})
    return data["healthDailyReport"]  # type: ignore[no-any-return]


async def test_a_district_day_cannot_be_recomputed_from_the_city_day(
    city_copy: Settings,
) -> None:
    _health_rows(city_copy.data_dir)
    exact = await _health(city_copy, 1)
    cells, margins = _health_cells(exact)
    assert cells[("120101", "2026-10-01", "codesShown")] == 3
    # Published in full, the city's day minus the other districts' days is that cell.
    others = sum(cells[(d, "2026-10-01", "codesShown")] or 0 for d in _districts(exact)[1:])
    assert cells[("city", "2026-10-01", "codesShown")] == 16 == 3 + others
    report = await _health(city_copy, THRESHOLD)
    cells, margins = _health_cells(report)
    assert cells[("120101", "2026-10-01", "codesShown")] is None
    assert cells[("city", "2026-10-01", "codesShown")] == 16
    assert _small(recover(cells, margins)) == {}
    # The complements withheld: at least one other district's Oct 1st, so the city's day
    # minus what is shown leaves two or more unknowns.
    withheld = [d for d in _districts(report) if cells[(d, "2026-10-01", "codesShown")] is None]
    assert len(withheld) >= 2


async def test_a_district_industry_cannot_be_recomputed_from_the_city(
    city_copy: Settings,
) -> None:
    _health_rows(city_copy.data_dir)
    exact = await _health(city_copy, 1)
    cells, _ = _health_cells(exact)
    assert (cells[("120101", "餐饮")], cells[("120102", "餐饮")], cells[("city", "餐饮")]) == (
        2,
        6,
        8,
    )
    report = await _health(city_copy, THRESHOLD)
    cells, margins = _health_cells(report)
    assert cells[("120101", "餐饮")] is None
    assert cells[("120101", "2026-10-03", "placeCodesIssued")] is None
    assert _small(recover(cells, margins)) == {}
    assert cells[("city", "餐饮")] is None or cells[("120102", "餐饮")] is None


def _districts(report: dict[str, Any]) -> list[str]:
    return [d["districtCode"] for d in report["districts"]]


def _event_rows(folder: Path) -> None:
    """Events after the seeded ones. Nov 10th-14th: 和平区 12 reported, 10 closed; 河东区 8
    reported, 8 closed (2 open in the city). Nov 15th-19th: 和平区 12 reported, 10 closed;
    河东区 12 reported, 7 closed (2 open in 和平区, 7 in the city)."""
    rows = []
    for day, district, reported, closed, category in (
        (10, "120101", 12, 10, "01"),
        (11, "120102", 8, 8, "02"),
        (15, "120101", 12, 10, "01"),
        (16, "120102", 12, 7, "02"),
    ):
        for n in range(reported):
            at = f"2026-11-{day} 09:{n:02d}:00.000000"
            end = f"2026-11-{day} 15:{n:02d}:00.000000" if n < closed else None
            status = "CLOSED" if end else "REPORTED"
            rows.append((category, f"{district}001001001", status, at, end))
    with sqlite3.connect(folder / "grid.sqlite3") as db:
        (last,) = db.execute("SELECT max(id) FROM grid_events").fetchone()
        db.executemany(
            "INSERT INTO grid_events VALUES (?, '测试', '测试事件', ?, ?, ?, "
            "'120101199003071235', ?, ?, 1)",
            [(last + i + 1, *row) for i, row in enumerate(rows)],
        )


def _event_cells(figures: dict[str, Any]) -> tuple[dict[Cell, int | None], list[Margin]]:
    """Counts of the total and both breakdowns; each row's open events are unknowns."""
    cells: dict[Cell, int | None] = {}
    margins: list[Margin] = []
    rows: dict[Cell, dict[str, Any]] = {("total",): figures["total"]}
    rows |= {("region", r["code"]): r for r in figures["byRegion"]}
    rows |= {("category", r["code"]): r for r in figures["byCategory"]}
    for key, row in rows.items():
        for name in ("reported", "closed", "overdue"):
            cells[(*key, name)] = row[name]
        margins.append(((*key, "reported"), ((*key, "closed"), (*key, "open"))))
    for breakdown in ("region", "category"):
        keys = [k for k in rows if k[0] == breakdown]
        for name in ("reported", "closed", "overdue", "open"):
            margins.append((("total", name), tuple((*k, name) for k in keys)))
    return cells, margins


async def _events(settings: Settings, threshold: int, day: int) -> dict[str, Any]:
    period = {"from": f"2026-11-{day}T00:00:00", "before": f"2026-11-{day + 5}T00:00:00"}
    async for client in _client(settings, threshold):
        data = await client.data(EVENTS, period)
    return data["eventStatistics"]  # type: ignore[no-any-return]


async def test_open_events_cannot_be_recomputed_within_a_row(city_copy: Settings) -> None:
    _event_rows(city_copy.data_dir)
    exact = await _events(city_copy, 1, 10)
    assert (exact["total"]["reported"], exact["total"]["closed"]) == (20, 18)
    figures = await _events(city_copy, THRESHOLD, 10)
    total = figures["total"]
    assert total["reported"] == 20 and total["closed"] is None and total["suppressed"]
    cells, margins = _event_cells(figures)
    found = recover(cells, margins)
    assert _small(found) == {}
    assert ("total", "open") not in found and ("region", "120101", "open") not in found


async def test_region_totals_and_breakdowns_hide_the_open_events(city_copy: Settings) -> None:
    _event_rows(city_copy.data_dir)
    exact = await _events(city_copy, 1, 15)
    assert (exact["total"]["reported"], exact["total"]["closed"]) == (24, 17)
    figures = await _events(city_copy, THRESHOLD, 15)
    assert figures["total"]["closed"] == 17  # 7 open in the city: shown
    region = {r["code"]: r for r in figures["byRegion"]}
    assert region["120101"]["reported"] == 12 and region["120101"]["closed"] is None
    # The city's closed minus 河东区's would give 和平区's closed, then its 2 open events:
    # 河东区's closed is withheld too.
    assert region["120102"]["closed"] is None
    cells, margins = _event_cells(figures)
    assert _small(recover(cells, margins)) == {}


def test_unanswered_whistles_cannot_be_recomputed() -> None:
    """Whistles vs responded within a row and against the total, as for events."""
    rows = [
        {"department": "城管", "whistles": 9, "responded": 7, "scored": 7},
        {"department": "水务", "whistles": 10, "responded": 6, "scored": 6},
    ]
    counts = ("whistles", "responded", "scored")
    subsets = (("whistles", "responded"),)
    total = suppress_row(
        {"department": None, "whistles": 19, "responded": 13, "scored": 13}, counts, {}, 5, subsets
    )
    assert total["responded"] == 13  # 6 unanswered in all: shown
    shown = suppress_breakdown(rows, counts, {}, THRESHOLD, subsets)
    assert [r["whistles"] for r in shown] == [9, 10]
    assert shown[0]["responded"] is None  # 2 unanswered
    assert shown[1]["responded"] is None  # else the total's 13 minus it gives 7, then 2
    cells: dict[Cell, int | None] = {("total", n): total[n] for n in counts}
    margins: list[Margin] = [(("total", "whistles"), (("total", "responded"), ("total", "open")))]
    for i, row in enumerate(shown):
        cells |= {(i, n): row[n] for n in counts}
        margins.append(((i, "whistles"), ((i, "responded"), (i, "open"))))
    for name in (*counts, "open"):
        margins.append((("total", name), tuple((i, name) for i in range(len(rows)))))
    assert _small(recover(cells, margins)) == {}
