"""Per-request DataLoaders: the only path from the graph to the departments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiodataloader import DataLoader

from citybrain.connectors import InvalidCursor
from citybrain.errors import bad_user_input, department_unavailable

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from citybrain.connectors import Connector, Page, Row

__all__ = ["Loaders"]


class Loaders:
    """The DataLoaders of one request, one per (department, entity, key[, page window]).

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
        self._loaders: dict[tuple[Any, ...], DataLoader[Any, Any]] = {}

    def connector(self, department: str) -> Connector:
        """The connector serving ``department``."""
        return self._connectors[department]

    def one(self, department: str, entity: str, key: str) -> DataLoader[Any, Any]:
        """A loader of single rows by a unique key: ``load(value) -> Row | None``."""
        ident = (department, entity, key)
        loader = self._loaders.get(ident)
        if loader is None:
            connector = self._connectors[department]

            async def batch(values: Sequence[Any]) -> list[Row | None]:
                try:
                    return await connector.fetch_by_keys(entity, key, values)
                except Exception as exc:
                    raise department_unavailable(department) from exc

            loader = self._loaders[ident] = DataLoader(batch)
        return loader

    def many(
        self, department: str, entity: str, key: str, first: int, after: str | None
    ) -> DataLoader[Any, Any]:
        """A loader of row groups: ``load(value) -> Page`` of the first rows with that key."""
        ident = (department, entity, key, first, after)
        loader = self._loaders.get(ident)
        if loader is None:
            connector = self._connectors[department]

            async def batch(values: Sequence[Any]) -> list[Page]:
                try:
                    return await connector.fetch_groups(
                        entity, key, values, first=first, after=after
                    )
                except InvalidCursor as exc:
                    raise bad_user_input(str(exc), argument="after") from None
                except Exception as exc:
                    raise department_unavailable(department) from exc

            loader = self._loaders[ident] = DataLoader(batch)
        return loader
