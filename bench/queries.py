"""The GraphQL documents the benchmarks send."""

from __future__ import annotations

import re
from pathlib import Path

from citybrain.seed import DEMO_ID_NUMBER

__all__ = ["README", "RESIDENTS_PAGE", "RESIDENTS_PAGE_SIZE", "readme_profile_card"]

README = Path(__file__).resolve().parent.parent / "README.md"

RESIDENTS_PAGE_SIZE = 100
RESIDENTS_PAGE = """
query ResidentsPage($grid: String!) { grid(code: $grid) { code name residents(first: 100) {
  edges { node { idNumber name gender residentType healthCode { color updatedAt }
    reportedEvents(first: 3) { edges { node { id title status reportedAt } } } } }
  pageInfo { hasNextPage endCursor } } } }
"""

_GRAPHQL_BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_profile_card(readme: Path = README) -> str:
    """The README's first GraphQL query: one resident across all four departments.

    Raises:
        AssertionError: the README has no ```graphql block, or it is not about the demo
            resident (the baseline is written for that query).
    """
    found = _GRAPHQL_BLOCK.search(readme.read_text(encoding="utf-8"))
    assert found is not None, f"no ```graphql block in {readme}"
    query = found.group(1)
    assert f'"{DEMO_ID_NUMBER}"' in query, f"the README query is not about {DEMO_ID_NUMBER}"
    return query
