"""What every entity type shares: wrapping rows, reading loaded-ahead fields, connections."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, cast

import strawberry

from citybrain.resolvers import EMPTY, Bundle, Prefetched, follow, load_relation, page_args

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from strawberry.types import Info

    from citybrain.connectors import Page, Row
    from citybrain.federation import RequestContext

__all__ = ["Connection", "Edge", "Entity", "PageInfo"]

E = TypeVar("E", bound="Entity")
T = TypeVar("T")


@strawberry.type(description="Where a page of a list stands (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a list, with the cursor to continue after it.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list: `first` items `after` a cursor.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page, wrap: Any, bundle: Bundle, *, after: str | None) -> Connection[T]:
        """Wrap one department page; ``wrap(row, bundle)`` builds each node."""
        cursors = page.cursors
        return cls(
            edges=[
                Edge(cursor=c, node=wrap(row, bundle))
                for c, row in zip(cursors, page.rows, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
        )


_COLUMNS: dict[type, tuple[str, ...]] = {}


@dataclasses.dataclass(kw_only=True)
class Entity:
    """A GraphQL object built from one department row.

    Plain fields are the row's columns (same snake_case names); cross-department fields
    call :meth:`related_one` or :meth:`related_page`, which read what the enclosing list
    loaded ahead, or load it through the request's loaders when nothing was.
    """

    if TYPE_CHECKING:  # set by wrap(), not dataclass fields: strawberry never sees them
        _row: Row
        _bundle: Bundle

    graphql_name: ClassVar[str]

    @classmethod
    def wrap(cls, row: Row, bundle: Bundle = EMPTY) -> Self:
        """Build the object for ``row``; ``bundle`` holds what was loaded for its fields."""
        columns = _COLUMNS.get(cls)
        if columns is None:
            columns = _COLUMNS[cls] = tuple(
                f.name for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")
            )
        entity = cls(**{c: row[c] for c in columns})
        entity._row = row
        entity._bundle = bundle
        return entity

    def _prefetched(self, info: Info, args: Any) -> Prefetched | Awaitable[Prefetched]:
        found = self._bundle.get(info.field_name, args)
        if found is not None:
            return found
        ctx: RequestContext = info.context
        relation = follow(self.graphql_name, info.field_name)
        selections = info.selected_fields[0].selections
        if relation.many and not relation.pick_first:
            selections = [
                s
                for edges in selections
                if getattr(edges, "name", None) == "edges"
                for node in getattr(edges, "selections", [])
                if getattr(node, "name", None) == "node"
                for s in node.selections
            ]
        return load_relation(ctx.loaders, relation, [self._row], args, selections, ctx.settings)

    def related_one(self, info: Info, target: type[E]) -> E | None:
        """The single related entity of this field (a value, or an awaitable of one)."""
        found = self._prefetched(info, ())
        if isinstance(found, Prefetched):
            return _one(self, info, found, target)

        async def later() -> E | None:
            return _one(self, info, await found, target)

        return cast("E | None", later())

    def related_page(
        self, info: Info, target: type[E], first: int | None, after: str | None
    ) -> Connection[E]:
        """The related connection of this field, ``first`` items ``after`` a cursor."""
        ctx: RequestContext = info.context
        args = page_args(ctx.settings, first, after)
        found = self._prefetched(info, args)
        if isinstance(found, Prefetched):
            return _page(self, info, found, target, after)

        async def later() -> Connection[E]:
            return _page(self, info, await found, target, after)

        return cast("Connection[E]", later())


def _one(parent: Entity, info: Info, found: Prefetched, target: type[E]) -> E | None:
    if found.error is not None:
        raise found.error
    relation = follow(parent.graphql_name, info.field_name)
    value = found.values.get(parent._row[relation.source])
    return None if value is None else target.wrap(value, found.child)


def _page(
    parent: Entity, info: Info, found: Prefetched, target: type[E], after: str | None
) -> Connection[E]:
    if found.error is not None:
        raise found.error
    relation = follow(parent.graphql_name, info.field_name)
    page: Page | None = found.values.get(parent._row[relation.source])
    if page is None:
        return Connection(
            edges=[],
            page_info=PageInfo(
                has_next_page=False,
                has_previous_page=after is not None,
                start_cursor=None,
                end_cursor=None,
            ),
        )
    return Connection.of(page, target.wrap, found.child, after=after)
