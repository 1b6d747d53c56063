"""The real servers behind the suite: PostgreSQL and Redis start, serve, crash and come back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

if TYPE_CHECKING:
    from tests.servers import PostgresServer, RedisServer

NOTES = [{"id": 1, "body": "数据通"}, {"id": 2, "body": "city brain"}]


@pytest.mark.postgres
async def test_postgres_database_round_trip(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("servers_round_trip")
    assert (
        url == f"postgresql+asyncpg://postgres@127.0.0.1:{postgres_server.port}/servers_round_trip"
    )
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            version = (await conn.execute(text("select version()"))).scalar_one()
            assert version.startswith(f"PostgreSQL {postgres_server.version}")
            await conn.execute(text("create table notes (id int primary key, body text not null)"))
            await conn.execute(text("insert into notes (id, body) values (:id, :body)"), NOTES)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("select id, body from notes order by id"))).all()
        assert [row._asdict() for row in rows] == NOTES
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_keeps_data_across_restart_and_kill(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("servers_faults")
    port = postgres_server.port
    engine = create_async_engine(url, pool_pre_ping=True)
    try:
        async with engine.begin() as conn:
            # synchronous_commit is off server-wide: this commit must reach the WAL before kill().
            await conn.execute(text("set local synchronous_commit = on"))
            await conn.execute(text("create table notes (id int primary key, body text not null)"))
            await conn.execute(text("insert into notes (id, body) values (:id, :body)"), NOTES)

        postgres_server.restart()
        assert postgres_server.port == port
        async with engine.connect() as conn:
            assert (await conn.execute(text("select count(*) from notes"))).scalar_one() == 2

        postgres_server.kill()
        assert not postgres_server.running
        with pytest.raises((DBAPIError, OSError)):  # asyncpg: ConnectionRefusedError
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))

        postgres_server.start()
        assert postgres_server.port == port
        async with engine.connect() as conn:
            rows = (await conn.execute(text("select id, body from notes order by id"))).all()
        assert [row._asdict() for row in rows] == NOTES
    finally:
        await engine.dispose()
        if not postgres_server.running:
            postgres_server.start()


async def test_redis_round_trip_kill_and_start(redis_server: RedisServer) -> None:
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    # No retries: a command against the killed server fails at once.
    client = Redis.from_url(redis_server.url, retry=Retry(NoBackoff(), retries=0))
    try:
        await client.set("servers:greeting", "数据通")
        assert await client.get("servers:greeting") == "数据通".encode()

        redis_server.kill()
        assert not redis_server.running
        with pytest.raises(RedisConnectionError):
            await client.get("servers:greeting")

        redis_server.start()
        assert await client.get("servers:greeting") is None  # no persistence: a fresh server
        await client.set("servers:greeting", "back")
        assert await client.get("servers:greeting") == b"back"
    finally:
        await client.aclose()
        if not redis_server.running:
            redis_server.start()
