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

from graphql import GraphQLError, GraphQLObjectType

from citybrain.auth.access import AUDIT_UNAVAILABLE, forbidden
from citybrain.auth.masking import MASKERS
from citybrain.auth.sensitivity import Decision, Sensitivity
from citybrain.schema.base import Connection, Edge, Entity, PageInfo
from citybrain.schema.classes import AUDIT_KEYS, FIELD_CLASSES, MASK_KINDS
from citybrain.schema.execution import LEAF_ATTRIBUTE

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import GraphQLResolveInfo, GraphQLSchema
    from strawberry.types.field import StrawberryField

__all__ = ["install_fast_paths", "install_plain_leaves"]

_PLUMBING = (Connection, Edge, PageInfo)


def _attribute(name: str) -> Callable[..., Any]:
    read = attrgetter(name)

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return read(source)

    setattr(resolve, LEAF_ATTRIBUTE, name)  # completed inline by LeafFastExecutionContext
    return resolve


def _method(function: Callable[..., Any], wants_info: bool) -> Callable[..., Any]:
    if not wants_info:

        def resolve_plain(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
            return function(source, **arguments)

        return resolve_plain

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        return function(source, info, **arguments)

    return resolve


def _audit_unavailable(name: str) -> GraphQLError:
    return GraphQLError(
        f"{name} is personal data and the audit trail cannot be written now; try again later",
        extensions={"code": AUDIT_UNAVAILABLE},
    )


def _guard(
    resolve: Callable[..., Any], type_name: str, field_name: str, level: Sensitivity
) -> Callable[..., Any]:
    """Check the caller's precomputed decision before reading a non-public field.

    Personal and sensitive fields are noted for the audit (served, masked or denied) and
    fail closed while the audit store is down.
    """
    name = f"{type_name}.{field_name}"
    kind = MASK_KINDS.get(name)
    masker = MASKERS[kind] if kind else None
    audit_key = AUDIT_KEYS.get(type_name) if level.is_personal else None
    if level.is_personal and audit_key is None:
        raise RuntimeError(f"{type_name} holds personal fields: add it to AUDIT_KEYS")

    def guarded(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        access = info.context.access
        decision = access.decisions[name]
        if decision is Decision.DENY or (audit_key is not None and not access.audit_ready):
            if audit_key is not None:
                access.note(type_name, source._row[audit_key], field_name, decision)
                if not access.audit_ready:
                    raise _audit_unavailable(name)
            raise forbidden(name)
        value = resolve(source, info, **arguments)
        if value is None:
            return None  # nothing served, nothing to audit
        if audit_key is not None:
            access.note(type_name, source._row[audit_key], field_name, decision)
        if decision is Decision.MASK and masker is not None:
            access.masked_paths.append(info.path)  # turned into a list once, at the end
            return masker(value)
        return value  # allowed, or an object field whose own fields decide

    return guarded


def _is_fast(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, (Entity, *_PLUMBING))


def install_fast_paths(schema: GraphQLSchema, *, guarded: bool = True) -> int:
    """Point the fields of entity and connection types at direct resolvers; return how many.

    A field keeps strawberry's path when it carries field extensions or permission
    classes, or takes arguments other than ``first`` and ``after`` (whose GraphQL and
    Python names and values are the same). With ``guarded``, every non-public field of an
    entity type checks the request's field policy first (public fields pay nothing).
    """
    installed = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType):
            continue
        definition = (named.extensions or {}).get("strawberry-definition")
        if definition is None or not _is_fast(getattr(definition, "origin", None)):
            continue
        for field_name, graphql_field in named.fields.items():
            field: StrawberryField | None = (graphql_field.extensions or {}).get(
                "strawberry-definition"
            )
            if field is None or field.extensions or getattr(field, "permission_classes", None):
                continue
            if field.base_resolver is None:
                resolve = _attribute(field.python_name)
            elif {a.python_name for a in field.arguments} <= {"first", "after"}:
                resolver = field.base_resolver
                wants_info = resolver.info_parameter is not None
                function = cast("Callable[..., Any]", resolver.wrapped_func)
                resolve = _method(function, wants_info)
            else:
                continue
            level = FIELD_CLASSES.get(named.name, {}).get(field_name, Sensitivity.PUBLIC)
            if guarded and level is not Sensitivity.PUBLIC:
                resolve = _guard(resolve, named.name, field_name, level)
            graphql_field.resolve = resolve
            installed += 1
    return installed


def install_plain_leaves(schema: GraphQLSchema, type_names: tuple[str, ...]) -> int:
    """Point the scalar and enum fields of ``type_names`` at plain attribute reads.

    For result types read in bulk whose access is checked once, by their root field (a
    screening batch of 10,000 items): their leaves are then completed inline by the
    execution context. Returns how many fields were pointed.
    """
    installed = 0
    for name in type_names:
        named = schema.type_map[name]
        assert isinstance(named, GraphQLObjectType)  # noqa: S101 - our own type names
        for graphql_field in named.fields.values():
            field: StrawberryField | None = (graphql_field.extensions or {}).get(
                "strawberry-definition"
            )
            if field is None or field.base_resolver is not None or field.arguments:
                continue
            graphql_field.resolve = _attribute(field.python_name)
            installed += 1
    return installed
