"""An execution context that completes plain leaf fields inline.

A page of a hundred residents has hundreds of leaf fields (names, codes, dates) that only
read an attribute and serialise it. graphql-core runs each through ``execute_field`` and
``complete_value`` (a resolve-info object, awaitable checks, type dispatch). For a leaf
field whose resolver is a plain attribute read (see :mod:`citybrain.schema.fast_paths`:
never a policy-checked field), this context reads and serialises the value directly, in
the same order, falling back to graphql-core for anything else: a ``None`` in a non-null
field, a value that does not serialise, arguments, or any other resolver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLScalarType
from graphql.pyutils import Path, Undefined
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from citybrain.observability.requests import lineage_wanted, with_root_field

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import GraphQLObjectType
    from graphql.pyutils import AwaitableOrValue

__all__ = ["LEAF_ATTRIBUTE", "LeafFastExecutionContext"]

LEAF_ATTRIBUTE = "__citybrain_leaf_attribute__"
"""Set on a resolver that only reads this attribute of its source."""

Plan = tuple[str, "Callable[[Any], Any]", bool]
_PLANS: dict[int, tuple[Any, dict[str, Plan | None]]] = {}


def _plans(parent_type: GraphQLObjectType) -> dict[str, Plan | None]:
    """Per field of ``parent_type``: (attribute, serialise, non-null), or None (slow path)."""
    cached = _PLANS.get(id(parent_type))
    if cached is not None and cached[0] is parent_type:
        return cached[1]
    plans: dict[str, Plan | None] = {}
    for name, field in parent_type.fields.items():
        attribute = getattr(field.resolve, LEAF_ATTRIBUTE, None)
        kind = field.type
        non_null = isinstance(kind, GraphQLNonNull)
        if non_null:
            kind = kind.of_type
        if attribute and not field.args and isinstance(kind, GraphQLScalarType | GraphQLEnumType):
            plans[name] = (attribute, kind.serialize, non_null)
        else:
            plans[name] = None
    _PLANS[id(parent_type)] = (parent_type, plans)
    return plans


class LeafFastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with plain leaf fields completed inline."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plans = _plans(parent_type)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                plan = plans.get(field_details_list[0].node.name.value)
                if plan is not None:
                    attribute, serialize, non_null = plan
                    value = getattr(source_value, attribute, None)
                    if value is None:
                        if not non_null:
                            results[response_name] = None
                            continue
                    else:
                        try:
                            out = serialize(value)
                        except Exception:
                            out = Undefined
                        if out is not Undefined and out is not None:
                            results[response_name] = out
                            continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        if path is None and lineage_wanted():  # top-level fields: attribute their calls
            for name in awaitable_fields:
                results[name] = with_root_field(name, results[name])

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                only = awaitable_fields[0]
                results[only] = await results[only]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
