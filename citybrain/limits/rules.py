"""Validation rules for the shape limits: depth, aliases, directives, root fields.

The rules are built once, when the schema is built (:func:`limit_rules`), so that the
validation cache keyed by the rule tuple keeps working: rules built per request would
make every request a cache miss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationRule,
)
from graphql.language import Visitor

from citybrain.limits.codes import (
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    TOO_MANY_DIRECTIVES,
    TOO_MANY_ROOT_FIELDS,
)

if TYPE_CHECKING:
    from graphql import DocumentNode, SelectionSetNode

    from citybrain.limits.settings import Limits

__all__ = ["limit_rules", "root_field_names", "selection_depth"]


def selection_depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    """How deeply fields nest under ``selection_set`` (``__``-fields not counted).

    Fragment spreads are followed once per path, so a fragment cycle ends (the cycle itself
    is refused by the standard ``NoFragmentCycles`` rule).
    """
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            depth = 1 + selection_depth(selection.selection_set, fragments, seen)
        elif isinstance(selection, InlineFragmentNode):
            depth = selection_depth(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            depth = selection_depth(fragment.selection_set, fragments, seen | {name})
        else:  # pragma: no cover - no other selection kinds exist
            continue
        deepest = max(deepest, depth)
    return deepest


def root_field_names(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The fields selected at this level, through inline fragments and fragment spreads."""
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(root_field_names(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                found.extend(root_field_names(fragment.selection_set, fragments, seen | {name}))
    return found


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.aliases += 1

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.directives += 1


def _check(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Every limit ``document`` breaks, as errors with their codes."""
    from graphql.language import visit

    errors: list[GraphQLError] = []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        depth = selection_depth(operation.selection_set, fragments)
        if depth > limits.max_depth:
            errors.append(
                GraphQLError(
                    f"the operation nests {depth} fields deep, more than the "
                    f"{limits.max_depth} allowed; ask in several queries",
                    operation,
                    extensions={"code": QUERY_TOO_DEEP, "depth": depth},
                )
            )
        roots = [
            f
            for f in root_field_names(operation.selection_set, fragments)
            if f.name.value != "__typename"
        ]
        if len(roots) > limits.max_root_fields:
            errors.append(
                GraphQLError(
                    f"the operation selects {len(roots)} root fields, more than the "
                    f"{limits.max_root_fields} allowed",
                    operation,
                    extensions={"code": TOO_MANY_ROOT_FIELDS},
                )
            )
    counter = _Counter()
    visit(document, counter)
    if counter.aliases > limits.max_aliases:
        errors.append(
            GraphQLError(
                f"the document uses {counter.aliases} aliases, more than the "
                f"{limits.max_aliases} allowed",
                extensions={"code": TOO_MANY_ALIASES},
            )
        )
    if counter.directives > limits.max_directives:
        errors.append(
            GraphQLError(
                f"the document uses {counter.directives} directives, more than the "
                f"{limits.max_directives} allowed",
                extensions={"code": TOO_MANY_DIRECTIVES},
            )
        )
    return errors


def limit_rules(limits: Limits) -> tuple[type[ValidationRule], ...]:
    """The validation rules enforcing ``limits``: build them once, at schema build."""

    class DocumentShapeLimits(ValidationRule):
        """Depth, root fields, aliases and directives within the service's limits."""

        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            for error in _check(node, limits):
                self.report_error(error)
            return self.SKIP

    rules: list[type[ValidationRule]] = [DocumentShapeLimits]
    if not limits.introspection:
        from graphql.validation import NoSchemaIntrospectionCustomRule

        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)
