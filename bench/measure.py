"""Timing and statement counting: one scenario, GraphQL and baseline side by side."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import event

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator, Mapping

    from citybrain.connectors import Connector

__all__ = [
    "BenchmarkMismatch",
    "Scenario",
    "ScenarioResult",
    "StatementCounter",
    "Timing",
    "first_difference",
    "run_scenario",
]

Answer: TypeAlias = "Callable[[], Awaitable[str]]"
"""One request of a side: returns the response body (``{"data": ...}`` as JSON)."""


class BenchmarkMismatch(AssertionError):
    """The GraphQL answer and the baseline's differ: their timings would compare nothing."""


@dataclass
class StatementCounter:
    """Counts SQL statements per department through SQLAlchemy ``before_cursor_execute``.

    Listens only inside ``with counter:``, so the timed iterations carry no listener.
    """

    connectors: Mapping[str, Connector]
    counts: Counter[str] = field(default_factory=Counter)
    _listeners: list[tuple[Any, Callable[..., None]]] = field(default_factory=list)

    def __enter__(self) -> StatementCounter:
        self.counts.clear()
        for department, connector in self.connectors.items():
            engine = getattr(connector, "engine", None)
            if engine is None:
                continue

            def count(*_: Any, department: str = department) -> None:
                self.counts[department] += 1

            event.listen(engine.sync_engine, "before_cursor_execute", count)
            self._listeners.append((engine.sync_engine, count))
        return self

    def __exit__(self, *exc_info: object) -> None:
        for target, listener in self._listeners:
            event.remove(target, "before_cursor_execute", listener)
        self._listeners.clear()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Timing:
    """Latencies of one side of a scenario, in milliseconds."""

    samples_ms: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A query answered two ways: ``graphql`` and ``baseline`` each return the body."""

    name: str
    graphql: Answer
    baseline: Answer
    target_ratio: float | None = None
    same_answer: bool = True
    """False where the sides answer differently on purpose (e.g. masked vs unmasked)."""


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What one scenario measured."""

    name: str
    graphql: Timing
    baseline: Timing
    graphql_statements: dict[str, int]
    baseline_statements: dict[str, int]
    response_bytes: int
    target_ratio: float | None

    @property
    def ratio(self) -> float:
        """GraphQL median over baseline median."""
        return self.graphql.median_ms / self.baseline.median_ms

    @property
    def target_met(self) -> bool | None:
        return None if self.target_ratio is None else self.ratio <= self.target_ratio


def first_difference(a: Any, b: Any, path: str = "data") -> str | None:
    """Where two parsed JSON values first differ (``data.grid.residents.edges[3]...``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b and type(a) is type(b) else f"{path}: {a!r} != {b!r}"


async def _counted(counter: StatementCounter, answer: Answer) -> tuple[str, dict[str, int]]:
    with counter:
        body = await answer()
    return body, dict(sorted(counter.counts.items()))


def _blocks(iterations: int, block: int) -> Iterator[tuple[bool, int]]:
    """(GraphQL?, requests) runs: ``block`` requests of one side, then of the other, ...

    Running each side in blocks keeps the garbage one side leaves (collected when the
    allocation count trips the collector) mostly in that side's own timings; alternating
    the blocks spreads any drift of the machine over both sides.
    """
    done = 0
    while done < iterations:
        size = min(block, iterations - done)
        yield True, size
        yield False, size
        done += size


async def run_scenario(
    scenario: Scenario,
    connectors: Mapping[str, Connector],
    *,
    iterations: int,
    warmup: int,
    block: int = 20,
) -> ScenarioResult:
    """Check both sides give the same JSON, count their statements, then time them.

    After ``warmup`` untimed requests per side, each side answers ``iterations`` timed
    requests, in alternating blocks of ``block`` requests (see :func:`_blocks`).

    Raises:
        BenchmarkMismatch: the two JSON bodies differ.
    """
    counter = StatementCounter(connectors)
    graphql_body, graphql_statements = await _counted(counter, scenario.graphql)
    baseline_body, baseline_statements = await _counted(counter, scenario.baseline)
    difference = first_difference(json.loads(graphql_body), json.loads(baseline_body))
    if scenario.same_answer and difference is not None:
        raise BenchmarkMismatch(f"{scenario.name}: GraphQL and baseline differ at {difference}")
    if scenario.same_answer and graphql_body != baseline_body:
        raise BenchmarkMismatch(f"{scenario.name}: same values, different JSON bytes")
    for is_graphql, size in _blocks(warmup, block):
        answer = scenario.graphql if is_graphql else scenario.baseline
        for _ in range(size):
            await answer()
    samples: dict[bool, list[float]] = {True: [], False: []}
    clock = time.perf_counter_ns
    for is_graphql, size in _blocks(iterations, block):
        answer = scenario.graphql if is_graphql else scenario.baseline
        timings = samples[is_graphql]
        for _ in range(size):
            started = clock()
            await answer()
            timings.append((clock() - started) / 1e6)
    return ScenarioResult(
        name=scenario.name,
        graphql=Timing(tuple(samples[True])),
        baseline=Timing(tuple(samples[False])),
        graphql_statements=graphql_statements,
        baseline_statements=baseline_statements,
        response_bytes=len(graphql_body.encode()),
        target_ratio=scenario.target_ratio,
    )
