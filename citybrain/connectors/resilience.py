"""The resilience layer: timeout, bulkhead, bounded retries of reads, circuit breaker."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from citybrain.connectors.breaker import CircuitBreaker
from citybrain.connectors.cursors import InvalidCursor
from citybrain.connectors.faults import DepartmentFault, DepartmentTimeout, DepartmentUnavailable
from citybrain.connectors.layers import READ_METHODS, ConnectorLayer
from citybrain.observability.metrics import BREAKER_STATES, METRICS
from citybrain.observability.requests import current_observation
from citybrain.observability.tracing import department_span

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from citybrain.connectors.base import Connector, Filter, Page, Row
    from citybrain.settings import Settings

__all__ = ["ResiliencePolicy", "ResilientConnector", "RetryBudget"]

logger = logging.getLogger("citybrain.departments")
T = TypeVar("T")

AGGREGATE = "aggregate"
"""The method name of aggregate reads in metrics (``citybrain_department_calls_total``)."""

# The caller's own mistakes: never retried, never held against the department.
_CALLER_ERRORS = (InvalidCursor, LookupError, ValueError, TypeError)


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    """How calls to one department are guarded.

    Args:
        timeout: seconds a read may take in all (queueing, retries and back-off included);
            past it the call is cancelled and fails with ``DEPARTMENT_TIMEOUT``.
        concurrency: calls in flight at once (the bulkhead); as many more may wait.
        retry_attempts: extra attempts of a failed read (0: none).
        retry_backoff: base seconds of the exponential back-off, with full jitter.
        retry_budget: retries allowed per call, averaged (0.2: one retry per 5 calls).
        breaker_failures: consecutive failures that open the breaker.
        breaker_reset: seconds the breaker stays open before one probe.
        aggregate_timeout: seconds an aggregate read (statistics) may take in all; it scans
            far more rows than a read by key, so it has a timeout of its own.
    """

    timeout: float = 5.0
    concurrency: int = 32
    retry_attempts: int = 2
    retry_backoff: float = 0.025
    retry_budget: float = 0.2
    breaker_failures: int = 5
    breaker_reset: float = 10.0
    aggregate_timeout: float = 60.0

    @classmethod
    def for_department(cls, settings: Settings, department: str) -> ResiliencePolicy:
        """The settings' defaults, with ``settings.resilience[department]`` on top."""
        values: dict[str, Any] = {
            "timeout": settings.department_timeout,
            "concurrency": settings.department_concurrency,
            "retry_attempts": settings.retry_attempts,
            "retry_backoff": settings.retry_backoff,
            "retry_budget": settings.retry_budget,
            "breaker_failures": settings.breaker_failures,
            "breaker_reset": settings.breaker_reset,
            "aggregate_timeout": settings.statistics_timeout,
        }
        override = settings.resilience.get(department, {})
        known = {f.name for f in fields(cls)}
        unknown = set(override) - known
        if unknown:
            raise ValueError(
                f"CITYBRAIN_RESILIENCE[{department!r}] has unknown keys {sorted(unknown)}; "
                f"use {', '.join(sorted(known))}"
            )
        values.update(override)
        for name in ("concurrency", "retry_attempts", "breaker_failures"):
            values[name] = int(values[name])
        return cls(**values)


class RetryBudget:
    """Bounds retries to a share of calls, so that retries cannot multiply an outage.

    Every call earns ``ratio`` of a token (up to ``cap``); every retry spends one.

    Args:
        ratio: tokens earned per call.
        cap: most tokens saved up (also the starting balance).
    """

    def __init__(self, ratio: float, cap: float = 10.0) -> None:
        self.ratio = ratio
        self.cap = cap
        self.tokens = cap if ratio > 0 else 0.0

    def earn(self) -> None:
        self.tokens = min(self.cap, self.tokens + self.ratio)

    def spend(self) -> bool:
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class _MethodMetrics:
    """The metric series of one department's method, looked up once."""

    __slots__ = ("batch_size", "cancelled", "error", "ok", "seconds")

    def __init__(self, department: str, method: str) -> None:
        calls = METRICS.department_calls
        self.ok = calls.labels(department, method, "ok")
        self.error = calls.labels(department, method, "error")
        self.cancelled = calls.labels(department, method, "cancelled")
        self.seconds = METRICS.department_seconds.labels(department, method)
        self.batch_size = METRICS.batch_size.labels(department, method)


