"""Cache cold vs warm (Redis), fan-out over four slowed departments, bulkhead, timeout.

Run by ``python -m bench`` after the main scenarios of each scale. Every side runs the
app's schema and connector stack in process (no HTTP), like the main benchmark.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.baseline import Engines
from bench.datasets import benchmark_grid
from bench.measure import StatementCounter
from bench.queries import RESIDENTS_PAGE, readme_profile_card
from bench.resilience_measure import (
    Delayed,
    Latency,
    answer_of,
    close_all,
    critical_path_ms,
    delaying,
    nesting_levels,
    stack_of,
    time_requests,
)
from citybrain.connectors import DepartmentFault, load_connectors
from citybrain.connectors.cache_store import MemoryCacheStore, RedisCacheStore
from citybrain.schema import build_schema
from citybrain.seed import DEMO_GRID_CODE

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bench.datasets import Dataset
    from citybrain.connectors import Connector
    from citybrain.connectors.cache_store import CacheStore
    from citybrain.settings import Settings

__all__ = ["Latency", "ResilienceResult", "run_resilience"]

DELAY_MS = 10.0
TIMEOUT_MS = 100.0


@dataclass(frozen=True, slots=True)
class ResilienceResult:
    """Everything this module measured at one scale."""

    scale: str
    measured_on: str
    iterations: int
    grid_code: str
    cache: list[Latency]
    fanout: list[Latency]
    fanout_levels: int
    bulkhead: list[Latency]
    timeout: list[Latency]
    redis: str


@dataclass
class _Side:
    name: str
    answer: Callable[[], Awaitable[Any]]
    before: Callable[[], Awaitable[None]] | None = None
    statements: int = 0
    note: str = ""
    samples: list[float] = dataclasses.field(default_factory=list)


async def _cache_sides(
    settings: Settings,
    schema: Any,
    grid_code: str,
    iterations: int,
    redis_url: str | None,
    block: int = 10,
) -> list[Latency]:
    """Every cache side, taking turns in blocks (a slow patch of the machine hits all)."""
    queries = {
        "profile card": (readme_profile_card(), None),
        "100-resident page": (RESIDENTS_PAGE, {"grid": grid_code}),
    }
    stores: list[tuple[str, Callable[[], CacheStore] | None, bool]] = [
        ("bare sources (no layers)", None, False),
        ("no cache (resilience layer only)", MemoryCacheStore, False),
    ]
    if redis_url:
        stores.append(("Redis", lambda: RedisCacheStore(redis_url, timeout=1.0), True))
    stores.append(("in-process LRU", MemoryCacheStore, True))
    sides: list[_Side] = []
    opened: list[dict[str, Connector]] = []
    try:
        for label, make_store, enabled in stores:
            side_settings = settings.model_copy(update={"cache_enabled": enabled})
            store = make_store() if make_store is not None else None
            connectors = (
                stack_of(side_settings, store)
                if store is not None
                else load_connectors(side_settings, layers=False)
            )
            opened.append(connectors)
            for name, (query, variables) in queries.items():
                answer = answer_of(schema, side_settings, connectors, query, variables)
                for _ in range(5):
                    await answer()
                if isinstance(store, RedisCacheStore):

                    async def flush(store: RedisCacheStore = store) -> None:
                        await store.client.flushdb()

                    with StatementCounter(connectors) as cold_count:
                        await flush()
                        await answer()
                    sides.append(_Side(f"{name}: Redis, cold", answer, flush, cold_count.total))
                    await answer()
                with StatementCounter(connectors) as count:
                    await answer()
                state = "warm" if enabled else "every request"
                sides.append(_Side(f"{name}: {label}, {state}", answer, None, count.total))
        done = 0
        while done < iterations:
            turn = min(block, iterations - done)
            for side in sides:
                side.samples.extend(await time_requests(side.answer, turn, before=side.before))
            done += turn
    finally:
        for connectors in opened:
            await close_all(connectors)
    return [Latency(s.name, tuple(s.samples), s.statements, s.note) for s in sides]


async def _fanout(
    settings: Settings, schema: Any, iterations: int
) -> tuple[list[Latency], int, list[Latency]]:
    quiet = settings.model_copy(update={"cache_enabled": False})
    query = readme_profile_card()
    sides: list[Latency] = []
    levels = 0
    for delay in (0.0, DELAY_MS / 1000):
        calls: list[tuple[float, float]] = []
        connectors = stack_of(quiet, MemoryCacheStore(), delaying(delay, calls))
        try:
            answer = answer_of(schema, quiet, connectors, query, None)
            for _ in range(5):
                await answer()
            samples: list[float] = []
            overheads: list[float] = []
            per_request = 0
            for _ in range(iterations):
                calls.clear()
                began = time.perf_counter()
                await answer()
                elapsed = (time.perf_counter() - began) * 1000
                samples.append(elapsed)
                overheads.append(elapsed - critical_path_ms(calls))
                per_request = len(calls)
                levels = max(levels, nesting_levels(calls)) if delay else levels
            label = f"each department +{delay * 1000:g} ms" if delay else "no delay"
            sides.append(Latency(f"profile card, {label}", tuple(samples), per_request))
            sides.append(
                Latency(
                    f"profile card, {label}: time above the slowest department path",
                    tuple(overheads),
                    per_request,
                )
            )
        finally:
            await close_all(connectors)

    # One department far past its timeout: the answer comes at the timeout, health null.
    slow = quiet.model_copy(
        update={"resilience": {"health": {"timeout": TIMEOUT_MS / 1000, "retry_attempts": 0}}}
    )
    calls = []
    connectors = stack_of(
        slow,
        MemoryCacheStore(),
        lambda d, c: Delayed(c, 1.0 if d == "health" else DELAY_MS / 1000, calls),
    )
    timed_out: list[Latency] = []
    try:
        answer = answer_of(schema, slow, connectors, query, None)
        body = await answer()
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes == {"DEPARTMENT_TIMEOUT"}, codes
        for connector in connectors.values():  # the breaker would otherwise fail fast
            connector.inner.breaker.threshold = 10**9  # type: ignore[attr-defined]
        timed = await time_requests(answer, max(10, min(iterations, 40)))
        timed_out.append(
            Latency(
                f"profile card, health +1 s (timeout {TIMEOUT_MS:g} ms), others +{DELAY_MS:g} ms",
                timed,
                note="health fields null with DEPARTMENT_TIMEOUT",
            )
        )
    finally:
        await close_all(connectors)
    return sides, levels, timed_out


async def _bulkhead(settings: Settings, schema: Any, iterations: int) -> list[Latency]:
    saturated = settings.model_copy(
        update={
            "cache_enabled": False,
            "resilience": {"health": {"concurrency": 4, "timeout": 5.0, "retry_attempts": 0}},
        }
    )
    calls: list[tuple[float, float]] = []
    connectors = stack_of(
        saturated,
        MemoryCacheStore(),
        lambda d, c: Delayed(c, 0.2, calls) if d == "health" else c,
    )
    health = connectors["health"]
    place = (await health.fetch_page("place", [], first=1)).rows[0]["place_code"]
    grid_query = "query($c: String!) { grid(code: $c) { code name community { name } } }"
    grid_answer = answer_of(schema, saturated, connectors, grid_query, {"c": DEMO_GRID_CODE})
    health_answer = answer_of(
        schema, saturated, connectors, "query($p: String!) { place(placeCode: $p) { name } }",
        {"p": place},
    )  # fmt: skip
    sides: list[Latency] = []
    try:
        for _ in range(5):
            await grid_answer()
        sides.append(
            Latency("grid query, health idle", await time_requests(grid_answer, iterations))
        )
        guard = connectors["health"].inner  # type: ignore[attr-defined]

        async def health_call() -> bool:
            try:
                await health.fetch_by_keys("place", "place_code", [place])
            except DepartmentFault:
                return False
            return True

        async def health_request() -> bool:
            return not (await health_answer())["errors"]

        for clients_count, label, ask in (
            (
                8,
                "health saturated: 8 callers of the department, its bulkhead (4 in flight, "
                "4 queued) full",
                health_call,
            ),
            (
                32,
                "health overflowing: 32 GraphQL clients, 24 refused at a time",
                health_request,
            ),
        ):
            stop = asyncio.Event()
            refused = 0
            full = 0

            async def client(
                stop: asyncio.Event = stop, ask: Callable[[], Awaitable[bool]] = ask
            ) -> None:
                nonlocal refused
                while not stop.is_set():
                    if not await ask():
                        refused += 1
                        await asyncio.sleep(0.1)  # a client backs off after an error

            clients = [asyncio.ensure_future(client()) for _ in range(clients_count)]
            await asyncio.sleep(0.3)
            samples = []
            for _ in range(iterations):
                full += guard._slots.locked() and guard._waiting >= 4
                began = time.perf_counter()
                await grid_answer()
                samples.append((time.perf_counter() - began) * 1000)
            stop.set()
            await asyncio.gather(*clients)
            note = f"bulkhead full at {full} of {iterations} grid requests; {refused} refused"
            sides.append(Latency(f"grid query, {label}", tuple(samples), note=note))
    finally:
        await close_all(connectors)
    return sides


async def run_resilience(
    dataset: Dataset, *, iterations: int, report: Callable[[str], None] = lambda _: None
) -> ResilienceResult:
    """Every scenario of this module at one scale."""
    settings = dataset.settings
    schema = build_schema(policies=False)
    bare = load_connectors(settings, layers=False)
    try:
        grid_code, _ = await benchmark_grid(Engines(bare))
    finally:
        await close_all(bare)
    redis_note = "redis-server not installed: Redis sides not measured"
    server = None
    try:
        from tests.servers import RedisServer, ServerError

        try:
            server = RedisServer()
            server.start()
            redis_note = "redis-server on 127.0.0.1, no persistence"
        except ServerError as exc:
            server = None
            redis_note = f"Redis sides not measured: {exc}"
    except ImportError:
        server = None
    # The timeout and bulkhead sides fail on purpose: one warning per failed call is noise.
    departments_log = logging.getLogger("citybrain.departments")
    level = departments_log.level
    departments_log.setLevel(logging.ERROR)
    try:
        gc.collect()
        try:
            report("resilience: cache cold vs warm")
            cache = await _cache_sides(
                settings, schema, grid_code, iterations, server.url if server else None
            )
        finally:
            if server is not None:
                server.stop()
        report("resilience: fan-out over slowed departments, timeout")
        fanout, levels, timed_out = await _fanout(settings, schema, iterations)
        report("resilience: bulkhead")
        bulkhead = await _bulkhead(settings, schema, iterations)
    finally:
        departments_log.setLevel(level)
    return ResilienceResult(
        scale=dataset.scale,
        measured_on=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        iterations=iterations,
        grid_code=grid_code,
        cache=cache,
        fanout=fanout,
        fanout_levels=levels,
        bulkhead=bulkhead,
        timeout=timed_out,
        redis=redis_note,
    )


def to_json(result: ResilienceResult) -> str:
    return json.dumps(dataclasses.asdict(result), indent=1, ensure_ascii=False) + "\n"


def from_json(text: str) -> ResilienceResult:
    raw = json.loads(text)
    for name in ("cache", "fanout", "bulkhead", "timeout"):
        raw[name] = [
            Latency(**{**item, "samples_ms": tuple(item["samples_ms"])}) for item in raw[name]
        ]
    return ResilienceResult(**raw)
