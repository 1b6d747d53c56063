"""Root lookups: one entity by key, or one page of a filtered list, with look-ahead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from citybrain.connectors import InvalidCursor
from citybrain.errors import bad_user_input, department_unavailable
from citybrain.resolvers.prefetch import Bundle, page_args, prefetch
from citybrain.resolvers.relations import RELATIONS, Relation

if TYPE_CHECKING:
    from collections.abc import Sequence

    from strawberry.types.nodes import Selection

    from citybrain.connectors import Filter, Page, Row
    from citybrain.federation import RequestContext

__all__ = ["fetch_entity", "fetch_list", "follow"]


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
    (row,) = await ctx.loaders.one(department, entity, key).load_many([value])
    if row is None:
        return None
    return row, await prefetch(ctx.loaders, type_name, [row], selections, ctx.settings)


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
    connector = ctx.loaders.connector(department)
    try:
        page = await connector.fetch_page(entity, filters, first=size, after=cursor)
    except InvalidCursor as exc:  # an unknown cursor: the client's to fix
        raise bad_user_input(str(exc), argument="after") from None
    except Exception as exc:
        raise department_unavailable(department) from exc
    return page, await prefetch(ctx.loaders, type_name, page.rows, selections, ctx.settings)


def follow(type_name: str, field_name: str) -> Relation:
    """The relation behind ``type_name.field_name``."""
    return RELATIONS[type_name][field_name]
