"""Deadlines (办结时限) and overdue flags of grid events, as a front-end reads them."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING

import pytest

from citybrain.city_clock import city_now
from citybrain.seed import DEMO_GRID_CODE
from tests.city import open_graph
from tests.workflow.documents import act, report_input

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.settings import Settings
    from tests.city import GraphClient

PAGE = """{ events(first: 100) { edges { node {
  id reportedAt closedAt deadlineAt overdue category { deadlineHours } } } } }"""


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


async def test_deadline_is_report_time_plus_the_category_hours(graph: GraphClient) -> None:
    events = [e["node"] for e in (await graph.data(PAGE))["events"]["edges"]]
    assert len(events) == 100
    now = city_now()
    flags = set()
    for event in events:
        hours = event["category"]["deadlineHours"]
        deadline = _time(event["reportedAt"]) + dt.timedelta(hours=hours)
        assert _time(event["deadlineAt"]) == deadline
        end = _time(event["closedAt"]) if event["closedAt"] else now
        assert event["overdue"] is (end > deadline)
        flags.add(event["overdue"])
    assert flags == {True, False}  # the seeded city has both


async def test_deadlines_cost_no_statement_of_their_own(small_city: Settings) -> None:
    # Without the row cache, so the second query reaches the department as the first did.
    graph, _ = await open_graph(small_city.model_copy(update={"cache_enabled": False}))
    try:
        await graph.data("{ events(first: 50) { edges { node { id category { name } } } } }")
        plain = graph.statements.total
        assert plain > 0
        graph.statements.reset()
        await graph.data(
            "{ events(first: 50) { edges { node { id category { name } deadlineAt overdue } } } }"
        )
        assert graph.statements.total == plain
    finally:
        await graph.aclose()


UTC_OFFSET = dt.timedelta(hours=8)  # Beijing time is UTC+8 all year
EVENT = """query($id: Int!) { event(id: $id) {
  status reportedAt closedAt deadlineAt overdue category { deadlineHours } } }"""
REPORTED = """query($from: DateTime!, $before: DateTime!, $region: String) {
  eventStatistics(from: $from, before: $before, regionCode: $region) { total { reported } } }"""


@pytest.fixture
async def exact(city_copy: Settings) -> AsyncIterator[GraphClient]:
    """The graph over a private copy of the city, small-cell suppression off."""
    client, _ = await open_graph(city_copy.model_copy(update={"suppression_threshold": 1}))
    try:
        yield client
    finally:
        await client.aclose()


LISTED = """query($from: DateTime!, $before: DateTime!, $region: String) {
  events(first: 100, filter: {regionCode: $region, reportedFrom: $from, reportedBefore: $before})
  { edges { node { id } } } }"""


async def _reported(graph: GraphClient, start: dt.datetime, end: dt.datetime) -> int:
    """Events of the demo grid reported in a window (the list: any time of day)."""
    window = {"from": start.isoformat(), "before": end.isoformat(), "region": DEMO_GRID_CODE}
    data = await graph.as_role("analyst").data(LISTED, window)
    return len(data["events"]["edges"])


async def _counted_on(graph: GraphClient, day: dt.datetime) -> int:
    """The statistic of one whole city-time day (statistics periods are whole days)."""
    window = {
        "from": day.isoformat(),
        "before": (day + dt.timedelta(days=1)).isoformat(),
        "region": DEMO_GRID_CODE,
    }
    data = await graph.as_role("analyst").data(REPORTED, window)
    count: int = data["eventStatistics"]["total"]["reported"]
    return count


async def test_a_reported_event_is_stamped_and_counted_in_city_time(exact: GraphClient) -> None:
    worker = exact.as_role("grid_worker", DEMO_GRID_CODE, subject="worker-clock")
    start = city_now().replace(second=0, microsecond=0)
    end = start + dt.timedelta(minutes=2)  # the report happens well within this window
    in_city_time = await _reported(exact, start, end)
    in_utc = await _reported(exact, start - UTC_OFFSET, end - UTC_OFFSET)
    today = start.replace(hour=0, minute=0)
    on_the_day = await _counted_on(exact, today)
    before = city_now()
    event_id = (await act(worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    after = city_now()
    event = (await exact.as_role("analyst").data(EVENT, {"id": event_id}))["event"]
    reported = dt.datetime.fromisoformat(event["reportedAt"])
    assert reported.tzinfo is None  # stored and served without an offset
    assert before <= reported <= after
    hours = event["category"]["deadlineHours"]
    assert dt.datetime.fromisoformat(event["deadlineAt"]) == reported + dt.timedelta(hours=hours)
    assert event["overdue"] is False
    # Counted in the Beijing-time window of its report, not in the UTC one 8 hours earlier.
    assert await _reported(exact, start, end) == in_city_time + 1
    assert await _reported(exact, start - UTC_OFFSET, end - UTC_OFFSET) == in_utc
    # The same window given with an offset (UTC) is the same period.
    utc_start = (start - UTC_OFFSET).replace(tzinfo=dt.UTC)
    assert await _reported(exact, utc_start, utc_start + (end - start)) == in_city_time + 1
    # And the day's statistic (a whole day in city time) counts it.
    assert await _counted_on(exact, today) == on_the_day + 1


def _open_events(settings: Settings) -> list[tuple[int, int]]:
    """(id, deadline hours) of seeded events still open, oldest first."""
    with sqlite3.connect(settings.data_dir / "grid.sqlite3") as db:
        rows = db.execute(
            "SELECT e.id, c.deadline_hours FROM grid_events e "
            "JOIN event_categories c ON c.code = e.category_code "
            "WHERE e.closed_at IS NULL ORDER BY e.reported_at LIMIT 2"
        ).fetchall()
    return [(int(i), int(h)) for i, h in rows]


async def test_overdue_is_judged_on_the_city_clock(exact: GraphClient) -> None:
    (old, _), (moved, hours) = _open_events(exact.settings)
    # Move one open event so that its deadline passed 4 hours ago in Beijing time, i.e.
    # 4 hours *after* the same wall-clock reading in UTC: only the city's clock sees it late.
    reported = city_now() - dt.timedelta(hours=hours + 4)
    with sqlite3.connect(exact.settings.data_dir / "grid.sqlite3") as db:
        db.execute(
            "UPDATE grid_events SET reported_at = ? WHERE id = ?",
            (reported.strftime("%Y-%m-%d %H:%M:%S.%f"), moved),
        )
    officer = exact.as_role("analyst")
    seeded = (await officer.data(EVENT, {"id": old}))["event"]
    assert seeded["closedAt"] is None and seeded["overdue"] is True
    late = (await officer.data(EVENT, {"id": moved}))["event"]
    deadline = dt.datetime.fromisoformat(late["deadlineAt"])
    utc_now = city_now() - UTC_OFFSET  # what a UTC clock reads, naive
    assert utc_now < deadline < city_now()
    assert late["closedAt"] is None and late["overdue"] is True
