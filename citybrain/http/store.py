"""A small async key-value store for persisted queries and rate-limit counters.

:class:`InProcessStore` serves one process (development, tests, a single worker);
:class:`RedisStore` is shared by every worker and replica (production). Both expire keys.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

from redis.exceptions import RedisError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from redis.asyncio import Redis

__all__ = ["InProcessStore", "KeyValueStore", "RedisStore", "store_for"]

logger = logging.getLogger("citybrain.http")
_T = TypeVar("_T")


class _Away:
    """What an operation gives while Redis is away."""


_AWAY: Final = _Away()


class KeyValueStore(Protocol):
    """What the HTTP layer needs from a store: values with a lifetime, and counters."""

    async def get(self, key: str) -> bytes | None:
        """The value of ``key``, or None when absent or expired."""

    async def set(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        """Store ``value`` under ``key``, for ``ttl_seconds`` (forever when None)."""

    async def increment(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        """Add one to a counter that lives ``ttl_seconds`` from its first increment.

        Returns:
            the new count and the seconds left before the counter expires.
        """

    async def close(self) -> None:
        """Release connections."""


class InProcessStore:
    """A bounded in-memory store (least recently used entries leave first).

    Args:
        max_entries: how many keys it holds at most.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[bytes | int, float | None]] = OrderedDict()

    def _live(self, key: str) -> tuple[bytes | int, float | None] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def _put(self, key: str, value: bytes | int, expires: float | None) -> None:
        self._entries[key] = (value, expires)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        return entry[0] if entry is not None and isinstance(entry[0], bytes) else None

    async def set(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        expires = None if ttl_seconds is None else time.monotonic() + ttl_seconds
        self._put(key, value, expires)

    async def increment(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        now = time.monotonic()
        entry = self._live(key)
        if entry is None or not isinstance(entry[0], int) or entry[1] is None:
            count, expires = 1, now + ttl_seconds
        else:
            count, expires = entry[0] + 1, entry[1]
        self._put(key, count, expires)
        return count, max(1, round(expires - now))

    async def close(self) -> None:
        self._entries.clear()


class RedisStore:
    """The store in Redis (redis-py asyncio), shared by every worker.

    Redis slow or down never fails a request: each operation is bounded by ``timeout``, and
    after an error the process keeps its values in an in-process store for ``retry_after``
    seconds (persisted queries are registered again by clients; rate limits count per
    process meanwhile), then tries Redis again, so sharing comes back by itself.

    Args:
        url: ``redis://host:6379/0``.
        prefix: put before every key, so several services can share one Redis.
        timeout: seconds one Redis operation may take.
        retry_after: seconds Redis is skipped after an error.
    """

    def __init__(
        self,
        url: str,
        prefix: str = "citybrain:http:",
        *,
        timeout: float = 0.25,
        retry_after: float = 1.0,
    ) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.prefix = prefix
        self.timeout = timeout
        self.retry_after = retry_after
        # No retries inside redis-py: a dead Redis costs one short timeout, then is skipped.
        self.redis: Redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        self.fallback = InProcessStore()
        self.errors = 0
        self._down_until = 0.0

    async def _run(self, operation: Callable[[], Awaitable[_T]]) -> _T | _Away:
        if time.monotonic() < self._down_until:
            return _AWAY
        try:
            async with asyncio.timeout(self.timeout):
                return await operation()
        except (RedisError, OSError, TimeoutError) as exc:
            self.errors += 1
            logger.warning(
                "Redis store error: %s; serving from this process for %.0f s",
                type(exc).__name__,
                self.retry_after,
            )
            self._down_until = time.monotonic() + self.retry_after
            return _AWAY

    async def get(self, key: str) -> bytes | None:
        value = await self._run(lambda: self.redis.get(self.prefix + key))
        if value is _AWAY:
            return await self.fallback.get(key)
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode("utf-8")

    async def set(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        done = await self._run(lambda: self.redis.set(self.prefix + key, value, ex=ttl_seconds))
        if done is _AWAY:
            await self.fallback.set(key, value, ttl_seconds)

    async def increment(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        name = self.prefix + key

        async def count() -> tuple[int, int]:
            # SET NX starts the window with its lifetime (any Redis version), INCR counts.
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(name, 0, ex=ttl_seconds, nx=True)
                pipe.incr(name)
                pipe.ttl(name)
                _, found, ttl = await pipe.execute()
            return int(found), max(1, int(ttl))

        counted = await self._run(count)
        if isinstance(counted, _Away):
            return await self.fallback.increment(key, ttl_seconds)
        return counted

    async def close(self) -> None:
        await self.redis.aclose()


def store_for(redis_url: str | None) -> KeyValueStore:
    """A Redis store when ``redis_url`` is set, else an in-process one."""
    if redis_url:
        return RedisStore(redis_url)
    return InProcessStore()
