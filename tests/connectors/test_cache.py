"""The cache layer over a real SQLite department: hits, misses, single flight, invalidation,
Redis as the store (killed and restarted mid-run)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
from typing import TYPE_CHECKING

import pytest

from citybrain.connectors import (
    CachingConnector,
    Filter,
    MemoryCacheStore,
    Page,
    RedisCacheStore,
    ResiliencePolicy,
    ResilientConnector,
    load_connectors,
)
from citybrain.connectors.cache import CachePolicy, schema_version
from citybrain.connectors.cache_store import decode, encode
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.faults import Faults, FaultySource
from tests.servers import RedisServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.connectors.cache_store import CacheStore
    from citybrain.settings import Settings

MISSING_ID = "11010519491231002X"


@pytest.fixture
async def civil(small_city: Settings) -> AsyncIterator[FaultySource]:
    """The real civil-affairs connector (SQLite), counting the reads that reach it."""
    source = load_connectors(small_city, layers=False)["civil_affairs"]
    yield FaultySource(source, Faults())
    await source.close()


def cached(
    source: FaultySource, store: CacheStore | None = None, **policy: object
) -> CachingConnector:
    guard = ResilientConnector(source, ResiliencePolicy(retry_attempts=0))
    return CachingConnector(guard, store or MemoryCacheStore(), CachePolicy(**policy))  # type: ignore[arg-type]


async def test_a_repeated_read_makes_no_round_trip(civil: FaultySource) -> None:
    cache = cached(civil)
    first = await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER, MISSING_ID])
    again = await cache.fetch_by_keys("person", "id_number", [MISSING_ID, DEMO_ID_NUMBER])
    assert len(civil.faults.calls) == 1  # the missing key is remembered as missing too
    assert first[0] is not None and first[1] is None
    assert again == [None, first[0]]


async def test_only_the_keys_not_cached_are_asked_for(
    civil: FaultySource, small_city: Settings
) -> None:
    cache = cached(civil)
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    page = await cache.fetch_page(
        "person", [Filter("home_grid_code", "eq", DEMO_GRID_CODE)], first=3
    )
    ids = [row["id_number"] for row in page.rows]
    calls: list[list[object]] = []
    original = civil.inner.fetch_by_keys

    async def spy(entity: str, key: str, values: object) -> object:
        calls.append(list(values))  # type: ignore[call-overload]
        return await original(entity, key, values)  # type: ignore[arg-type]

    civil.inner.fetch_by_keys = spy  # type: ignore[method-assign,assignment]
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER, *ids])
    assert calls == [[i for i in ids if i != DEMO_ID_NUMBER]]


async def test_a_cold_key_is_fetched_once_under_concurrency(civil: FaultySource) -> None:
    cache = cached(civil)
    civil.faults.hold = asyncio.Event()
    readers = [
        asyncio.ensure_future(cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER]))
        for _ in range(10)
    ]
    await asyncio.sleep(0.01)
    civil.faults.hold.set()
    rows = await asyncio.gather(*readers)
    assert len(civil.faults.calls) == 1
    assert all(r == rows[0] and r[0] is not None for r in rows)


async def test_waiters_share_the_failure_of_the_single_flight(civil: FaultySource) -> None:
    cache = cached(civil)
    civil.faults.hold = asyncio.Event()
    civil.faults.fail = 1
    readers = [
        asyncio.ensure_future(cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER]))
        for _ in range(3)
    ]
    await asyncio.sleep(0.01)
    civil.faults.hold.set()
    results = await asyncio.gather(*readers, return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results)
    assert len(civil.faults.calls) == 1
    civil.faults.hold = None
    assert (await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER]))[0] is not None


async def test_lists_are_keyed_by_every_filter(civil: FaultySource) -> None:
    cache = cached(civil)
    street = DEMO_GRID_CODE[:9]
    grid = [Filter("home_grid_code", "prefix", DEMO_GRID_CODE)]
    wider = [Filter("home_grid_code", "prefix", street)]
    in_grid = await cache.fetch_page("person", grid, first=5)
    in_street = await cache.fetch_page("person", wider, first=5)
    assert len(civil.faults.calls) == 2
    assert await cache.fetch_page("person", grid, first=5) == in_grid
    assert await cache.fetch_page("person", wider, first=5) == in_street
    await cache.fetch_page("person", grid, first=6)
    assert len(civil.faults.calls) == 3
    groups = await cache.fetch_groups("person", "household_id", ["H1", "H2"], first=2, filters=grid)
    again = await cache.fetch_groups("person", "household_id", ["H2", "H1"], first=2, filters=grid)
    assert again == [groups[1], groups[0]] and len(civil.faults.calls) == 4


async def test_invalidation_drops_an_entity(civil: FaultySource) -> None:
    cache = cached(civil)
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    await cache.fetch_page("person", [Filter("home_grid_code", "eq", DEMO_GRID_CODE)], first=2)
    await cache.invalidate("household")  # another entity: nothing of person is dropped
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    assert len(civil.faults.calls) == 2
    await cache.invalidate("person")
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    await cache.fetch_page("person", [Filter("home_grid_code", "eq", DEMO_GRID_CODE)], first=2)
    assert len(civil.faults.calls) == 4


async def test_excluded_entities_and_lists_off_are_never_cached(
    civil: FaultySource, small_city: Settings
) -> None:
    settings = small_city.model_copy(
        update={"cache_exclude": ["civil_affairs.person"], "cache_lists": False}
    )
    policy = CachePolicy.for_department(settings, "civil_affairs")
    assert policy.ttl_of("person") == 0 and policy.ttl_of("household") > 0
    cache = cached(civil, ttls=policy.ttls, lists=False)
    for _ in range(2):
        await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
        await cache.fetch_page("household", [], first=1)
    assert len(civil.faults.calls) == 4
    whole = small_city.model_copy(update={"cache_exclude": ["health"]})
    assert CachePolicy.for_department(whole, "health").ttl_of("health_code") == 0


async def test_entries_expire(civil: FaultySource) -> None:
    now = [1000.0]
    cache = cached(civil, MemoryCacheStore(clock=lambda: now[0]), ttl=30.0)
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    now[0] += 29
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    now[0] += 2
    await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
    assert len(civil.faults.calls) == 2


async def test_the_lru_keeps_the_recently_used() -> None:
    store = MemoryCacheStore(max_entries=2)
    await store.set_many([(("a",), 1, 60), (("b",), 2, 60)])
    await store.get_many([("a",)])
    await store.set_many([(("c",), 3, 60)])
    assert [e and e[1] for e in await store.get_many([("a",), ("b",), ("c",)])] == [1, None, 3]


def test_values_survive_the_json_round_trip() -> None:
    row = {"d": dt.date(2024, 2, 29), "t": dt.datetime(2024, 2, 29, 8, 0, tzinfo=dt.UTC), "n": 1}
    page = Page(rows=[row], has_next_page=True, ordering=("d", "n"))
    assert decode(encode((5.0, [page, None, row]))) == (5.0, [page, None, row])


def test_keys_carry_the_schema_version(civil: FaultySource) -> None:
    assert schema_version(civil, "person") != schema_version(civil, "household")
    assert schema_version(civil, "person") == schema_version(civil, "person")


async def test_redis_killed_mid_run_reads_fall_through_and_hits_resume(
    civil: FaultySource,
) -> None:
    with RedisServer() as redis:
        store = RedisCacheStore(redis.url, timeout=0.5, retry_after=0.0)
        cache = cached(civil, store)
        try:
            assert await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert len(civil.faults.calls) == 1
            keys = await store.client.keys("citybrain:*")
            assert keys and not any(DEMO_ID_NUMBER.encode() in k for k in keys)

            redis.kill()
            for expected in (2, 3):
                (row,) = await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
                assert row is not None and row["id_number"] == DEMO_ID_NUMBER
                assert len(civil.faults.calls) == expected
            assert store.errors >= 2
            with pytest.raises(OSError):
                await store.ping()

            redis.start()
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])  # refills
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert len(civil.faults.calls) == 4
            await store.ping()
        finally:
            await store.close()


async def test_redis_is_skipped_for_a_while_after_an_error(civil: FaultySource) -> None:
    now = [0.0]
    with RedisServer() as redis:
        store = RedisCacheStore(redis.url, timeout=0.5, retry_after=5.0, clock=lambda: now[0])
        try:
            redis.kill()
            cache = cached(civil, store)
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            errors = store.errors
            assert errors >= 1 and not store.available
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert store.errors == errors  # skipped: no new attempt, no new error
            redis.start()
            now[0] += 5.0
            assert store.available
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert store.errors == errors and len(civil.faults.calls) == 3
        finally:
            await store.close()


async def test_a_waiter_fetches_for_itself_when_the_single_flight_is_cancelled(
    civil: FaultySource,
) -> None:
    cache = cached(civil)
    civil.faults.hold = asyncio.Event()
    owner = asyncio.ensure_future(cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER]))
    await asyncio.sleep(0.01)
    waiter = asyncio.ensure_future(cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER]))
    await asyncio.sleep(0.01)
    owner.cancel()
    await asyncio.sleep(0.01)
    civil.faults.hold.set()
    (row,) = await waiter
    assert row is not None and row["id_number"] == DEMO_ID_NUMBER
    assert civil.faults.cancelled == 1 and len(civil.faults.calls) == 2


async def test_a_hung_redis_costs_one_short_timeout_and_reads_fall_through(
    civil: FaultySource,
) -> None:
    with RedisServer() as redis:
        store = RedisCacheStore(redis.url, timeout=0.2, retry_after=0.0)
        cache = cached(civil, store)
        try:
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert redis.pid is not None
            os.kill(redis.pid, signal.SIGSTOP)  # alive, accepting nothing: a hung Redis
            try:
                (row,) = await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
                assert row is not None and len(civil.faults.calls) == 2
                assert store.errors >= 1
            finally:
                os.kill(redis.pid, signal.SIGCONT)
            errors = store.errors
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            await cache.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert store.errors == errors and len(civil.faults.calls) == 2  # hits again
        finally:
            await store.close()


async def test_redis_shares_rows_and_invalidations_between_processes(
    civil: FaultySource,
) -> None:
    with RedisServer() as redis:
        # Two processes' stores over one Redis (generations re-read on every call).
        first = RedisCacheStore(redis.url, timeout=0.5, generation_ttl=0.0)
        second = RedisCacheStore(redis.url, timeout=0.5, generation_ttl=0.0)
        one, other = cached(civil, first), cached(civil, second)
        try:
            await one.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            await other.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert len(civil.faults.calls) == 1  # the second process hit the first's row
            await one.invalidate("person")  # after a write by the first process
            await other.fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            assert len(civil.faults.calls) == 2
        finally:
            await first.close()
            await second.close()


async def test_redis_keys_are_keyed_hashes(civil: FaultySource) -> None:
    # Without the service's secret, a key tells nothing of the ID number looked up (a plain
    # hash could be found by trying every ID number).
    with RedisServer() as redis:
        stores = [
            RedisCacheStore(redis.url, timeout=0.5, key_secret=secret)
            for secret in (b"one secret", b"another secret")
        ]
        try:
            for store in stores:
                await cached(civil, store).fetch_by_keys("person", "id_number", [DEMO_ID_NUMBER])
            found = await stores[0].client.keys("citybrain:*:person:*")
            keys = {k.decode() if isinstance(k, bytes) else k for k in found}
            assert len(keys) == 2  # the same lookup, two secrets: two unrelated keys
            assert len({k.rsplit(":", 1)[1] for k in keys}) == 2
        finally:
            for store in stores:
                await store.close()
