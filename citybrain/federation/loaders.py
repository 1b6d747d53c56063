"""Per-request DataLoaders: the only path from the graph to the departments."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiodataloader import DataLoader

from citybrain.connectors import InvalidCursor
from citybrain.errors import bad_user_input, department_unavailable

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping, Sequence

    from citybrain.connectors import Connector, Filter

__all__ = ["KeyLoader", "Loaders"]


class KeyLoader:
    """One DataLoader of one (department, entity, key[, window]), with a whole-page path.

    ``load(key)`` batches single keys asked for by sibling fields in the same tick (a
    DataLoader). ``load_many(keys)`` is what look-ahead uses for a page it already holds:
    one department call for every key not yet cached, without a future per key on the way.
    Both share one cache, so a key is fetched at most once per request.
    """

    __slots__ = ("_batch", "_cache", "loader")

    def __init__(self, batch: Callable[[Sequence[Any]], Coroutine[Any, Any, list[Any]]]) -> None:
        self._batch = batch
        self._cache: dict[Any, asyncio.Future[Any]] = {}
        self.loader: DataLoader[Any, Any] = DataLoader(batch, cache_map=self._cache)

    def load(self, key: Any) -> asyncio.Future[Any]:
        """The value for one key, batched with the other keys asked for in this tick."""
        return self.loader.load(key)

    async def load_many(self, keys: Sequence[Any]) -> list[Any]:
        """The values for ``keys``, in order, in at most one department call."""
        cache = self._cache
        missing = [k for k in dict.fromkeys(keys) if k not in cache]
        if missing:
            # Pending futures go in first: a sibling field asking for the same keys meanwhile
            # (an event's category and its deadline) waits for this call instead of its own.
            loop = asyncio.get_running_loop()
            pending = {key: loop.create_future() for key in missing}
            cache.update(pending)
            try:
                values = await self._batch(missing)
            except BaseException as exc:
                for key, future in pending.items():
                    if cache.get(key) is future:
                        del cache[key]  # a failed key is asked again next time
                    if isinstance(exc, Exception):
                        future.set_exception(exc)
                        future.exception()  # retrieved here; waiters still get it
                    else:
                        future.cancel()
                raise
            for key, value in zip(missing, values, strict=True):
                pending[key].set_result(value)
        futures = [cache[k] for k in keys]
        return [f.result() if f.done() else await f for f in futures]


class Loaders:
    """The loaders of one request, one per (department, entity, key[, page window]).

    Build it inside the request (aiodataloader binds to the running event loop, and a
    loader shared between requests would serve one caller's rows to the next).

    Args:
        connectors: department -> connector.

    Example:
        >>> loaders = Loaders(connectors)  # doctest: +SKIP
        >>> row = await loaders.one("health", "health_code", "id_number").load(id_number)
    """

    __slots__ = ("_connectors", "_loaders")

    def __init__(self, connectors: Mapping[str, Connector]) -> None:
        self._connectors = connectors
        self._loaders: dict[tuple[Any, ...], KeyLoader] = {}

    def fresh(self) -> Loaders:
        """New, empty loaders over the same connectors (after a write, or per live update)."""
        return Loaders(self._connectors)

    def connector(self, department: str) -> Connector:
        """The connector serving ``department``."""
        return self._connectors[department]

    def one(self, department: str, entity: str, key: str) -> KeyLoader:
        """A loader of single rows by a unique key: ``load(value) -> Row | None``."""
        ident = (department, entity, key)
        loader = self._loaders.get(ident)
        if loader is None:
            connector = self._connectors[department]

            async def batch(values: Sequence[Any]) -> list[Any]:
                try:
                    return await connector.fetch_by_keys(entity, key, values)
                except Exception as exc:
                    raise department_unavailable(department, exc) from exc

            loader = self._loaders[ident] = KeyLoader(batch)
        return loader

    def many(
        self,
        department: str,
        entity: str,
        key: str,
        first: int,
        after: str | None,
        filters: Sequence[Filter] = (),
    ) -> KeyLoader:
        """A loader of row groups: ``load(value) -> Page`` of the first rows with that key.

        ``filters`` (the caller's jurisdiction) are applied in the department's query.
        """
        ident = (department, entity, key, first, after, tuple(filters))
        loader = self._loaders.get(ident)
        if loader is None:
            connector = self._connectors[department]

            async def batch(values: Sequence[Any]) -> list[Any]:
                try:
                    return await connector.fetch_groups(
                        entity, key, values, first=first, after=after, filters=filters
                    )
                except InvalidCursor as exc:
                    raise bad_user_input(str(exc), argument="after") from None
                except Exception as exc:
                    raise department_unavailable(department, exc) from exc

            loader = self._loaders[ident] = KeyLoader(batch)
        return loader
