"""A connector wrapped around another: the base of the cache and resilience layers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from citybrain.connectors.base import Connector

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

    from citybrain.connectors.base import Filter, Page, Row
    from citybrain.settings import Settings

__all__ = ["READ_METHODS", "ConnectorLayer", "source_of"]

_T = TypeVar("_T")

READ_METHODS = frozenset({"fetch_by_keys", "fetch_groups", "fetch_page"})
"""The idempotent reads: the only calls a layer may retry or cache."""


class ConnectorLayer(Connector):
    """Implements :class:`Connector` by delegating to ``inner``.

    Subclasses override the read methods they change. Any other attribute (a write method a
    department connector adds, its ``engine``) is the inner connector's own, reached
    straight through without retry or caching.

    Args:
        inner: the connector (or layer) below this one.
    """

    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.department = inner.department  # type: ignore[misc]
        self.description = inner.description  # type: ignore[misc]

    @classmethod
    def from_settings(cls, settings: Settings) -> Connector:
        raise TypeError("a layer is built around a connector: see citybrain.connectors.stack")

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes the layer lacks: writes and source-specific members.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def entity_names(self) -> Sequence[str]:
        return self.inner.entity_names()

    async def aggregate(self, count: Callable[[], Awaitable[_T]]) -> _T:
        return await self.inner.aggregate(count)

    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        return await self.inner.fetch_by_keys(entity, key, values)

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
        return await self.inner.fetch_groups(
            entity, key, values, first=first, after=after, filters=filters
        )

    async def fetch_page(
        self, entity: str, filters: Sequence[Filter], *, first: int, after: str | None = None
    ) -> Page:
        return await self.inner.fetch_page(entity, filters, first=first, after=after)

    async def check_health(self) -> None:
        await self.inner.check_health()

    async def invalidate(self, entity: str) -> None:
        await self.inner.invalidate(entity)

    async def close(self) -> None:
        await self.inner.close()

    def describe(self) -> Mapping[str, Any]:
        return self.inner.describe()


def source_of(connector: Connector) -> Connector:
    """The department's own connector below every layer."""
    while isinstance(connector, ConnectorLayer):
        connector = connector.inner
    return connector
