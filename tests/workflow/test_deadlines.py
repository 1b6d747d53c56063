"""Deadlines (办结时限) and overdue flags of grid events, as a front-end reads them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tests.city import open_graph

if TYPE_CHECKING:
    from citybrain.settings import Settings
    from tests.city import GraphClient

PAGE = """{ events(first: 100) { edges { node {
  id reportedAt closedAt deadlineAt overdue category { deadlineHours } } } } }"""


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


async def test_deadline_is_report_time_plus_the_category_hours(graph: GraphClient) -> None:
    events = [e["node"] for e in (await graph.data(PAGE))["events"]["edges"]]
    assert len(events) == 100
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
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
