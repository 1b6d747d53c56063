"""Where cached department values live: an in-process LRU, or Redis shared by processes."""

from __future__ import annotations

import abc
import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from citybrain.connectors.base import Page
from citybrain.observability.metrics import METRICS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from redis.asyncio import Redis

__all__ = ["CacheKey", "CacheStore", "MemoryCacheStore", "RedisCacheStore", "decode", "encode"]

logger = logging.getLogger("citybrain.cache")

CacheKey = tuple[Any, ...]
"""(schema version, department, entity, generation, kind, ...): built by the cache layer."""

Entry = tuple[float, Any]
"""(wall-clock seconds when stored, value)."""


class CacheStore(abc.ABC):
    """A key-value store with expiry; every failure is reported as :class:`OSError`.

    A store never makes a request fail: the cache layer treats an error as a miss.
    """

    name: str = "cache"

    @abc.abstractmethod
    async def get_many(self, keys: Sequence[CacheKey]) -> list[Entry | None]:
        """The entry of each key (None: absent or expired)."""

    @abc.abstractmethod
    async def set_many(self, items: Sequence[tuple[CacheKey, Any, float]]) -> None:
        """Store (key, value, ttl seconds) items, stamped with the current time."""

    @abc.abstractmethod
    async def generation(self, scope: tuple[str, str]) -> int:
        """The current generation of (department, entity): part of every key."""

    @abc.abstractmethod
    async def bump(self, scope: tuple[str, str]) -> None:
        """Start a new generation of (department, entity): its old entries are unreachable."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise :class:`OSError` if the store cannot answer."""

    async def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections."""


class MemoryCacheStore(CacheStore):
    """An in-process LRU with per-entry expiry (the default).

    Args:
        max_entries: entries kept; the least recently used go first.
        clock: wall-clock seconds (injectable for tests).
    """

    name = "memory"

    def __init__(self, max_entries: int = 50_000, *, clock: Callable[[], float] = time.time):
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[CacheKey, tuple[float, float, Any]] = OrderedDict()
        self._generations: dict[tuple[str, str], int] = {}

    @property
    def size(self) -> int:
        """Entries held now (expired ones included until they are looked up or evicted)."""
        return len(self._entries)

    async def get_many(self, keys: Sequence[CacheKey]) -> list[Entry | None]:
        now = self._clock()
        entries = self._entries
        found: list[Entry | None] = []
        for key in keys:
            item = entries.get(key)
            if item is None:
                found.append(None)
            elif item[1] <= now:
                del entries[key]
                found.append(None)
            else:
                entries.move_to_end(key)
                found.append((item[0], item[2]))
        return found

    async def set_many(self, items: Sequence[tuple[CacheKey, Any, float]]) -> None:
        now = self._clock()
        entries = self._entries
        for key, value, ttl in items:
            entries[key] = (now, now + ttl, value)
            entries.move_to_end(key)
        while len(entries) > self.max_entries:
            entries.popitem(last=False)

    async def generation(self, scope: tuple[str, str]) -> int:
        return self._generations.get(scope, 0)

    async def bump(self, scope: tuple[str, str]) -> None:
        self._generations[scope] = self._generations.get(scope, 0) + 1

    async def ping(self) -> None:
        return None


class RedisCacheStore(CacheStore):
    """Redis (redis-py asyncio), shared by every process of the service.

    Each operation is bounded by ``timeout``; after an error the store is skipped for
    ``retry_after`` seconds (calls go straight to the departments), then tried again, so
    the cache comes back by itself when Redis does. Values are JSON (never pickle); keys
    hash the looked-up values, so no ID number appears in a key.

    Args:
        url: ``redis://[:password@]host:port/db``.
        timeout: seconds an operation may take before it counts as a miss.
        retry_after: seconds to skip Redis after an error.
        generation_ttl: seconds a generation read from Redis is reused in this process.
        clock: monotonic seconds (injectable for tests).
        key_secret: the HMAC key of the keys (the service's signing key): a key tells
            nothing of the values looked up without it.
    """

    name = "redis"
    prefix = "citybrain:"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.05,
        retry_after: float = 1.0,
        key_secret: bytes = b"",
        generation_ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.timeout = timeout
        self.retry_after = retry_after
        self._key_secret = key_secret
        self.generation_ttl = generation_ttl
        self._clock = clock
        # No retries inside redis-py: a slow or dead Redis must cost one short timeout.
        self.client: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._down_until = 0.0
        self._generations: dict[tuple[str, str], tuple[float, int]] = {}
        self.errors = 0

    @property
    def available(self) -> bool:
        """False while the store is skipped after an error."""
        return self._clock() >= self._down_until

    def _key(self, key: CacheKey) -> str:
        version, department, entity, generation, *rest = key
        # Keyed (HMAC): ID numbers are few enough that a plain hash of one could be found
        # by trying them all, and whoever reads Redis would learn who was looked up.
        digest = hmac.new(self._key_secret, repr(rest).encode(), hashlib.sha256).hexdigest()[:32]
        return f"{self.prefix}{version}:{department}:{entity}:{generation}:{digest}"

    async def _run(self, operation: Callable[[], Any]) -> Any:
        if not self.available:
            raise OSError("the Redis cache is skipped after an error")
        try:
            async with asyncio.timeout(self.timeout):
                return await operation()
        except Exception as exc:
            self.errors += 1
            METRICS.cache_errors.labels(self.name).inc()
            if self.available:
                logger.warning("Redis cache error: %s; falling through", type(exc).__name__)
            self._down_until = self._clock() + self.retry_after
            raise OSError("the Redis cache did not answer") from exc

    async def get_many(self, keys: Sequence[CacheKey]) -> list[Entry | None]:
        if not keys:
            return []
        names = [self._key(k) for k in keys]
        raw: list[bytes | None] = await self._run(lambda: self.client.mget(names))
        return [None if item is None else decode(item) for item in raw]

    async def set_many(self, items: Sequence[tuple[CacheKey, Any, float]]) -> None:
        if not items:
            return
        now = time.time()

        async def write() -> None:
            async with self.client.pipeline(transaction=False) as pipe:
                for key, value, ttl in items:
                    pipe.set(self._key(key), encode((now, value)), px=max(1, int(ttl * 1000)))
                await pipe.execute()

        await self._run(write)

    def _generation_key(self, scope: tuple[str, str]) -> str:
        return f"{self.prefix}generation:{scope[0]}:{scope[1]}"

    async def generation(self, scope: tuple[str, str]) -> int:
        known = self._generations.get(scope)
        now = self._clock()
        if known is not None and now - known[0] < self.generation_ttl:
            return known[1]
        raw = await self._run(lambda: self.client.get(self._generation_key(scope)))
        value = int(raw) if raw is not None else 0
        self._generations[scope] = (now, value)
        return value

    async def bump(self, scope: tuple[str, str]) -> None:
        value = await self._run(lambda: self.client.incr(self._generation_key(scope)))
        self._generations[scope] = (self._clock(), int(value))

    async def ping(self) -> None:
        self._down_until = 0.0  # a health check always asks
        await self._run(self.client.ping)

    async def close(self) -> None:
        await self.client.aclose()


# -- JSON with dates: rows hold str, int, float, bool, None, date and datetime values -------


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Page):
        return {"$p": [value.rows, value.has_next_page, list(value.ordering)]}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$t" in obj:
            return dt.datetime.fromisoformat(obj["$t"])
        if "$d" in obj:
            return dt.date.fromisoformat(obj["$d"])
        if "$p" in obj:
            rows, has_next, ordering = obj["$p"]
            return Page(rows=rows, has_next_page=has_next, ordering=tuple(ordering))
    return obj


def encode(value: Any) -> bytes:
    """JSON bytes of a cached value (rows, pages, dates)."""
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":")).encode()


def decode(raw: bytes) -> Any:
    """The value :func:`encode` wrote; an entry is ``[stored_at, value]``."""
    stored_at, value = json.loads(raw, object_hook=_hook)
    return (stored_at, value)
