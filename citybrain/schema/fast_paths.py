"""Per-item fields resolved without strawberry's per-call wrapping.

Lists of a hundred residents resolve about a thousand fields. Strawberry wraps every
resolver call (an ``Info`` object, argument conversion, an extension chain), which costs
more than the field itself. Once the schema is built, the fields of entity types are
pointed straight at what they read: a plain field at the object's attribute, a
cross-department field at its method, called with graphql-core's own ``info`` (the methods
only read ``field_name``, ``context`` and the selection, which both kinds of info offer).
Root fields keep strawberry's full path: they run once per request.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLObjectType

from citybrain.schema.base import Connection, Edge, Entity, PageInfo

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import GraphQLResolveInfo, GraphQLSchema
    from strawberry.types.field import StrawberryField

__all__ = ["install_fast_paths"]

_PLUMBING = (Connection, Edge, PageInfo)


def _attribute(name: str) -> Callable[..., Any]:
    read = attrgetter(name)

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return read(source)

    return resolve


def _method(function: Callable[..., Any], wants_info: bool) -> Callable[..., Any]:
    if not wants_info:

        def resolve_plain(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
            return function(source, **arguments)

        return resolve_plain

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        return function(source, info, **arguments)

    return resolve


def _is_fast(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, (Entity, *_PLUMBING))


def install_fast_paths(schema: GraphQLSchema) -> int:
    """Point the fields of entity and connection types at direct resolvers; return how many.

    A field keeps strawberry's path when it carries field extensions or permission
    classes, or takes arguments other than ``first`` and ``after`` (whose GraphQL and
    Python names and values are the same).
    """
    installed = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType):
            continue
        definition = (named.extensions or {}).get("strawberry-definition")
        if definition is None or not _is_fast(getattr(definition, "origin", None)):
            continue
        for graphql_field in named.fields.values():
            field: StrawberryField | None = (graphql_field.extensions or {}).get(
                "strawberry-definition"
            )
            if field is None or field.extensions or getattr(field, "permission_classes", None):
                continue
            if field.base_resolver is None:
                graphql_field.resolve = _attribute(field.python_name)
            elif {a.python_name for a in field.arguments} <= {"first", "after"}:
                resolver = field.base_resolver
                wants_info = resolver.info_parameter is not None
                function = cast("Callable[..., Any]", resolver.wrapped_func)
                graphql_field.resolve = _method(function, wants_info)
            else:
                continue
            installed += 1
    return installed
