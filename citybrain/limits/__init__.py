"""Limits on what one operation may ask for: shape, size and cost, checked before it runs.

:class:`Limits` holds the numbers (from the settings); :func:`validation_rules` builds the
shape rules once; :func:`register_field_cost` lets a field declare its own cost rule.
"""

from __future__ import annotations

from citybrain.limits.codes import (
    DOCUMENT_TOO_LARGE,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_COMPLEX,
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    TOO_MANY_DIRECTIVES,
    TOO_MANY_ROOT_FIELDS,
    TOO_MANY_TOKENS,
)
from citybrain.limits.cost import (
    FieldCostRule,
    field_cost_rules,
    operation_cost,
    register_field_cost,
)
from citybrain.limits.document import DocumentRefused, parse_document
from citybrain.limits.extensions import (
    CachedValidation,
    CostLimit,
    LimitedParsing,
    introspecting_rules,
    validation_rules,
)
from citybrain.limits.settings import Limits

__all__ = [
    "DOCUMENT_TOO_LARGE",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_DIRECTIVES",
    "TOO_MANY_ROOT_FIELDS",
    "TOO_MANY_TOKENS",
    "CachedValidation",
    "CostLimit",
    "DocumentRefused",
    "FieldCostRule",
    "LimitedParsing",
    "Limits",
    "field_cost_rules",
    "introspecting_rules",
    "operation_cost",
    "parse_document",
    "register_field_cost",
    "validation_rules",
]
