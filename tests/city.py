"""Fixtures over a seeded small city: settings, connectors, an HTTP client of the graph."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import event

from citybrain.app import create_app
from citybrain.connectors import load_connectors
from citybrain.seed import seed_city
from citybrain.settings import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from citybrain.connectors import Connector


@dataclass
class StatementCounter:
    """Counts SQL statements per department, through SQLAlchemy engine events."""

    counts: Counter[str] = field(default_factory=Counter)

    def attach(self, connectors: Mapping[str, Connector]) -> None:
        for department, connector in connectors.items():
            engine = getattr(connector, "engine", None)
            if engine is None:
                continue

            def count(*_: Any, department: str = department) -> None:
                self.counts[department] += 1

            event.listen(engine.sync_engine, "before_cursor_execute", count)

    def reset(self) -> None:
        self.counts.clear()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class GraphClient:
    """Posts GraphQL over HTTP to the app (httpx ASGI transport) and counts statements."""

    http: httpx.AsyncClient
    connectors: Mapping[str, Connector]
    statements: StatementCounter

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.query(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="session")
async def small_city(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a freshly seeded small city (SQLite files in a temporary folder)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("city"))
    await seed_city(settings, scale="small", seed=0, progress=False)
    return settings


async def open_graph(settings: Settings) -> tuple[GraphClient, httpx.AsyncClient]:
    connectors = load_connectors(settings)
    counter = StatementCounter()
    counter.attach(connectors)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, connectors)),
        base_url="http://citybrain.test",
    )
    return GraphClient(http, connectors, counter), http


@pytest.fixture
async def graph(small_city: Settings) -> AsyncIterator[GraphClient]:
    """A client of the whole graph over the small city."""
    client, http = await open_graph(small_city)
    async with http:
        yield client
    for connector in client.connectors.values():
        await connector.close()
