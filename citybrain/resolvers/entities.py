"""Root lookups: one entity by key, or one page of a filtered list, with look-ahead."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from citybrain.connectors import InvalidCursor, Page
from citybrain.errors import bad_user_input, department_unavailable
from citybrain.resolvers.prefetch import EMPTY, Bundle, page_args, prefetch
from citybrain.resolvers.relations import RELATIONS, Relation

if TYPE_CHECKING:
    from collections.abc import Sequence

    from strawberry.types.nodes import Selection

    from citybrain.connectors import Filter, Row
    from citybrain.federation import RequestContext

__all__ = ["fetch_entity", "fetch_list", "follow", "visible"]


async def fetch_entity(
    ctx: RequestContext,
    type_name: str,
    source: tuple[str, str, str],
    value: object,
    selections: list[Selection],
) -> tuple[Row, Bundle] | None:
    """One entity by a unique key, with everything selected below it loaded ahead.

    Args:
        ctx: the request context.
        type_name: the GraphQL type of the entity.
        source: (department, entity, key column).
        value: the key.
        selections: what the query selects on the entity.
    """
    department, entity, key = source
    lookup = ctx.loaders.one(department, entity, key).load_many([value])
    if ctx.access is not None and not ctx.access.scope.city_wide:
        (row,) = await lookup
        if row is None or not visible(ctx, entity, row):
            return None  # outside the jurisdiction reads exactly like a missing key
        return row, await prefetch(ctx, type_name, [row], selections)
    # A caller who may see every row: fields keyed by the lookup key itself (a grid's
    # residents, a person's health code) need not wait for the row; load both at once.
    # The rest starts as soon as the row is there, without waiting for those early fields:
    # a slow department then delays only its own fields, not the others' deeper levels.
    early_task = asyncio.ensure_future(
        prefetch(ctx, type_name, [{key: value}], selections, sources={key})
    )
    try:
        (row,) = await lookup
    except BaseException:
        early_task.cancel()
        raise
    if row is None:
        early_task.cancel()
        return None
    rest, early = await asyncio.gather(
        prefetch(ctx, type_name, [row], selections, skip_sources={key}), early_task
    )
    return row, Bundle({**early.slots, **rest.slots})


async def fetch_list(
    ctx: RequestContext,
    type_name: str,
    source: tuple[str, str],
    filters: Sequence[Filter],
    first: int | None,
    after: str | None,
    selections: list[Selection],
) -> tuple[Page, Bundle]:
    """One page of a department list, filtered in the department's own query."""
    size, cursor = page_args(ctx.settings, first, after)
    department, entity = source
    scoped = ctx.access.scope.filters(entity) if ctx.access is not None else []
    if scoped is None:  # the caller may see no row of this entity
        return Page(rows=[], has_next_page=False), EMPTY
    connector = ctx.loaders.connector(department)
    try:
        page = await connector.fetch_page(entity, [*filters, *scoped], first=size, after=cursor)
    except InvalidCursor as exc:  # an unknown cursor: the client's to fix
        raise bad_user_input(str(exc), argument="after") from None
    except Exception as exc:
        raise department_unavailable(department, exc) from exc
    return page, await prefetch(ctx, type_name, page.rows, selections)


def visible(ctx: RequestContext, entity: str, row: Row) -> bool:
    """Whether the caller may see ``row`` (an entity fetched by key)."""
    return ctx.access is None or ctx.access.scope.visible(entity, row)


def follow(type_name: str, field_name: str) -> Relation:
    """The relation behind ``type_name.field_name``."""
    return RELATIONS[type_name][field_name]
