"""The resilience layer over a real SQLite department: breaker, timeout, retries, bulkhead."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from citybrain.connectors import (
    CachingConnector,
    DepartmentTimeout,
    DepartmentUnavailable,
    MemoryCacheStore,
    ResiliencePolicy,
    ResilientConnector,
    load_connectors,
)
from citybrain.connectors.cache import CachePolicy
from citybrain.connectors.resilience import RetryBudget
from citybrain.seed import DEMO_ID_NUMBER
from tests.faults import Faults, FaultySource

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.settings import Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """Records back-off sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def health(small_city: Settings) -> AsyncIterator[FaultySource]:
    """The real health connector (SQLite), with faults injected in front of it."""
    source = load_connectors(small_city, layers=False)["health"]
    yield FaultySource(source, Faults())
    await source.close()


def guarded(
    source: FaultySource, clock: FakeClock | None = None, **policy: float
) -> ResilientConnector:
    defaults: dict[str, float] = {"retry_attempts": 0, "breaker_failures": 3, "breaker_reset": 10.0}
    return ResilientConnector(
        source,
        ResiliencePolicy(**{**defaults, **policy}),  # type: ignore[arg-type]
        clock=clock or FakeClock(),
        sleep=Sleeps(),
    )


async def read(connector: ResilientConnector | CachingConnector) -> object:
    (row,) = await connector.fetch_by_keys("health_code", "id_number", [DEMO_ID_NUMBER])
    return row


async def test_breaker_opens_fails_fast_probes_once_and_closes(health: FaultySource) -> None:
    clock = FakeClock()
    guard = guarded(health, clock)
    health.faults.fail = -1
    for _ in range(3):
        with pytest.raises(DepartmentUnavailable) as failed:
            await read(guard)
        assert failed.value.reason == "error"
    assert len(health.faults.calls) == 3 and guard.breaker.state == "open"

    # Open: further calls fail fast, without touching the department.
    for _ in range(5):
        with pytest.raises(DepartmentUnavailable) as fast:
            await read(guard)
        assert fast.value.reason == "breaker_open"
    assert len(health.faults.calls) == 3
    assert guard.breaker.rejected == 5

    # After the reset window: exactly one probe; a second caller meanwhile fails fast.
    clock.now += 10.0
    health.faults.fail = 0
    health.faults.hold = asyncio.Event()
    probe = asyncio.ensure_future(read(guard))
    await asyncio.sleep(0)
    assert guard.breaker.state in {"half_open"}
    with pytest.raises(DepartmentUnavailable, match="breaker_open"):
        await read(guard)
    assert len(health.faults.calls) == 4
    health.faults.hold.set()
    assert await probe is not None
    assert guard.breaker.state == "closed"

    health.faults.hold = None
    assert await read(guard) is not None
    assert len(health.faults.calls) == 5


async def test_a_failed_probe_opens_the_breaker_again(health: FaultySource) -> None:
    clock = FakeClock()
    guard = guarded(health, clock, breaker_failures=1)
    health.faults.fail = -1
    with pytest.raises(DepartmentUnavailable):
        await read(guard)
    clock.now += 10.0
    with pytest.raises(DepartmentUnavailable, match="error"):
        await read(guard)  # the probe, failing
    assert guard.breaker.state == "open" and len(health.faults.calls) == 2
    clock.now += 9.0
    with pytest.raises(DepartmentUnavailable, match="breaker_open"):
        await read(guard)
    assert len(health.faults.calls) == 2


async def test_a_slow_call_is_cancelled_at_its_timeout(health: FaultySource) -> None:
    guard = guarded(health, timeout=0.05)
    health.faults.delay = 60.0
    with pytest.raises(DepartmentTimeout) as timed_out:
        await read(guard)
    assert timed_out.value.department == "health"
    assert health.faults.cancelled == 1  # the department call itself was cancelled
    assert guard.cancelled == 1 and guard.breaker.consecutive_failures == 1


async def test_reads_are_retried_within_bounds(health: FaultySource) -> None:
    guard = guarded(health, retry_attempts=2, breaker_failures=10)
    health.faults.fail = 2
    assert await read(guard) is not None
    assert health.faults.calls == ["fetch_by_keys"] * 3
    sleeps = guard._sleep
    assert isinstance(sleeps, Sleeps) and len(sleeps.delays) == 2
    assert all(0 <= d <= 0.025 * 4 for d in sleeps.delays)  # jittered exponential back-off

    health.faults.calls.clear()
    health.faults.fail = -1
    with pytest.raises(DepartmentUnavailable):
        await read(guard)
    assert len(health.faults.calls) == 3  # 1 + retry_attempts, never more


async def test_the_retry_budget_stops_retry_storms(health: FaultySource) -> None:
    guard = guarded(health, retry_attempts=2, breaker_failures=100, retry_budget=0.0)
    health.faults.fail = -1
    for _ in range(4):
        with pytest.raises(DepartmentUnavailable):
            await read(guard)
    assert len(health.faults.calls) == 4  # no budget: no retry at all

    budget = RetryBudget(0.5, cap=1.0)
    assert budget.spend() and not budget.spend()
    budget.earn()
    budget.earn()
    assert budget.spend()


async def test_caller_errors_are_not_retried_nor_held_against_the_department(
    health: FaultySource,
) -> None:
    guard = guarded(health, retry_attempts=2, breaker_failures=1)
    with pytest.raises(LookupError):
        await guard.fetch_by_keys("no_such_entity", "id", [1])
    assert guard.breaker.state == "closed" and guard.failing_since is None


async def test_the_bulkhead_queues_then_refuses(health: FaultySource) -> None:
    guard = guarded(health, concurrency=1, breaker_failures=10)
    health.faults.hold = asyncio.Event()
    first = asyncio.ensure_future(read(guard))
    second = asyncio.ensure_future(read(guard))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(health.faults.calls) == 1  # one in flight, one queued
    with pytest.raises(DepartmentUnavailable, match="overloaded"):
        await read(guard)
    health.faults.hold.set()
    assert await first is not None and await second is not None
    assert len(health.faults.calls) == 2
    assert guard.breaker.state == "closed"  # our own limit is not the department's fault


async def test_writes_pass_straight_through_without_retry_or_cache(health: FaultySource) -> None:
    stack = CachingConnector(
        guarded(health, retry_attempts=2), MemoryCacheStore(), CachePolicy(ttl=60.0)
    )
    assert await stack.record_write() == "written"
    with pytest.raises(ConnectionError):
        await stack.record_write(fail=True)
    assert health.faults.writes == 2  # once each: never retried
    assert stack.engine is health.inner.engine  # type: ignore[attr-defined]


def test_per_department_overrides(small_city: Settings) -> None:
    settings = small_city.model_copy(
        update={"resilience": {"health": {"timeout": 0.5, "concurrency": 4}}}
    )
    assert ResiliencePolicy.for_department(settings, "health").timeout == 0.5
    assert ResiliencePolicy.for_department(settings, "health").concurrency == 4
    assert ResiliencePolicy.for_department(settings, "grid").timeout == settings.department_timeout
    bad = small_city.model_copy(update={"resilience": {"health": {"timout": 1.0}}})
    with pytest.raises(ValueError, match="timeout"):
        ResiliencePolicy.for_department(bad, "health")
