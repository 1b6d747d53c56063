"""What every department connector offers: rows by key, grouped rows, filtered pages, health."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from citybrain.connectors.cursors import encode_cursor

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

    from citybrain.settings import Settings

__all__ = ["Connector", "Filter", "Page", "Row"]

_T = TypeVar("_T")

Row = dict[str, Any]
"""A department row: column name -> value. Connectors never return GraphQL types."""

FilterOp = Literal["eq", "in", "ge", "lt", "prefix"]


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition of a list query, pushed down into the department's own query.

    Args:
        column: a column of the entity.
        op: ``eq``, ``in``, ``ge``, ``lt`` or ``prefix`` (hierarchical codes: a district code
            is a prefix of its grids' codes).
        value: the value to compare with (a sequence for ``in``).

    Example:
        >>> Filter("grid_code", "prefix", "120101001")
        Filter(column='grid_code', op='prefix', value='120101001')
    """

    column: str
    op: FilterOp
    value: Any


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: rows in the entity's order, and where the next page starts.

    Args:
        rows: the rows of the page.
        has_next_page: whether rows follow the last one.
        ordering: the columns whose values place a row in the list; a row's cursor
            encodes them (computed only when a client asks for it).
    """

    rows: list[Row]
    has_next_page: bool
    ordering: tuple[str, ...] = ()

    def cursor(self, row: Row) -> str:
        """The opaque cursor that continues the list after ``row``."""
        return encode_cursor([row[name] for name in self.ordering])

    @property
    def cursors(self) -> list[str]:
        """The cursor of every row of the page."""
        return [self.cursor(row) for row in self.rows]


class Connector(abc.ABC):
    """A department system, as the graph sees it.

    A connector answers two kinds of question: "these keys, please" (what a DataLoader
    batches into) and "rows matching this filter, this page" (keyset pagination). It knows
    nothing of GraphQL: it returns plain rows.

    Integrators subclass :class:`citybrain.connectors.SqlConnector` for a department that
    has a database, or this class for anything else, and register the class under the
    ``citybrain.connectors`` entry-point group.

    Example:
        >>> class MyHealthConnector(Connector):  # doctest: +SKIP
        ...     department = "health"
        ...     entities = {"health_code": "id_number"}
    """

    department: ClassVar[str]
    """The department this connector serves, e.g. ``"health"``."""

    description: ClassVar[str] = ""
    """One line shown by ``citybrain connectors``."""

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, settings: Settings) -> Connector:
        """Build the connector from the service settings (no I/O)."""

    @abc.abstractmethod
    def entity_names(self) -> Sequence[str]:
        """The entities this connector can answer for, e.g. ``["person", "household"]``."""

    @abc.abstractmethod
    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        """Rows whose unique ``key`` column equals each value, in order (None when missing).

        Args:
            entity: an entity name of this connector.
            key: a unique column of the entity.
            values: the keys asked for; the answer has one slot per value.
        """

    @abc.abstractmethod
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
        """For each value, the first ``first`` rows whose ``key`` column equals it, one call.

        Args:
            entity: an entity name of this connector.
            key: the column that groups rows (e.g. a person's ID number on vaccinations).
            values: the group keys; the answer has one page per value.
            first: rows per group.
            after: a cursor from an earlier page: each group starts after it.
            filters: further conditions on every row (e.g. the caller's jurisdiction).
        """

    @abc.abstractmethod
    async def fetch_page(
        self,
        entity: str,
        filters: Sequence[Filter],
        *,
        first: int,
        after: str | None = None,
    ) -> Page:
        """Rows matching every filter, in the entity's order, ``first`` of them after a cursor."""

    @abc.abstractmethod
    async def check_health(self) -> None:
        """Raise if the department cannot answer right now."""

    async def invalidate(self, entity: str) -> None:  # noqa: B027 - nothing cached below
        """Forget every cached row and list of ``entity`` (call after writing to it).

        A write path of the platform (e.g. a grid-event mutation) calls this on the
        connector it wrote through, after the write succeeded. The cache layer drops the
        entity's entries (in Redis, for every process); a plain source has nothing to do.

        Args:
            entity: an entity name of this connector, e.g. ``"grid_event"``.
        """

    async def aggregate(self, count: Callable[[], Awaitable[_T]]) -> _T:
        """Run one of this department's own aggregate reads (statistics), guarded.

        A department connector's statistics methods are its own; callers run them through
        this method of the (layered) connector, so that the resilience layer can hold them
        to a timeout, the bulkhead and the breaker like any read. Never cached.

        Args:
            count: a call of one of the connector's aggregate methods.

        Example:
            >>> await grid.aggregate(lambda: grid.event_statistics(period))  # doctest: +SKIP
        """
        return await count()

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections; called once when the service stops."""

    def describe(self) -> Mapping[str, Any]:
        """What ``citybrain connectors`` prints about this connector."""
        return {"department": self.department, "entities": list(self.entity_names())}
