"""Which field of which type follows which key into which department.

Cross-department joins happen here, in the graph, by shared keys (ID number, place code,
grid code), never in SQL. Types are named by their GraphQL name: this layer imports no
schema type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["RELATIONS", "Relation"]


@dataclass(frozen=True, slots=True)
class Relation:
    """A field whose value lives in (possibly) another department.

    Args:
        department: the department that holds the target rows.
        entity: the target entity in that department.
        key: the target column matched against the parent's ``source`` column.
        source: the parent row's column holding the key.
        target: the GraphQL type of the target, to look further ahead.
        many: a paginated list (a connection) rather than one row.
        pick_first: a single row taken from the head of an ordered list (e.g. latest test).
        owned: the target rows belong to the parent (a resident's own records): the
            parent's jurisdiction check covers them. Other targets are checked themselves.
    """

    department: str
    entity: str
    key: str
    source: str
    target: str
    many: bool = False
    pick_first: bool = False
    owned: bool = False


def _one(department: str, entity: str, key: str, source: str, target: str) -> Relation:
    return Relation(department, entity, key, source, target)


def _many(department: str, entity: str, key: str, source: str, target: str) -> Relation:
    return Relation(department, entity, key, source, target, many=True)


_PERSON = ("civil_affairs", "person", "id_number")

RELATIONS: dict[str, dict[str, Relation]] = {
    "Person": {
        "household": _one(
            "civil_affairs", "household", "household_id", "household_id", "Household"
        ),
        "elderlyCare": _one(
            "civil_affairs", "elderly_care", "id_number", "id_number", "ElderlyCare"
        ),
        "subsidies": _many("civil_affairs", "subsidy", "id_number", "id_number", "Subsidy"),
        "healthCode": _one("health", "health_code", "id_number", "id_number", "HealthCode"),
        "vaccinations": _many("health", "vaccination", "id_number", "id_number", "Vaccination"),
        "nucleicAcidTests": _many(
            "health", "nucleic_acid_test", "id_number", "id_number", "NucleicAcidTest"
        ),
        "latestNucleicAcidTest": Relation(
            "health",
            "nucleic_acid_test",
            "id_number",
            "id_number",
            "NucleicAcidTest",
            many=True,
            pick_first=True,
        ),
        "placeScans": _many("health", "place_scan", "id_number", "id_number", "PlaceScan"),
        "driverLicence": _one("transport", "driver", "id_number", "id_number", "DriverLicence"),
        "vehicles": _many("transport", "vehicle", "owner_id_number", "id_number", "Vehicle"),
        "violations": _many("transport", "violation", "id_number", "id_number", "Violation"),
        "homeGrid": _one("grid", "grid", "code", "home_grid_code", "Grid"),
        "reportedEvents": _many(
            "grid", "grid_event", "reporter_id_number", "id_number", "GridEvent"
        ),
    },
    "Household": {
        "head": _one(*_PERSON, "head_id_number", "Person"),
        "members": _many("civil_affairs", "person", "household_id", "household_id", "Person"),
        "grid": _one("grid", "grid", "code", "grid_code", "Grid"),
    },
    "Place": {
        "grid": _one("grid", "grid", "code", "grid_code", "Grid"),
        "district": _one("grid", "district", "code", "district_code", "District"),
        "scans": _many("health", "place_scan", "place_code", "place_code", "PlaceScan"),
    },
    "PlaceScan": {
        "place": _one("health", "place", "place_code", "place_code", "Place"),
        "person": _one(*_PERSON, "id_number", "Person"),
    },
    "DriverLicence": {
        "person": _one(*_PERSON, "id_number", "Person"),
        "platform": _one("transport", "platform", "code", "platform_code", "RideHailingPlatform"),
        "violations": _many("transport", "violation", "id_number", "id_number", "Violation"),
    },
    "Vehicle": {
        "owner": _one(*_PERSON, "owner_id_number", "Person"),
        "platform": _one("transport", "platform", "code", "platform_code", "RideHailingPlatform"),
        "violations": _many("transport", "violation", "plate", "plate", "Violation"),
    },
    "Violation": {
        "vehicle": _one("transport", "vehicle", "plate", "plate", "Vehicle"),
    },
    "District": {
        "streets": _many("grid", "street", "district_code", "code", "Street"),
    },
    "Street": {
        "district": _one("grid", "district", "code", "district_code", "District"),
        "communities": _many("grid", "community", "street_code", "code", "Community"),
    },
    "Community": {
        "street": _one("grid", "street", "code", "street_code", "Street"),
        "grids": _many("grid", "grid", "community_code", "code", "Grid"),
    },
    "Grid": {
        "community": _one("grid", "community", "code", "community_code", "Community"),
        "residents": _many("civil_affairs", "person", "home_grid_code", "code", "Person"),
        "households": _many("civil_affairs", "household", "grid_code", "code", "Household"),
        "places": _many("health", "place", "grid_code", "code", "Place"),
        "workers": _many("grid", "grid_worker", "grid_code", "code", "GridWorker"),
        "events": _many("grid", "grid_event", "grid_code", "code", "GridEvent"),
    },
    "GridWorker": {
        "grid": _one("grid", "grid", "code", "grid_code", "Grid"),
    },
    "EventCategory": {
        "parent": _one("grid", "event_category", "code", "parent_code", "EventCategory"),
        "subCategories": _many("grid", "event_category", "parent_code", "code", "EventCategory"),
    },
    "GridEvent": {
        "grid": _one("grid", "grid", "code", "grid_code", "Grid"),
        "category": _one("grid", "event_category", "code", "category_code", "EventCategory"),
        # Computed from the event and its category: the category row is loaded for them.
        "deadlineAt": _one("grid", "event_category", "code", "category_code", "EventCategory"),
        "overdue": _one("grid", "event_category", "code", "category_code", "EventCategory"),
        "reporter": _one(*_PERSON, "reporter_id_number", "Person"),
        "timeline": _many("grid", "event_step", "event_id", "id", "EventStep"),
        "whistles": _many("grid", "whistle", "event_id", "id", "Whistle"),
    },
    "Whistle": {
        "street": _one("grid", "street", "code", "street_code", "Street"),
    },
    "GridEventUpdate": {
        "event": _one("grid", "grid_event", "id", "event_id", "GridEvent"),
        "step": _one("grid", "event_step", "id", "step_id", "EventStep"),
    },
}

# A resident's own records are reached only through the resident, whose row is checked.
RELATIONS["Person"] = {name: replace(r, owned=True) for name, r in RELATIONS["Person"].items()}
