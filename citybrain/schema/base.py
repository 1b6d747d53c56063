"""What every entity type shares: wrapping rows, reading loaded-ahead fields, connections."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, cast

import strawberry
from strawberry.types.nodes import convert_selections

from citybrain.resolvers import EMPTY, Bundle, Prefetched, follow, load_relation, page_args

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from graphql import GraphQLResolveInfo
    from strawberry.types import Info

    from citybrain.connectors import Page, Row
    from citybrain.federation import RequestContext

__all__ = ["Connection", "Edge", "Entity", "PageInfo"]

E = TypeVar("E", bound="Entity")
T = TypeVar("T")


@strawberry.type(description="Where a page of a list stands (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether this page was asked for `after` a cursor."
    )

    if TYPE_CHECKING:
        _page: Page | None

    @strawberry.field(description="Cursor of the first item of the page.")
    def start_cursor(self) -> str | None:
        page = self._page
        return page.cursor(page.rows[0]) if page is not None and page.rows else None

    @strawberry.field(description="Cursor of the last item: pass it as `after` for the next page.")
    def end_cursor(self) -> str | None:
        page = self._page
        return page.cursor(page.rows[-1]) if page is not None and page.rows else None


@strawberry.type(description="One item of a list, with the cursor to continue after it.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")

    if TYPE_CHECKING:
        _page: Page
        _row: Row

    @strawberry.field(description="Opaque cursor: pass it as `after` to continue after this item.")
    def cursor(self) -> str:
        return self._page.cursor(self._row)


def _edge(node: Any, page: Page, row: Row) -> Edge[Any]:
    edge: Edge[Any] = Edge.__new__(Edge)
    edge.node = node
    edge._page = page
    edge._row = row
    return edge


def _page_info(page: Page | None, after: str | None) -> PageInfo:
    info = PageInfo.__new__(PageInfo)
    info.has_next_page = page is not None and page.has_next_page
    info.has_previous_page = after is not None
    info._page = page
    return info


@strawberry.type(description="A page of a list: `first` items `after` a cursor.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of the page, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page stands in the list.")

    @classmethod
    def of(
        cls, page: Page | None, wrap: Any, bundle: Bundle, *, after: str | None
    ) -> Connection[T]:
        """Wrap one department page; ``wrap(row, bundle)`` builds each node."""
        connection: Connection[T] = cls.__new__(cls)
        rows = page.rows if page is not None else []
        connection.edges = [_edge(wrap(row, bundle), page, row) for row in rows]  # type: ignore[arg-type]
        connection.page_info = _page_info(page, after)
        return connection


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
        # Plain fields are read as attributes named like the row's columns.
        entity = cls.__new__(cls)
        entity.__dict__.update(row)
        entity._row = row
        entity._bundle = bundle
        return entity

    def _prefetched(self, info: Info, args: Any) -> Prefetched | Awaitable[Prefetched]:
        found = self._bundle.get(info.field_name, args)
        if found is not None:
            return found
        ctx: RequestContext = info.context
        relation = follow(self.graphql_name, info.field_name)
        # strawberry's Info, or graphql-core's own (see fast_paths)
        raw = cast("GraphQLResolveInfo[Any]", getattr(info, "_raw_info", info))
        selections = convert_selections(raw, raw.field_nodes)[0].selections
        if relation.many and not relation.pick_first:
            selections = [
                s
                for edges in selections
                if getattr(edges, "name", None) == "edges"
                for node in getattr(edges, "selections", [])
                if getattr(node, "name", None) == "node"
                for s in node.selections
            ]
        return load_relation(ctx, relation, [self._row], args, selections, alone=True)

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
    return Connection.of(page, target.wrap, found.child, after=after)
