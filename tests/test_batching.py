"""Batching, proven by counting SQL statements: the count does not grow with the page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.city import open_graph

if TYPE_CHECKING:
    from citybrain.settings import Settings

RESIDENTS_PAGE = """
query Residents($grid: String!, $first: Int!, $after: String) {
  grid(code: $grid) {
    name
    residents(first: $first, after: $after) {
      edges { node {
        idNumber name
        healthCode { color }
        vaccinations(first: 3) { edges { node { vaccine dose } } }
        driverLicence { status platform { name } }
        reportedEvents(first: 3) { edges { node { title status category { name } } } }
      } }
    }
  }
}
"""

ENTITIES = """
query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Person { idNumber healthCode { color } vaccinations(first: 3) { edges { node { dose } } }
                  driverLicence { status platform { name } }
                  reportedEvents(first: 3) { edges { node { title category { name } } } } }
} }
"""


ALL_RESIDENTS = """
query($grid: String!, $after: String) { persons(gridCode: $grid, first: 1000, after: $after) {
  edges { cursor node { idNumber } } pageInfo { hasNextPage endCursor } } }
"""


async def _counts(settings: Settings, query: str, variables: dict[str, object]) -> dict[str, int]:
    client, _ = await open_graph(settings)
    try:
        data = await client.data(query, variables)
    finally:
        await client.aclose()
    assert data
    return dict(client.statements.counts)


async def _windows(settings: Settings) -> dict[int, tuple[str | None, list[str]]]:
    """For each page size, a start cursor and the IDs of a page holding the demo resident.

    The demo resident has rows in every department, so each page exercises every field.
    """
    client, _ = await open_graph(settings)
    edges: list[dict[str, Any]] = []
    after = None
    try:
        while True:
            page = (await client.data(ALL_RESIDENTS, {"grid": DEMO_GRID_CODE, "after": after}))[
                "persons"
            ]
            edges.extend(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    finally:
        await client.aclose()
    ids = [e["node"]["idNumber"] for e in edges]
    demo = ids.index(DEMO_ID_NUMBER)
    windows = {}
    for size in (10, 100, 1000):
        assert len(ids) >= size
        start = min(max(0, demo - 5), len(ids) - size)
        cursor = edges[start - 1]["cursor"] if start else None
        windows[size] = (cursor, ids[start : start + size])
        assert DEMO_ID_NUMBER in windows[size][1]
    return windows


@pytest.fixture
def big_pages(small_city: Settings) -> Settings:
    """The small city with the page limit raised so that one page holds 1,000 residents."""
    return small_city.model_copy(update={"max_page_size": 1000})


async def test_statements_per_department_do_not_depend_on_page_size(big_pages: Settings) -> None:
    windows = await _windows(big_pages)
    per_size = {
        size: await _counts(
            big_pages, RESIDENTS_PAGE, {"grid": DEMO_GRID_CODE, "first": size, "after": after}
        )
        for size, (after, _) in windows.items()
    }
    assert per_size[10] == per_size[100] == per_size[1000], per_size
    # grid row; residents; health code, vaccinations; licence, platform; events, category.
    assert per_size[1000] == {"grid": 3, "civil_affairs": 1, "health": 2, "transport": 2}


async def test_entities_are_batched_like_a_page(big_pages: Settings) -> None:
    for size, (_, ids) in (await _windows(big_pages)).items():
        reps = [{"__typename": "Person", "idNumber": i} for i in ids]
        counts = await _counts(big_pages, ENTITIES, {"reps": reps})
        # persons; health code, vaccinations; licence, platform; events, category.
        assert counts == {"civil_affairs": 1, "health": 2, "transport": 2, "grid": 2}, size
