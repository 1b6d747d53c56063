"""Fault injection for the resilience tests: a layer over a real department connector."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from citybrain.connectors import ConnectorLayer

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from citybrain.connectors import Connector, Filter, Page, Row


T = TypeVar("T")


@dataclass
class Faults:
    """What the next calls of a :class:`FaultySource` do (changed by the test as it goes)."""

    fail: int = 0
    """Calls still to fail with ConnectionError (a negative number: every call)."""
    delay: float = 0.0
    """Seconds each call sleeps before answering."""
    hold: asyncio.Event | None = None
    """When set, calls wait for the event before answering."""
    calls: list[str] = field(default_factory=list)
    """Every read that reached the source, by method name."""
    cancelled: int = 0
    """Reads cancelled while in flight."""
    writes: int = 0


class FaultySource(ConnectorLayer):
    """A real department connector whose reads can fail, stall or wait, counted."""

    def __init__(self, inner: Connector, faults: Faults | None = None) -> None:
        super().__init__(inner)
        self.faults = faults or Faults()

    async def _enter(self, method: str) -> None:
        faults = self.faults
        faults.calls.append(method)
        try:
            if faults.hold is not None:
                await faults.hold.wait()
            if faults.delay:
                await asyncio.sleep(faults.delay)
        except asyncio.CancelledError:
            faults.cancelled += 1
            raise
        if faults.fail:
            faults.fail -= 1 if faults.fail > 0 else 0
            raise ConnectionError("connection refused by db.internal:5432")

    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        await self._enter("fetch_by_keys")
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
        await self._enter("fetch_groups")
        return await self.inner.fetch_groups(
            entity, key, values, first=first, after=after, filters=filters
        )

    async def aggregate(self, count: Callable[[], Awaitable[T]]) -> T:
        await self._enter("aggregate")
        return await self.inner.aggregate(count)

    async def fetch_page(
        self, entity: str, filters: Sequence[Filter], *, first: int, after: str | None = None
    ) -> Page:
        await self._enter("fetch_page")
        return await self.inner.fetch_page(entity, filters, first=first, after=after)

    async def record_write(self, fail: bool = False) -> str:
        """A write method of the department (like the grid's event mutations)."""
        self.faults.writes += 1
        if fail:
            raise ConnectionError("write failed")
        return "written"
