"""Fixtures over a seeded small city: settings, connectors, an HTTP client of the graph."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import jwt
import pytest
from sqlalchemy import event

from citybrain.app import create_app
from citybrain.connectors import load_connectors
from citybrain.seed import seed_city
from citybrain.settings import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.applications import Starlette

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


# Several departments' officer roles at once: the most permissive decision wins, so this
# caller sees every field city-wide (used by tests of structure, not of access control).
ALL_DEPARTMENTS = ("civil_affairs_officer", "health_officer", "transport_officer")


def token_for(
    settings: Settings,
    roles: tuple[str, ...] | str,
    jurisdiction: str | None = None,
    purposes: tuple[str, ...] = (),
    *,
    subject: str = "test-user",
    lifetime: int = 3600,
    department: str | None = None,
) -> str:
    """A development token (HS256, the settings' signing key) with these claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [roles] if isinstance(roles, str) else list(roles),
        "purposes": list(purposes),
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    if jurisdiction is not None:
        claims["jurisdiction"] = jurisdiction
    if department is not None:
        claims["department"] = department
    return jwt.encode(claims, settings.signing_key.get_secret_value(), algorithm="HS256")


@dataclass
class GraphClient:
    """Posts GraphQL over HTTP to the app (httpx ASGI transport) and counts statements.

    Requests carry ``headers`` (by default a token of :data:`ALL_DEPARTMENTS`).
    """

    http: httpx.AsyncClient
    connectors: Mapping[str, Connector]
    statements: StatementCounter
    settings: Settings
    app: Starlette
    headers: dict[str, str] = field(default_factory=dict)

    async def aclose(self) -> None:
        """Close the HTTP client, the connectors, the audit store and the endpoint's store."""
        await self.http.aclose()
        for connector in self.connectors.values():
            await connector.close()
        await self.app.state.audit.store.close()
        await self.app.state.endpoint.close()

    def as_role(
        self,
        roles: tuple[str, ...] | str | None,
        jurisdiction: str | None = None,
        purposes: tuple[str, ...] = (),
        purpose: str | None = None,
        subject: str = "test-user",
        department: str | None = None,
    ) -> GraphClient:
        """The same client, calling as another caller (``None``: anonymous)."""
        headers = {}
        if roles is not None:
            token = token_for(
                self.settings, roles, jurisdiction, purposes, subject=subject, department=department
            )
            headers["Authorization"] = f"Bearer {token}"
        if purpose is not None:
            headers["X-Purpose"] = purpose
        return GraphClient(
            self.http, self.connectors, self.statements, self.settings, self.app, headers
        )

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={**self.headers, **headers},
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


async def open_graph(
    settings: Settings, connectors: Mapping[str, Connector] | None = None
) -> tuple[GraphClient, httpx.AsyncClient]:
    connectors = connectors if connectors is not None else load_connectors(settings)
    counter = StatementCounter()
    counter.attach(connectors)
    app = create_app(settings, connectors)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://citybrain.test"
    )
    client = GraphClient(http, connectors, counter, settings, app).as_role(ALL_DEPARTMENTS)
    return client, http


@pytest.fixture
async def graph(small_city: Settings) -> AsyncIterator[GraphClient]:
    """A client of the whole graph over the small city."""
    client, _ = await open_graph(small_city)
    try:
        yield client
    finally:
        await client.aclose()
