"""The request limits of the service, taken once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citybrain.settings import Settings

__all__ = ["Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may ask for. Defaults match :class:`~citybrain.settings.Settings`.

    Args:
        max_document_chars: characters of a GraphQL document.
        max_tokens: lexical tokens of a document (the parser stops at the next one).
        max_depth: nesting of fields (introspection fields not counted).
        max_aliases: aliased fields in a document.
        max_directives: directives used in a document.
        max_root_fields: fields selected at the root of an operation.
        max_cost: the cost budget of a caller without a role budget.
        cost_budgets: role -> cost budget; a caller gets the largest of its roles'.
        measure_only: log what the cost limit would refuse instead of refusing it.
        default_page_size: ``first`` when a list field is given none.
        max_page_size: largest ``first`` accepted.
        introspection: whether ``__schema`` and ``__type`` may be asked for.
        introspection_roles: roles that may introspect even when ``introspection`` is off
            (production with GraphiQL on: the analysts it is shown to).
        suggestions: whether validation errors suggest field names ("Did you mean …?").
    """

    max_document_chars: int = 15_000
    max_tokens: int = 1_000
    max_depth: int = 12
    max_aliases: int = 15
    max_directives: int = 50
    max_root_fields: int = 20
    max_cost: int = 50_000
    cost_budgets: dict[str, int] = field(default_factory=dict)
    measure_only: bool = False
    default_page_size: int = 20
    max_page_size: int = 100
    introspection: bool = True
    introspection_roles: frozenset[str] = frozenset()
    suggestions: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits a service with these settings enforces (the profile decides the rest)."""
        production = settings.profile == "production"
        introspection = settings.introspection
        graphiql_analysts = production and settings.graphiql and introspection is None
        return cls(
            max_document_chars=settings.max_document_chars,
            max_tokens=settings.max_tokens,
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_directives=settings.max_directives,
            max_root_fields=settings.max_root_fields,
            max_cost=settings.max_cost,
            cost_budgets=dict(settings.cost_budgets),
            measure_only=settings.cost_mode == "measure",
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
            introspection=(not production) if introspection is None else introspection,
            introspection_roles=frozenset({"analyst"}) if graphiql_analysts else frozenset(),
            suggestions=not production,
        )

    def budget(self, roles: frozenset[str]) -> int:
        """The cost budget of a caller holding ``roles`` (the largest of its roles' budgets)."""
        budgets = [self.cost_budgets[r] for r in roles if r in self.cost_budgets]
        return max(budgets) if budgets else self.max_cost