class ResilientConnector(ConnectorLayer):
    """Guards every read of one department; anything else passes straight through.

    Args:
        inner: the department's connector.
        policy: timeout, bulkhead, retries and breaker thresholds.
        clock: monotonic seconds for the breaker (injectable for tests).
        sleep: the back-off sleep (injectable for tests).
    """

    def __init__(
        self,
        inner: Connector,
        policy: ResiliencePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(inner)
        self.policy = policy
        self.breaker = CircuitBreaker(
            failures=policy.breaker_failures, reset=policy.breaker_reset, clock=clock
        )
        self.budget = RetryBudget(policy.retry_budget)
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._waiting = 0
        self._sleep = sleep
        self.failing_since: float | None = None
        """Wall-clock seconds of the first failure of the current streak (None: healthy)."""
        self.last_reason: str | None = None
        self.calls = 0
        """Attempts that reached the department's system."""
        self.cancelled = 0
        """Attempts cancelled at the timeout."""
        self._state_gauge = METRICS.breaker_state.labels(self.department)
        self._state_gauge.set(0)
        self._metrics = {
            method: _MethodMetrics(self.department, method) for method in (*READ_METHODS, AGGREGATE)
        }

    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        return await self._guard(
            "fetch_by_keys", len(values), lambda: self.inner.fetch_by_keys(entity, key, values)
        )

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
        return await self._guard(
            "fetch_groups",
            len(values),
            lambda: self.inner.fetch_groups(
                entity, key, values, first=first, after=after, filters=filters
            ),
        )

    async def fetch_page(
        self, entity: str, filters: Sequence[Filter], *, first: int, after: str | None = None
    ) -> Page:
        return await self._guard(
            "fetch_page",
            1,
            lambda: self.inner.fetch_page(entity, filters, first=first, after=after),
        )

    async def aggregate(self, count: Callable[[], Awaitable[T]]) -> T:
        """An aggregate read (statistics), under the breaker, bulkhead and its own timeout."""
        return await self._guard(
            AGGREGATE,
            1,
            lambda: self.inner.aggregate(count),
            seconds=self.policy.aggregate_timeout,
        )

    async def check_health(self) -> None:
        """Ask the department directly (bypassing the breaker), within its timeout."""
        try:
            async with asyncio.timeout(self.policy.timeout):
                await self.inner.check_health()
        except TimeoutError:
            raise DepartmentTimeout(self.department) from None

    def describe(self) -> dict[str, Any]:
        return {
            **self.inner.describe(),
            "timeout": self.policy.timeout,
            "concurrency": self.policy.concurrency,
            "breaker": self.breaker.state,
        }

    # -- the guard -------------------------------------------------------------------------

    async def _guard(
        self,
        method: str,
        size: int,
        call: Callable[[], Awaitable[T]],
        *,
        seconds: float | None = None,
    ) -> T:
        department = self.department
        self.budget.earn()
        if not self._allow():
            METRICS.breaker_rejections.labels(department).inc()
            raise self._failed(DepartmentUnavailable(department, "breaker_open"), counted=False)
        if self._slots.locked() and self._waiting >= self.policy.concurrency:
            self.breaker.release()
            raise self._failed(DepartmentUnavailable(department, "overloaded"), counted=False)
        self._metrics[method].batch_size.observe(size)
        attempt = 0
        try:
            async with asyncio.timeout(seconds or self.policy.timeout):
                while True:
                    try:
                        result = await self._attempt(method, size, call)
                    except _CALLER_ERRORS:
                        self.breaker.release()
                        raise
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:
                        self._note_failure(method, "error", exc)
                        if attempt >= self.policy.retry_attempts or not self._may_retry():
                            raise DepartmentUnavailable(department, "error") from exc
                        attempt += 1
                        METRICS.retries.labels(department).inc()
                        delay = random.uniform(0, self.policy.retry_backoff * 2**attempt)
                        await self._sleep(delay)
                        continue
                    self._note_success()
                    return result
        except TimeoutError:
            self.cancelled += 1
            self._note_failure(method, "timeout", None)
            raise self._failed(DepartmentTimeout(department), counted=True) from None
        except DepartmentFault as fault:
            raise self._failed(fault, counted=True) from fault.__cause__
        except asyncio.CancelledError:
            self.breaker.release()  # the caller went away: no verdict on the department
            raise

    def _allow(self) -> bool:
        breaker = self.breaker
        if breaker.state == "closed":  # the common case: nothing to update
            return True
        allowed = breaker.allow()
        self._state_gauge.set(BREAKER_STATES[breaker.state])
        return allowed

    def _may_retry(self) -> bool:
        # A retry must get past the breaker too (it may have opened meanwhile).
        return self.breaker.state == "closed" and self.budget.spend()

    async def _attempt(self, method: str, size: int, call: Callable[[], Awaitable[T]]) -> T:
        department = self.department
        metrics = self._metrics[method]
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        began = time.perf_counter()
        try:
            self.calls += 1
            observation = current_observation()
            if observation is not None:
                observation.round_trip(department)
            with department_span(department, method, size):
                result = await call()
        except asyncio.CancelledError:
            metrics.cancelled.inc()
            raise
        except Exception:
            metrics.error.inc()
            raise
        finally:
            self._slots.release()
            metrics.seconds.observe(time.perf_counter() - began)
        metrics.ok.inc()
        return result

    def _note_failure(self, method: str, reason: str, exc: BaseException | None) -> None:
        self.breaker.record_failure()
        self._state_gauge.set(BREAKER_STATES[self.breaker.state])
        if self.failing_since is None:
            self.failing_since = time.time()
        self.last_reason = reason
        # The exception's type only: its text may hold a host, SQL or a key.
        logger.warning(
            "department call failed",
            extra={
                "department": self.department,
                "method": method,
                "reason": reason,
                "error": type(exc).__name__ if exc is not None else reason,
                "breaker": self.breaker.state,
            },
        )

    def _note_success(self) -> None:
        if self.failing_since is None and self.breaker.state == "closed":
            self.breaker.consecutive_failures = 0
            return
        if self.breaker.state != "closed" or self.failing_since is not None:
            logger.info("department recovered", extra={"department": self.department})
        self.breaker.record_success()
        self._state_gauge.set(0)
        self.failing_since = None
        self.last_reason = None

    def _failed(self, fault: DepartmentFault, *, counted: bool) -> DepartmentFault:
        METRICS.department_errors.labels(self.department, fault.reason).inc()
        since = self.failing_since if self.failing_since is not None else time.time()
        if not counted and self.failing_since is None:
            self.failing_since = since
        fault.since = since
        return fault
