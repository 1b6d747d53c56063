"""Builds the one schema of the service, with parser and validation caches on."""

from __future__ import annotations

import hashlib
import logging
import traceback
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.types import Info  # noqa: TC002 - read by strawberry at schema build

from citybrain.errors import INTERNAL_SERVER_ERROR
from citybrain.limits import (
    CachedValidation,
    CostLimit,
    LimitedParsing,
    Limits,
    introspecting_rules,
    register_field_cost,
    validation_rules,
)
from citybrain.observability.requests import note_operation
from citybrain.schema.base import Entity
from citybrain.schema.civil_affairs import Person
from citybrain.schema.connection_rules import ConnectionRules
from citybrain.schema.directives import classify_fields
from citybrain.schema.execution import LeafFastExecutionContext
from citybrain.schema.fast_paths import install_fast_paths, install_plain_leaves
from citybrain.schema.grid import Grid, GridEvent
from citybrain.schema.health import Place
from citybrain.schema.query import Query
from citybrain.schema.screening import FIELD_COST_RULES, SCREENING_TYPES
from citybrain.schema.statistics import STATISTICS_TYPES
from citybrain.schema.stream_audit import StreamAudit
from citybrain.schema.subscription import Subscription
from citybrain.schema.workflow import Mutation

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from graphql import GraphQLError
    from strawberry.types import ExecutionContext

    from citybrain.limits import FieldCostRule

__all__ = ["CitySchema", "build_schema", "schema_sdl"]

logger = logging.getLogger("citybrain.errors")

# Importing the schema modules above defined every entity type.
ENTITY_TYPES: tuple[type[Entity], ...] = tuple(Entity.__subclasses__())


def _unexpected(error: GraphQLError) -> bool:
    """An error we did not raise on purpose (no ``extensions.code``) and not a query error."""
    return not (error.extensions or {}).get("code") and error.original_error is not None


class MaskUnexpectedErrors(MaskErrors):
    """Replace an unexpected error's message (it may hold SQL or data) with a plain one."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_SERVER_ERROR}
        return masked


class OperationHash(SchemaExtension):
    """Note the operation's hash (SHA-256 of its text) in the context, for the audit."""

    def on_operation(self) -> Iterator[None]:
        self._note()  # before execution too: mutations audit what they do as they do it
        yield
        note_operation(self.execution_context.operation_name)  # known once parsed
        self._note()

    def _note(self) -> None:
        context = self.execution_context.context
        if hasattr(context, "operation_hash"):
            query = self.execution_context.query or ""
            context.operation_hash = hashlib.sha256(query.encode("utf-8")).hexdigest()


class CitySchema(strawberry.federation.Schema):
    """The federated schema, logging only unexpected errors, and never their messages.

    Expected errors (bad input, not found, a department down) carry a code and are the
    client's business. An unexpected one is logged with its type, path and stack frames,
    but not its message, which may quote SQL parameters such as ID numbers.
    """

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        # strawberry pops `__typename` from each representation; two `_entities` fields
        # sharing one variable would then see it gone. Each gets its own copies.
        copies = [FederationAny(dict(r)) if isinstance(r, dict) else r for r in representations]
        return super().entities_resolver(info, copies)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            cause = error.original_error
            if cause is None or not _unexpected(error):
                continue
            frames = "".join(traceback.format_tb(cause.__traceback__))
            logger.error(
                "unexpected %s at %s\n%s", type(cause).__name__, error.path, frames.rstrip()
            )


def _by_arguments(rule: Callable[[Mapping[str, Any]], int]) -> FieldCostRule:
    """A batch field's cost: by its arguments (the IDs submitted), not by its selection."""

    def cost(arguments: Mapping[str, Any], _item: int) -> int:
        return rule(arguments)

    return cost


def build_schema(*, policies: bool = True, limits: Limits | None = None) -> CitySchema:
    """The federated schema (Apollo Federation v2 subgraph: ``_service``, ``_entities``).

    Args:
        policies: check field policies and note personal fields for the audit (the
            service always does; benchmarks switch it off to measure what it costs).
        limits: document, shape and cost limits (the settings' defaults when omitted).
    """
    classify_fields((*ENTITY_TYPES, *STATISTICS_TYPES, *SCREENING_TYPES))
    for coordinate, rule in FIELD_COST_RULES.items():
        register_field_cost(coordinate, _by_arguments(rule))
    limits = limits or Limits()
    # Built once: the validation cache is keyed by the rules.
    rules = validation_rules(limits)
    introspecting = introspecting_rules(limits) if limits.introspection_roles else ()
    schema = CitySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Person, Place, Grid, GridEvent],
        extensions=[
            OperationHash,
            StreamAudit,
            ConnectionRules,
            lambda: LimitedParsing(limits),
            lambda: CachedValidation(
                rules,
                suggestions=limits.suggestions,
                introspecting=introspecting,
                introspection_roles=limits.introspection_roles,
            ),
            lambda: CostLimit(limits),
            lambda: MaskUnexpectedErrors(
                should_mask_error=_unexpected,
                error_message="internal error: the operators have been told",
            ),
        ],
        federation_version="2.11",
        execution_context_class=LeafFastExecutionContext,
    )
    install_fast_paths(schema._schema, guarded=policies)
    install_plain_leaves(schema._schema, ("ScreeningResult",))
    return schema


def schema_sdl() -> str:
    """The printed SDL, as committed in ``schema.graphql``."""
    return build_schema().as_str() + "\n"
