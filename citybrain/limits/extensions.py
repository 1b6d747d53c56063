"""Schema extensions enforcing the limits on every operation, whatever its transport.

- :class:`LimitedParsing` parses within the character and token limits (cached), or
  takes the document the HTTP layer parsed already;
- :class:`CachedValidation` validates with the rules built once at schema build (the
  standard rules, the shape limits, no introspection in production), cached per document,
  with suggestions hidden in production;
- :class:`CostLimit` refuses (or, measuring only, logs) an operation over its caller's
  cost budget before anything runs.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, get_operation_ast, specified_rules, validate
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from citybrain.errors import BAD_USER_INPUT
from citybrain.limits.codes import GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX
from citybrain.limits.cost import operation_cost
from citybrain.limits.document import parse_document
from citybrain.limits.rules import limit_rules

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graphql import DocumentNode, GraphQLSchema, ValidationRule

    from citybrain.limits.settings import Limits

__all__ = [
    "CachedValidation",
    "CostLimit",
    "LimitedParsing",
    "introspecting_rules",
    "validation_rules",
]

logger = logging.getLogger("citybrain.limits")


def validation_rules(limits: Limits) -> tuple[type[ValidationRule], ...]:
    """Every validation rule of the service, built once for ``limits``."""
    return (
        *specified_rules,
        *limit_rules(limits),
        MaybeNullValidationRule,
        OneOfInputValidationRule,
    )


def introspecting_rules(limits: Limits) -> tuple[type[ValidationRule], ...]:
    """The rules for callers of ``limits.introspection_roles``: the same, introspection on."""
    return validation_rules(replace(limits, introspection=True))


class LimitedParsing(SchemaExtension):
    """Parse within the limits; reuse the document the HTTP layer parsed for this request."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        if execution_context.graphql_document is None:
            document = getattr(execution_context.context, "document", None)
            if document is None:
                document = parse_document(
                    execution_context.query or "",
                    max_chars=self.limits.max_document_chars,
                    max_tokens=self.limits.max_tokens,
                )
            execution_context.graphql_document = document
        yield


@lru_cache(maxsize=512)
def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    errors = validate(schema, document, rules, hide_suggestions=hide_suggestions)
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": GRAPHQL_VALIDATION_FAILED}
    return errors


class CachedValidation(SchemaExtension):
    """Validate with rules built once, caching the outcome per document.

    Args:
        rules: the rules for every caller.
        suggestions: whether errors may suggest names.
        introspecting: rules for callers holding one of ``introspection_roles``.
        introspection_roles: roles that validate with ``introspecting``.
    """

    def __init__(
        self,
        rules: tuple[type[ValidationRule], ...],
        *,
        suggestions: bool,
        introspecting: tuple[type[ValidationRule], ...] = (),
        introspection_roles: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.rules = rules
        self.hide_suggestions = not suggestions
        self.introspecting = introspecting
        self.introspection_roles = introspection_roles

    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        assert execution_context.graphql_document is not None  # noqa: S101 - parsed before
        rules = self.rules
        if self.introspection_roles and self.introspection_roles & _roles(
            execution_context.context
        ):
            rules = self.introspecting
        errors = _validate(
            execution_context.schema._schema,
            execution_context.graphql_document,
            rules,
            self.hide_suggestions,
        )
        execution_context.pre_execution_errors = list(errors)
        yield


def _coerced_variables(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """The operation's variables, coerced as execution will; a bad one is BAD_USER_INPUT.

    Coercing here, before execution, gives the cost limit real values for ``first`` and
    gives a wrong variable its code (graphql-core's own error has none, so it would be
    masked as an internal error).
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None or not operation.variable_definitions:
        return variables
    coerced = get_variable_values(
        schema, operation.variable_definitions, variables or {}, max_errors=5
    )
    if isinstance(coerced, list):
        first = coerced[0]
        raise GraphQLError(first.message, first.nodes, extensions={"code": BAD_USER_INPUT})
    return coerced.coerced


def _roles(context: Any) -> frozenset[str]:
    principal = getattr(context, "principal", None)
    roles = getattr(principal, "roles", None) or ()
    return frozenset(str(role) for role in roles) or frozenset({"anonymous"})


class CostLimit(SchemaExtension):
    """Refuse an operation over its caller's cost budget (``QUERY_TOO_COMPLEX``).

    In measure-only mode the operation runs and a warning names what would have been
    refused: the operation's hash, cost and budget; never its text or variables, which
    can hold ID numbers.
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        execution_context = self.execution_context
        document = execution_context.graphql_document
        if document is not None:
            self._check(document)
        yield

    def _check(self, document: DocumentNode) -> None:
        execution_context = self.execution_context
        limits = self.limits
        schema = execution_context.schema._schema
        variables = _coerced_variables(
            schema, document, execution_context.operation_name, execution_context.variables
        )
        cost = operation_cost(
            schema,
            document,
            execution_context.operation_name,
            variables,
            default_page_size=limits.default_page_size,
            max_page_size=limits.max_page_size,
        )
        context = execution_context.context
        if context is not None and hasattr(context, "cost"):
            context.cost = cost
        budget = limits.budget(_roles(context))
        if cost <= budget:
            return
        digest = hashlib.sha256((execution_context.query or "").encode("utf-8")).hexdigest()
        if limits.measure_only:
            logger.warning(
                "cost over budget (measure-only, not refused): operation %s cost %d budget %d",
                digest,
                cost,
                budget,
            )
            return
        logger.info("refused operation %s: cost %d over budget %d", digest, cost, budget)
        raise GraphQLError(
            f"the operation would cost {cost}, more than your budget of {budget}; ask for "
            "fewer items (`first`) or nest fewer lists",
            extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "budget": budget},
        )
