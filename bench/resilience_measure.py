"""Measuring tools of :mod:`bench.resilience`: latencies, slowed departments, call chains."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citybrain.connectors import ConnectorLayer, load_connectors
from citybrain.connectors.stack import layered
from citybrain.federation import Loaders, RequestContext

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

    from citybrain.connectors import Connector, Filter, Page, Row
    from citybrain.connectors.cache_store import CacheStore
    from citybrain.settings import Settings

__all__ = [
    "Delayed",
    "Latency",
    "answer_of",
    "close_all",
    "critical_path_ms",
    "delaying",
    "nesting_levels",
    "stack_of",
    "time_requests",
]


@dataclass(frozen=True, slots=True)
class Latency:
    """One measured side: latencies (ms) and department statements per request."""

    name: str
    samples_ms: tuple[float, ...]
    statements: int = 0
    note: str = ""

    def quantile(self, q: int) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[q - 1]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        return self.quantile(99)


class Delayed(ConnectorLayer):
    """A department answering ``delay`` seconds late; notes each call's start and end."""

    def __init__(self, inner: Connector, delay: float, calls: list[tuple[float, float]]) -> None:
        super().__init__(inner)
        self.delay = delay
        self.calls = calls

    async def _wait(self) -> float:
        began = time.perf_counter()
        await asyncio.sleep(self.delay)
        return began

    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        began = await self._wait()
        rows = await self.inner.fetch_by_keys(entity, key, values)
        self.calls.append((began, time.perf_counter()))
        return rows

    async def fetch_groups(
        self,
        entity: str,
        key: str,
        values: Sequence[Any],
        *,
        first: int,
        after: str | None = None,
        filters: Sequence[Filter] = (),
    ) -> list[Page]:
        began = await self._wait()
        pages = await self.inner.fetch_groups(
            entity, key, values, first=first, after=after, filters=filters
        )
        self.calls.append((began, time.perf_counter()))
        return pages

    async def fetch_page(
        self, entity: str, filters: Sequence[Filter], *, first: int, after: str | None = None
    ) -> Page:
        began = await self._wait()
        page = await self.inner.fetch_page(entity, filters, first=first, after=after)
        self.calls.append((began, time.perf_counter()))
        return page


def delaying(
    delay: float, calls: list[tuple[float, float]]
) -> Callable[[str, Connector], Connector]:
    def wrap(department: str, connector: Connector) -> Connector:
        return Delayed(connector, delay, calls)

    return wrap


def nesting_levels(calls: list[tuple[float, float]]) -> int:
    """The longest chain of department calls each of which began after the previous ended."""
    depth: list[int] = []
    ordered = sorted(calls)
    for i, (start, _) in enumerate(ordered):
        before = [depth[j] for j in range(i) if ordered[j][1] <= start]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)


def critical_path_ms(calls: list[tuple[float, float]]) -> float:
    """The longest chain of department calls (each after the previous ended), in ms."""
    ordered = sorted(calls)
    best: list[float] = []
    for i, (start, end) in enumerate(ordered):
        before = [best[j] for j in range(i) if ordered[j][1] <= start]
        best.append((end - start) + max(before, default=0.0))
    return max(best, default=0.0) * 1000


def answer_of(
    schema: Any, settings: Settings, connectors: Mapping[str, Connector], query: str, variables: Any
) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def answer() -> dict[str, Any]:
        context = RequestContext(settings=settings, loaders=Loaders(connectors))
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}

    return answer


async def time_requests(
    answer: Callable[[], Awaitable[Any]],
    iterations: int,
    *,
    before: Callable[[], Awaitable[None]] | None = None,
) -> tuple[float, ...]:
    samples = []
    for _ in range(iterations):
        if before is not None:
            await before()
        began = time.perf_counter()
        await answer()
        samples.append((time.perf_counter() - began) * 1000)
    return tuple(samples)


def stack_of(
    settings: Settings,
    store: CacheStore,
    wrap: Callable[[str, Connector], Connector] = lambda _, c: c,
) -> dict[str, Connector]:
    bare = load_connectors(settings, layers=False)
    return {d: layered(wrap(d, c), settings, store) for d, c in bare.items()}


async def close_all(connectors: Mapping[str, Connector]) -> None:
    for connector in connectors.values():
        await connector.close()
