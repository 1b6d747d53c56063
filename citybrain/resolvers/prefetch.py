"""Look ahead at a selection and load every related row of a whole page at once.

A list field fetches its page, then :func:`prefetch` walks the selection: for each
cross-department field selected on the items, one batched loader call fetches the related
rows of every item, level by level. Per-item fields then read what was loaded
synchronously (an async per-item field costs several times a sync one).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from citybrain.auth.sensitivity import Decision
from citybrain.errors import bad_user_input
from citybrain.resolvers.relations import RELATIONS, Relation

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from strawberry.types.nodes import Selection

    from citybrain.connectors import Row
    from citybrain.federation import RequestContext
    from citybrain.settings import Settings

__all__ = ["EMPTY", "Bundle", "PageArgs", "Prefetched", "load_relation", "page_args", "prefetch"]

PageArgs = tuple[int, str | None]
"""``(first, after)`` of a connection field; ``()`` stands for a single-row field."""


@dataclass(slots=True)
class Prefetched:
    """The loaded value of one field for every parent of a page.

    ``values`` maps a parent's key to a row (or None) or to a :class:`Page`; ``error`` holds
    the failure of the department call, raised at each item's own path.
    """

    values: dict[Any, Any]
    child: Bundle
    error: Exception | None = None


@dataclass(slots=True)
class Bundle:
    """What was loaded ahead for the items of one list: (field, page args) -> values."""

    slots: dict[tuple[str, PageArgs | tuple[()]], Prefetched] = field(default_factory=dict)

    def get(self, name: str, args: PageArgs | tuple[()]) -> Prefetched | None:
        """The prefetched values of field ``name`` with these page arguments, if loaded."""
        return self.slots.get((name, args))


EMPTY = Bundle()


def page_args(settings: Settings, first: int | None, after: str | None) -> PageArgs:
    """Check ``first`` against the page-size limit and fill in the default page size."""
    if first is None:
        return (settings.default_page_size, after)
    if first < 0 or first > settings.max_page_size:
        raise bad_user_input(
            f"`first` must be between 0 and {settings.max_page_size}; page through longer "
            f"lists with `after` and pageInfo.endCursor",
            argument="first",
        )
    return (first, after)


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def _node_selections(relation: Relation, selections: list[Selection]) -> list[Selection]:
    """The selections that apply to each related item (under edges.node for a connection)."""
    if not relation.many or relation.pick_first:
        return selections
    nodes: list[Selection] = []
    for edges in _fields(selections):
        if edges.name == "edges":
            nodes.extend(
                s for n in _fields(edges.selections) if n.name == "node" for s in n.selections
            )
    return nodes


async def load_relation(
    ctx: RequestContext,
    relation: Relation,
    rows: Sequence[Row],
    args: PageArgs | tuple[()],
    selections: list[Selection],
    *,
    alone: bool = False,
) -> Prefetched:
    """Load ``relation`` for every parent row in one batched call, then look further ahead.

    ``alone`` marks an item resolving on its own (e.g. under ``_entities``): its loads go
    through the DataLoaders, which batch them with its siblings', all the way down.
    Rows outside the caller's jurisdiction are filtered in the department's query (lists)
    or dropped as if missing (single rows fetched by key).
    """
    keys = list(dict.fromkeys(r[relation.source] for r in rows if r[relation.source] is not None))
    scope = ctx.access.scope if ctx.access is not None and not relation.owned else None
    filters = scope.filters(relation.entity) if scope is not None else []
    if filters is None:  # nothing of this entity is visible to the caller
        keys = []
    loaders = ctx.loaders
    try:
        if relation.pick_first:
            loader = loaders.many(relation.department, relation.entity, relation.key, 1, None)
        elif relation.many:
            first, after = args  # type: ignore[misc]
            loader = loaders.many(
                relation.department, relation.entity, relation.key, first, after, filters or ()
            )
        else:
            loader = loaders.one(relation.department, relation.entity, relation.key)
        if alone:
            values: list[Any] = await loader.loader.load_many(keys)
        else:
            values = await loader.load_many(keys)
    except Exception as exc:
        return Prefetched({}, EMPTY, error=exc)
    if scope is not None and not relation.many:
        values = [v if v is None or scope.visible(relation.entity, v) else None for v in values]
    if relation.pick_first:
        values = [page.rows[0] if page.rows else None for page in values]
        children: list[Row] = [v for v in values if v is not None]
    elif relation.many:
        children = [row for page in values for row in page.rows]
    else:
        children = [v for v in values if v is not None]
    child = await prefetch(ctx, relation.target, children, selections, alone=alone)
    return Prefetched(dict(zip(keys, values, strict=True)), child)


async def prefetch(
    ctx: RequestContext,
    type_name: str,
    rows: Sequence[Row],
    selections: list[Selection],
    *,
    alone: bool = False,
    sources: set[str] | None = None,
    skip_sources: set[str] | None = None,
) -> Bundle:
    """Load every cross-department field selected on ``rows`` (of GraphQL type ``type_name``).

    A field the caller's policy denies is not loaded at all.

    Args:
        ctx: the request context (loaders, settings, access).
        type_name: the GraphQL type of the rows.
        rows: the parent rows of one page.
        selections: what the query selects on each of them.
        alone: see :func:`load_relation`.
        sources: only fields keyed by these parent columns (the rest are skipped).
        skip_sources: skip fields keyed by these parent columns.
    """
    relations = RELATIONS.get(type_name)
    if not relations or not rows:
        return EMPTY
    settings = ctx.settings
    decisions = ctx.access.decisions if ctx.access is not None else None
    wanted: dict[tuple[str, PageArgs | tuple[()]], list[Selection]] = {}
    for selected in _fields(selections):
        relation = relations.get(selected.name)
        if relation is None:
            continue
        if (sources is not None and relation.source not in sources) or (
            skip_sources is not None and relation.source in skip_sources
        ):
            continue
        if decisions is not None and decisions[f"{type_name}.{selected.name}"] is Decision.DENY:
            continue
        args: PageArgs | tuple[()] = ()
        if relation.many and not relation.pick_first:
            try:
                first = selected.arguments.get("first")
                # strawberry hands literal arguments over as they are written: "5", not 5
                args = page_args(
                    settings,
                    None if first is None else int(first),
                    selected.arguments.get("after"),
                )
            except GraphQLError:
                continue
        nodes = _node_selections(relation, selected.selections)
        wanted.setdefault((selected.name, args), []).extend(nodes)
    if not wanted:
        return EMPTY
    slots = list(wanted)
    loaded = await asyncio.gather(
        *(
            load_relation(ctx, relations[name], rows, args, wanted[(name, args)], alone=alone)
            for name, args in slots
        )
    )
    return Bundle(dict(zip(slots, loaded, strict=True)))
