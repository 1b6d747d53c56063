"""Field policies as data: role × sensitivity class → allow / mask / deny, with overrides.

The city's policy is a TOML file (``default_policy.toml`` beside this module) that a
security reviewer can read. It is validated against the schema's field catalogue when the
service starts; decisions are computed once per (roles, purpose) and reused.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citybrain.auth.roles import Role
from citybrain.auth.sensitivity import Decision, Sensitivity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["DEFAULT_POLICY_FILE", "FieldPolicy", "Override", "PolicyError", "load_policy"]

DEFAULT_POLICY_FILE = Path(__file__).with_name("default_policy.toml")
_STRENGTH = {Decision.DENY: 0, Decision.MASK: 1, Decision.ALLOW: 2}

Catalogue = dict[str, Sensitivity]
"""``"Type.field"`` -> sensitivity class, for every field of the graph."""


class PolicyError(ValueError):
    """The policy file is wrong; the message names the rule and how to fix it."""


@dataclass(frozen=True, slots=True)
class Override:
    """A per-field rule that wins over the class rule for its roles.

    Args:
        roles: the roles it applies to.
        fields: ``Type.field`` names, or ``Type.*`` for every field of a type.
        decision: allow, mask or deny.
        purposes: when not empty, the rule holds only for a request that declares one of
            these purposes (``X-Purpose``) and whose token grants it.
    """

    roles: frozenset[str]
    fields: tuple[str, ...]
    decision: Decision
    purposes: frozenset[str] = frozenset()

    def names(self, role: str, name: str) -> bool:
        """Whether the rule speaks of ``name`` for ``role`` (whatever the purpose)."""
        return role in self.roles and any(
            p == name or (p.endswith(".*") and name.startswith(p[:-1])) for p in self.fields
        )

    def matches(self, role: str, name: str, purpose: str | None) -> int:
        """How specifically the rule names ``name`` for ``role`` (0: it does not apply)."""
        if role not in self.roles or (self.purposes and purpose not in self.purposes):
            return 0
        best = 0
        for pattern in self.fields:
            if pattern == name:
                best = max(best, 2)
            elif pattern.endswith(".*") and name.startswith(pattern[:-1]):
                best = max(best, 1)
        return best


@dataclass(slots=True)
class FieldPolicy:
    """Role × class rules plus overrides, checked against the field catalogue."""

    classes: dict[str, dict[Sensitivity, Decision]]
    overrides: list[Override]
    catalogue: Catalogue
    masked_fields: frozenset[str]
    _cache: dict[tuple[frozenset[str], str | None], dict[str, Decision]] = field(
        default_factory=dict
    )

    def decide(self, roles: Iterable[str], name: str, purpose: str | None = None) -> Decision:
        """The decision on field ``name`` for a caller with ``roles`` and ``purpose``.

        The most permissive of the caller's roles wins. For each role, the most specific
        applicable override wins over the class rule; with neither, a personal or
        sensitive field is denied, a public one allowed, an internal one denied.
        """
        best = Decision.DENY
        level = self.catalogue[name]
        for role in roles:
            rules = [(o.matches(role, name, purpose), o) for o in self.overrides]
            specific = max((m for m, _ in rules), default=0)
            if specific:
                decision = next(o.decision for m, o in rules if m == specific)
            else:
                fallback = Decision.ALLOW if level is Sensitivity.PUBLIC else Decision.DENY
                decision = self.classes.get(role, {}).get(level, fallback)
            if decision is Decision.MASK and name not in self.masked_fields:
                decision = Decision.DENY  # no masked form: withheld
            if _STRENGTH[decision] > _STRENGTH[best]:
                best = decision
        return best

    def decisions(self, roles: frozenset[str], purpose: str | None) -> dict[str, Decision]:
        """Every field's decision for this caller, computed once per (roles, purpose)."""
        key = (roles, purpose)
        found = self._cache.get(key)
        if found is None:
            found = {name: self.decide(roles, name, purpose) for name in self.catalogue}
            self._cache[key] = found
        return found

    def unruled(self) -> list[tuple[str, str]]:
        """(role, field) pairs where a personal or sensitive field has no rule at all.

        Such a field is denied at request time (default deny); ``citybrain policy check``
        lists them and a production start refuses while any exists.
        """
        missing = []
        for role in Role:
            rules = self.classes.get(role.value, {})
            for name, level in self.catalogue.items():
                if not level.is_personal or level in rules:
                    continue
                if not any(o.names(role.value, name) for o in self.overrides):
                    missing.append((role.value, name))
        return missing


def _decision(value: Any, where: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        raise PolicyError(f"{where}: decision {value!r} is not one of allow, mask, deny") from None


def _parse_classes(raw: Mapping[str, Any]) -> dict[str, dict[Sensitivity, Decision]]:
    known = {r.value for r in Role}
    classes: dict[str, dict[Sensitivity, Decision]] = {}
    for role, rules in raw.items():
        if role not in known:
            raise PolicyError(
                f"[roles.{role}]: unknown role; the roles are {', '.join(sorted(known))}"
            )
        parsed: dict[Sensitivity, Decision] = {}
        for level, value in rules.items():
            if level not in {s.value for s in Sensitivity}:
                raise PolicyError(
                    f"[roles.{role}]: unknown class {level!r}; the classes are "
                    "public, internal, personal, sensitive"
                )
            parsed[Sensitivity(level)] = _decision(value, f"[roles.{role}] {level}")
        classes[role] = parsed
    return classes


def _parse_override(index: int, raw: Mapping[str, Any], catalogue: Catalogue) -> Override:
    where = f"overrides[{index}]"
    known = {r.value for r in Role}
    roles = frozenset(raw.get("roles", []))
    if not roles or roles - known:
        raise PolicyError(f"{where}: roles {sorted(roles - known) or '[]'} are not known roles")
    types = {name.split(".", 1)[0] for name in catalogue}
    for pattern in raw.get("fields", []):
        type_name, _, field_name = pattern.partition(".")
        if type_name not in types:
            raise PolicyError(f"{where}: unknown type {type_name!r} in {pattern!r}")
        if field_name != "*" and pattern not in catalogue:
            raise PolicyError(
                f"{where}: {type_name} has no field {field_name!r}; fields are "
                + ", ".join(n.split(".", 1)[1] for n in catalogue if n.startswith(type_name + "."))
            )
    if not raw.get("fields"):
        raise PolicyError(f"{where}: name at least one field (Type.field or Type.*)")
    return Override(
        roles=roles,
        fields=tuple(raw["fields"]),
        decision=_decision(raw.get("decision"), where),
        purposes=frozenset(raw.get("purposes", [])),
    )


def load_policy(
    catalogue: Catalogue, masked_fields: Iterable[str], path: Path | None = None
) -> FieldPolicy:
    """Read and validate a policy file against the schema's field catalogue.

    Args:
        catalogue: ``"Type.field"`` -> class, for every field of the schema.
        masked_fields: the fields that have a masked form.
        path: the TOML file (the city's default policy when omitted).
    """
    source = path or DEFAULT_POLICY_FILE
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"cannot read policy file {source}: {exc}") from None
    unknown = set(raw) - {"roles", "overrides"}
    if unknown:
        raise PolicyError(
            f"{source}: unknown sections {sorted(unknown)}; use [roles.*], [[overrides]]"
        )
    return FieldPolicy(
        classes=_parse_classes(raw.get("roles", {})),
        overrides=[
            _parse_override(i, o, catalogue) for i, o in enumerate(raw.get("overrides", []))
        ],
        catalogue=catalogue,
        masked_fields=frozenset(masked_fields),
    )
