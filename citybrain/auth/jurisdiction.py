"""Which rows a caller may see: jurisdiction filters pushed into department queries.

A principal's jurisdiction is a region code prefix (district 6, street 9, community 12 or
grid 15 digits) or, for a citizen, their own ID number. Lists are filtered inside the
department's query; an entity fetched by key is checked again, and one outside the
jurisdiction is answered exactly like a key that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citybrain.auth.roles import Role
from citybrain.connectors import Filter

if TYPE_CHECKING:
    from citybrain.auth.principal import Principal
    from citybrain.connectors import Row

__all__ = ["NOTHING", "RowScope", "scope_for"]

NOTHING: None = None
"""``filters()`` answer for an entity the caller may not list at all."""

# entity -> (column holding the person's ID number, column holding a region code)
_SCOPED: dict[str, tuple[str | None, str | None]] = {
    "person": ("id_number", "home_grid_code"),
    "household": (None, "grid_code"),
    "grid_event": ("reporter_id_number", "grid_code"),
    "place_scan": ("id_number", None),
    "health_code": ("id_number", None),
    "vaccination": ("id_number", None),
    "nucleic_acid_test": ("id_number", None),
    "elderly_care": ("id_number", None),
    "subsidy": ("id_number", None),
    "driver": ("id_number", None),
    "vehicle": ("owner_id_number", None),
    "violation": ("id_number", None),
    "grid_worker": (None, "grid_code"),
}

# Roles bound to a region: without a jurisdiction in their token they see no rows.
_REGIONAL = frozenset({Role.GRID_WORKER, Role.STREET_OFFICER, Role.DISTRICT_OFFICER})


@dataclass(frozen=True, slots=True)
class RowScope:
    """The rows one caller may see, entity by entity.

    ``city_wide`` callers (department officers, analysts) see every row, subject to field
    policy; ``own_id`` is a citizen's own ID number; ``region`` a region code prefix.
    """

    city_wide: bool
    own_id: str | None = None
    region: str | None = None

    def filters(self, entity: str) -> list[Filter] | None:
        """Conditions to add to a list query of ``entity``; None when nothing is visible."""
        columns = _SCOPED.get(entity)
        if columns is None or self.city_wide:
            return []
        person_column, region_column = columns
        if self.own_id is not None and person_column is not None:
            return [Filter(person_column, "eq", self.own_id)]
        if self.region is not None and region_column is not None:
            return [Filter(region_column, "prefix", self.region)]
        return NOTHING

    def visible(self, entity: str, row: Row) -> bool:
        """Whether a row fetched by key is within the jurisdiction."""
        found = self.filters(entity)
        if found is None:
            return False
        return all(_holds(f, row) for f in found)


def _holds(condition: Filter, row: Row) -> bool:
    value: Any = row.get(condition.column)
    if condition.op == "eq":
        return bool(value == condition.value)
    if condition.op == "prefix":
        return isinstance(value, str) and value.startswith(condition.value)
    raise ValueError(f"jurisdiction filters use eq or prefix, not {condition.op!r}")


def scope_for(principal: Principal) -> RowScope:
    """The row scope of a caller: their own records, their region, or the whole city."""
    roles = principal.roles
    if Role.CITIZEN in roles and len(roles) == 1:
        return RowScope(city_wide=False, own_id=principal.jurisdiction)
    if not roles or roles == {Role.ANONYMOUS}:
        return RowScope(city_wide=False)
    if principal.jurisdiction:
        return RowScope(city_wide=False, region=principal.jurisdiction)
    if roles & _REGIONAL:
        return RowScope(city_wide=False)
    return RowScope(city_wide=True)
