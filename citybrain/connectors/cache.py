"""The cache layer: department rows by key and (optionally) list pages, before any policy.

Values are the department's own rows, cached before field policy and masking run, so the
answer a role gets is computed afresh from them on every request: one role's view never
reaches another. List entries are keyed by every filter of the call, the caller's
jurisdiction filter included.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from citybrain.connectors.layers import ConnectorLayer, source_of
from citybrain.observability.metrics import METRICS
from citybrain.observability.requests import current_observation

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from citybrain.connectors.base import Connector, Filter, Page, Row
    from citybrain.connectors.cache_store import CacheKey, CacheStore
    from citybrain.settings import Settings

__all__ = ["CachePolicy", "CachingConnector", "schema_version"]

logger = logging.getLogger("citybrain.cache")
CACHE_FORMAT = 1  # bump when the layout of cached values changes


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """What one department's cache keeps, and for how long.

    Args:
        ttl: seconds a row or page is kept (0: nothing is cached).
        ttls: ``entity`` -> seconds, overriding ``ttl`` (0 excludes the entity).
        negative_ttl: seconds a missing key is remembered as missing (0: never).
        lists: whether list pages and row groups are cached too.
    """

    ttl: float = 60.0
    ttls: dict[str, float] = field(default_factory=dict)
    negative_ttl: float = 5.0
    lists: bool = True

    @classmethod
    def for_department(cls, settings: Settings, department: str) -> CachePolicy:
        """From ``CITYBRAIN_CACHE_*``: ``"health"`` or ``"health.vaccination"`` keys."""
        ttl = settings.cache_ttls.get(department, settings.cache_ttl)
        if department in settings.cache_exclude:
            ttl = 0.0
        ttls: dict[str, float] = {}
        prefix = f"{department}."
        for name, seconds in settings.cache_ttls.items():
            if name.startswith(prefix):
                ttls[name.removeprefix(prefix)] = seconds
        for name in settings.cache_exclude:
            if name.startswith(prefix):
                ttls[name.removeprefix(prefix)] = 0.0
        return cls(
            ttl=ttl if settings.cache_enabled else 0.0,
            ttls=ttls if settings.cache_enabled else {},
            negative_ttl=settings.cache_negative_ttl,
            lists=settings.cache_lists,
        )

    def ttl_of(self, entity: str) -> float:
        return self.ttls.get(entity, self.ttl)


def schema_version(connector: Connector, entity: str) -> str:
    """A short hash of the entity's columns (a SQL source), so a changed table misses."""
    source = source_of(connector)
    entities = getattr(source, "sql_entities", None)
    if entities is not None and entity in entities:
        table = entities[entity].table
        shape = ";".join(f"{c.name}:{c.type}" for c in table.columns)
    else:
        shape = str(getattr(source, "cache_version", "1"))
    return f"{CACHE_FORMAT}.{hashlib.sha256(shape.encode()).hexdigest()[:8]}"


class _Abandoned(Exception):
    """The single flight's owner was cancelled: a waiter fetches for itself."""


