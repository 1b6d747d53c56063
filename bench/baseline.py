"""Hand-written baselines: the same answers as the GraphQL queries, with direct SQL.

What a careful developer would write for each screen, on the connectors' own engines
(the same databases, indexes and connection pools): SQLAlchemy Core, one pooled
connection per statement (as the connectors use), only the columns shown, joins inside
one department's database (never across departments), one ``IN (...)`` statement per
related table for a whole page, ``ROW_NUMBER()`` windows for "first n per parent", and
independent statements sent concurrently. The JSON has the shape and values of the
GraphQL response's ``data``, keys in the query's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citybrain.connectors import SqlConnector, source_of

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncEngine

    from citybrain.connectors import Connector

__all__ = ["Engines", "Json", "iso", "rows"]

Json = dict[str, Any]


class Engines:
    """The async engine of each department, taken from the app's connectors."""

    __slots__ = ("civil_affairs", "grid", "health", "transport")

    def __init__(self, connectors: Mapping[str, Connector]) -> None:
        engines: dict[str, AsyncEngine] = {}
        for department in ("civil_affairs", "health", "transport", "grid"):
            connector = source_of(connectors[department])  # below cache and resilience
            assert isinstance(connector, SqlConnector), f"{department} is not a SQL connector"
            engines[department] = connector.engine
        self.civil_affairs = engines["civil_affairs"]
        self.health = engines["health"]
        self.transport = engines["transport"]
        self.grid = engines["grid"]


async def rows(engine: AsyncEngine, stmt: Select[Any]) -> Sequence[Any]:
    async with engine.connect() as conn:
        found: Sequence[Any] = (await conn.execute(stmt)).all()
    return found


def iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()
