"""Apollo Federation's by-key entry (``_entities``): representations to rows, batched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citybrain.errors import bad_user_input
from citybrain.id_numbers import InvalidIdNumber, validate_id_number
from citybrain.resolvers.entities import visible

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from strawberry.types import Info

    from citybrain.connectors import Row
    from citybrain.federation import RequestContext

__all__ = ["ENTITY_KEYS", "reference_row"]


def _id_number(value: Any) -> Any:
    try:
        return validate_id_number(str(value))
    except InvalidIdNumber as exc:
        raise bad_user_input(f"invalid idNumber in representation: {exc}") from None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_user_input("the GridEvent key `id` is an integer") from None


# GraphQL type -> (key field, (department, entity, column), key normaliser)
ENTITY_KEYS: dict[str, tuple[str, tuple[str, str, str], Callable[[Any], Any]]] = {
    "Person": ("idNumber", ("civil_affairs", "person", "id_number"), _id_number),
    "Place": ("placeCode", ("health", "place", "place_code"), str),
    "Grid": ("code", ("grid", "grid", "code"), str),
    "GridEvent": ("id", ("grid", "grid_event", "id"), _int),
}


async def reference_row(
    info: Info, type_name: str, representation: Mapping[str, Any], *, readers_only: bool = False
) -> Row | None:
    """The row behind one ``_entities`` representation; all of a request's are one batch.

    Extra keys in the representation (``@requires`` fields) are ignored. With
    ``readers_only``, a caller who may read no field of the type is refused (``FORBIDDEN``)
    before the lookup, whether the key exists or not (see
    :meth:`~citybrain.auth.access.Access.require_reader`).
    """
    field, (department, entity, column), normalise = ENTITY_KEYS[type_name]
    if field not in representation:
        raise bad_user_input(f"a {type_name} representation needs its key field `{field}`")
    ctx: RequestContext = info.context
    key = normalise(representation[field])
    if readers_only and ctx.access is not None:
        ctx.access.require_reader(type_name, f"_entities({type_name})", str(key))
    row: Row | None = await ctx.loaders.one(department, entity, column).load(key)
    if row is None or not visible(ctx, entity, row):
        return None  # outside the jurisdiction reads exactly like a missing key
    return row
