"""The cost of an operation, computed before it runs, from list sizes and nesting.

Every field returning an object costs 1 per instance; leaves cost nothing. A field taking
``first`` returns up to ``first`` items (the default page size when not given), so what is
selected under it counts that many times::

    persons(first: 100) { edges { node { name household { address } } } }
    = 1 + 100 × (edges 1 + node 1 + household 1) = 301

A field whose cost is not of that shape declares its own rule with
:func:`register_field_cost`, e.g. a batch lookup whose cost grows with a list argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    value_from_ast_untyped,
)

from citybrain.errors import bad_user_input

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from graphql import DocumentNode, GraphQLNamedType, GraphQLSchema, SelectionSetNode

__all__ = ["FieldCostRule", "field_cost_rules", "operation_cost", "register_field_cost"]

FieldCostRule: TypeAlias = "Callable[[Mapping[str, Any], int], int]"
"""``(arguments, cost of one item's selection) -> cost of the field``."""

_RULES: dict[str, FieldCostRule] = {}


def register_field_cost(coordinate: str, rule: FieldCostRule) -> None:
    """Declare the cost of one field, replacing the default rule.

    Args:
        coordinate: ``Type.field``, e.g. ``"Query.screenPersons"``.
        rule: called with the field's arguments (literals and variables resolved; defaults
            not filled in) and the cost of the selection under it for one item; returns
            the field's whole cost.

    Example:
        >>> register_field_cost(
        ...     "Query.screenPersons",
        ...     lambda args, item: 1 + len(args.get("idNumbers") or ()) * (1 + item) // 100,
        ... )
    """
    if "." not in coordinate:
        raise ValueError(f"name the field as Type.field, not {coordinate!r}")
    _RULES[coordinate] = rule


def field_cost_rules() -> dict[str, FieldCostRule]:
    """The declared per-field cost rules (``Type.field`` -> rule), for docs and tests."""
    return dict(_RULES)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page_size: int,
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size

    def selection(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection(target or parent, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selection(target or parent, fragment.selection_set, seen | {name})
        return total

    def field(self, parent: GraphQLNamedType, node: FieldNode, seen: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        target = get_named_type(definition.type)
        composite = isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        item = self.selection(target, node.selection_set, seen) if composite else 0
        arguments = {
            a.name.value: value_from_ast_untyped(a.value, dict(self.variables))
            for a in node.arguments or ()
        }
        rule = _RULES.get(f"{parent.name}.{name}")
        if rule is not None:
            return max(0, int(rule(arguments, item)))
        if not composite:
            return 0
        return 1 + self.items(definition.args, arguments) * item if item else 1

    def items(self, definitions: Mapping[str, Any], arguments: Mapping[str, Any]) -> int:
        """How many items a field returns, for the cost of what is selected under it."""
        if "representations" in definitions:
            representations = arguments.get("representations")
            return len(representations) if isinstance(representations, list) else 1
        if "first" not in definitions:
            return 1
        first = arguments.get("first")
        if first is None:
            default = definitions["first"].default_value
            first = default if isinstance(default, int) else self.default_page_size
        if not isinstance(first, int) or isinstance(first, bool):
            return self.default_page_size  # refused when its variable is coerced
        if first > self.max_page_size:
            raise bad_user_input(
                f"`first` may be at most {self.max_page_size} (got {first}); "
                "page through the rest with `after`",
                argument="first",
            )
        return max(first, 0)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    default_page_size: int,
    max_page_size: int,
) -> int:
    """The cost of the operation that ``operation_name`` selects (0 when none matches).

    Raises:
        GraphQLError: a ``first`` above ``max_page_size`` (``BAD_USER_INPUT``).
    """
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return 0  # graphql-core refuses the request
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _Walk(schema, fragments, variables or {}, default_page_size, max_page_size)
    return walk.selection(root, operation.selection_set, frozenset())