class CachingConnector(ConnectorLayer):
    """Serves repeated reads from a :class:`CacheStore`; a cold key is fetched once.

    A store that errs or is slow counts as a miss (the call goes to the department). Only
    the reads are cached; any other method passes straight through, and a write path
    calls :meth:`invalidate` after it succeeded.

    Args:
        inner: the connector below (the resilience layer).
        store: the in-process LRU or Redis.
        policy: what is kept, and how long.
    """

    def __init__(self, inner: Connector, store: CacheStore, policy: CachePolicy) -> None:
        super().__init__(inner)
        self.store = store
        self.policy = policy
        self._versions: dict[str, str] = {}
        self._inflight: dict[CacheKey, asyncio.Future[Any]] = {}
        self._counters: dict[tuple[str, str], Any] = {}

    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        async def fetch(missing: list[Any]) -> list[Any]:
            return await self.inner.fetch_by_keys(entity, key, missing)

        return await self._cached(entity, ("k", key), values, fetch, by_key=True)

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
        if not self.policy.lists:
            return await self.inner.fetch_groups(
                entity, key, values, first=first, after=after, filters=filters
            )

        async def fetch(missing: list[Any]) -> list[Any]:
            return await self.inner.fetch_groups(
                entity, key, missing, first=first, after=after, filters=filters
            )

        prefix = ("g", key, first, after, repr(tuple(filters)))
        return await self._cached(entity, prefix, values, fetch, by_key=False)

    async def fetch_page(
        self, entity: str, filters: Sequence[Filter], *, first: int, after: str | None = None
    ) -> Page:
        if not self.policy.lists:
            return await self.inner.fetch_page(entity, filters, first=first, after=after)

        async def fetch(_: list[Any]) -> list[Any]:
            return [await self.inner.fetch_page(entity, filters, first=first, after=after)]

        prefix = ("p", first, after, repr(tuple(filters)))
        (page,) = await self._cached(entity, prefix, [None], fetch, by_key=False)
        return page  # type: ignore[no-any-return]

    async def invalidate(self, entity: str) -> None:
        """Forget every cached row and page of ``entity`` (every process, with Redis)."""
        try:
            await self.store.bump((self.department, entity))
        except OSError:
            logger.error(
                "cache invalidation failed",
                extra={"department": self.department, "entity": entity},
            )
        await self.inner.invalidate(entity)

    async def close(self) -> None:
        await self.store.close()
        await self.inner.close()

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "cache": self.store.name}

    def _counter(self, entity: str, result: str) -> Any:
        found = self._counters.get((entity, result))
        if found is None:
            found = METRICS.cache.labels(self.department, entity, result)
            self._counters[(entity, result)] = found
        return found

    # -- one batch of values, through the store, with single flight -----------------------

    async def _cached(
        self,
        entity: str,
        prefix: tuple[Any, ...],
        values: Sequence[Any],
        fetch: Callable[[list[Any]], Awaitable[list[Any]]],
        *,
        by_key: bool,
    ) -> list[Any]:
        ttl = self.policy.ttl_of(entity)
        department = self.department
        if ttl <= 0 or not values:
            return await fetch(list(values))
        try:
            generation = await self.store.generation((department, entity))
        except OSError:
            return await fetch(list(values))
        version = self._versions.get(entity)
        if version is None:
            version = self._versions[entity] = schema_version(self, entity)
        keys = [(version, department, entity, generation, *prefix, v) for v in values]
        try:
            entries = await self.store.get_many(keys)
        except OSError:
            entries = [None] * len(keys)
        results: list[Any] = [None] * len(values)
        hits = 0
        oldest: float | None = None
        missing: list[int] = []
        for index, entry in enumerate(entries):
            if entry is None:
                missing.append(index)
            else:
                hits += 1
                results[index] = entry[1]
                if oldest is None or entry[0] < oldest:
                    oldest = entry[0]
        if hits:
            self._counter(entity, "hit").inc(hits)
            observation = current_observation()
            if observation is not None and oldest is not None:
                observation.cache_hit(department, oldest, hits)
        if not missing:
            return results
        self._counter(entity, "miss").inc(len(missing))
        loop = asyncio.get_running_loop()
        inflight = self._inflight
        own: list[int] = []
        waits: list[tuple[int, asyncio.Future[Any]]] = []
        for index in missing:
            key = keys[index]
            future = inflight.get(key)
            if future is None:
                inflight[key] = loop.create_future()
                own.append(index)
            else:
                waits.append((index, future))
        if own:
            await self._fetch_own(keys, values, own, results, fetch, ttl, by_key)
        for index, future in waits:
            try:
                results[index] = await asyncio.shield(future)
            except _Abandoned:  # its owner was cancelled (not failed): fetch it ourselves
                (results[index],) = await fetch([values[index]])
        return results

    async def _fetch_own(
        self,
        keys: list[CacheKey],
        values: Sequence[Any],
        own: list[int],
        results: list[Any],
        fetch: Callable[[list[Any]], Awaitable[list[Any]]],
        ttl: float,
        by_key: bool,
    ) -> None:
        inflight = self._inflight
        try:
            fetched = await fetch([values[i] for i in own])
        except BaseException as exc:
            failure = exc if isinstance(exc, Exception) else _Abandoned()
            for index in own:
                future = inflight.pop(keys[index], None)
                if future is not None and not future.done():
                    future.set_exception(failure)
                    future.exception()  # retrieved: only the waiters care
            raise
        negative = self.policy.negative_ttl
        store: list[tuple[CacheKey, Any, float]] = []
        for index, value in zip(own, fetched, strict=True):
            results[index] = value
            future = inflight.pop(keys[index], None)
            if future is not None and not future.done():
                future.set_result(value)
            if value is None and by_key:
                if negative > 0:
                    store.append((keys[index], None, negative))
            else:
                store.append((keys[index], value, ttl))
        try:
            await self.store.set_many(store)
        except OSError:
            pass  # counted by the store; the answer stands
