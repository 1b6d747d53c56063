"""Shared fixtures: the real servers the suite runs against, and a clean environment."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TypeVar

import pytest

from tests.servers import PostgresServer, RedisServer, ServerError, ServersMissing

# Fixtures over a seeded small city (settings, connectors, a graph client).
pytest_plugins = ["tests.city"]

if TYPE_CHECKING:
    from collections.abc import Iterator

# --- real servers and environment ---------------------------------------------------------
# One PostgreSQL and one Redis per test session, started on first use on free local ports.
# Missing binaries fail the tests (never skip them): `make test-services` installs them.

_Server = TypeVar("_Server", PostgresServer, RedisServer)


def _start_server(server_type: type[_Server]) -> _Server:
    """Start a server, or fail (never skip) the tests that need it, saying what to do."""
    try:
        server = server_type()
        server.start()
    except ServersMissing as exc:
        problem = str(exc)  # names `make test-services`
    except ServerError as exc:
        problem = f"{server_type.__name__} did not start: {exc}"
    else:
        return server
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL server; ``create_database(name)`` gives each test its database."""
    server = _start_server(PostgresServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A running Redis server at ``redis_server.url``, empty at the start of the session."""
    server = _start_server(RedisServer)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _no_citybrain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the ``CITYBRAIN_*`` settings they set themselves."""
    for name in list(os.environ):
        if name.startswith("CITYBRAIN_"):
            monkeypatch.delenv(name)


# --- end of real servers and environment ---------------------------------------------------
