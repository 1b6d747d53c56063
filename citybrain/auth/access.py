"""Per-request access state: field decisions, row scope, and what the audit will record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from citybrain.auth.jurisdiction import scope_for
from citybrain.auth.sensitivity import Decision

if TYPE_CHECKING:
    from collections.abc import Mapping

    from citybrain.auth.jurisdiction import RowScope
    from citybrain.auth.policy import FieldPolicy
    from citybrain.auth.principal import Principal

__all__ = ["AUDIT_UNAVAILABLE", "FORBIDDEN", "Access", "forbidden"]

FORBIDDEN = "FORBIDDEN"
AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE"


def forbidden(name: str) -> GraphQLError:
    """The error of a denied field (the path is added by the executor)."""
    return GraphQLError(
        f"{name} is not available to your role or purpose",
        extensions={"code": FORBIDDEN, "field": name},
    )


@dataclass(slots=True)
class Access:
    """What one request may see, and a note of every personal field it was served or denied.

    Args:
        principal: the caller.
        decisions: ``"Type.field"`` -> decision, precomputed for the caller.
        scope: the rows the caller may see.
        audit_ready: False when the audit store cannot be written: personal fields then
            fail closed with ``AUDIT_UNAVAILABLE``.
    """

    principal: Principal
    decisions: Mapping[str, Decision]
    scope: RowScope
    audit_ready: bool = True
    entities: dict[tuple[str, str], dict[str, Decision]] = field(default_factory=dict)
    masked_paths: list[Any] = field(default_factory=list)
    """graphql-core ``Path`` objects of the masked values (``masked()`` lists them)."""

    @classmethod
    def for_principal(
        cls, principal: Principal, policy: FieldPolicy, *, audit_ready: bool = True
    ) -> Access:
        """The access state of a request by ``principal`` under ``policy``."""
        roles = frozenset(r.value for r in principal.roles)
        return cls(
            principal=principal,
            decisions=policy.decisions(roles, principal.purpose),
            scope=scope_for(principal),
            audit_ready=audit_ready,
        )

    def masked(self) -> list[list[str | int]]:
        """The response paths of every masked value, for ``extensions.masked``."""
        return [path.as_list() for path in self.masked_paths]

    def take_batch(self) -> Access:
        """The entities noted so far, as an access of their own; this one starts empty.

        A WebSocket connection shares one access between its operations: taking the batch
        before awaiting the audit store keeps a concurrent operation's notes from being
        cleared unwritten.
        """
        batch = dataclasses.replace(self, entities=self.entities, masked_paths=[])
        self.entities = {}
        return batch

    def note(self, entity_type: str, key: Any, field_name: str, decision: Decision) -> None:
        """Remember that ``field_name`` of one entity was served or denied (for the audit)."""
        self.entities.setdefault((entity_type, str(key)), {})[field_name] = decision

    def reads_any(self, type_name: str) -> bool:
        """Whether the policy allows or masks at least one field of ``type_name`` for the
        caller (e.g. ``"Person"``: False for roles that read no personal data)."""
        prefix = f"{type_name}."
        return any(
            decision is not Decision.DENY
            for name, decision in self.decisions.items()
            if name.startswith(prefix)
        )

    def require_reader(self, type_name: str, name: str, key: str | None = None) -> None:
        """Refuse a lookup of ``type_name`` entities by a caller who may read none of its fields.

        Such a caller would learn nothing from the entity but whether it exists (whether an ID
        number belongs to a resident): the lookup is refused before any row is read, with the
        same answer for a key that exists and one that does not. With ``key``, the attempt is
        noted for the request's audit (decision ``deny``).

        Raises:
            GraphQLError: ``FORBIDDEN``, naming ``name`` (e.g. ``"Query.person"``).
        """
        if self.reads_any(type_name):
            return
        if key is not None:
            self.note(type_name, key, "lookup", Decision.DENY)
        raise forbidden(name)
