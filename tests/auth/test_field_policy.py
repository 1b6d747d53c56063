"""Every cell of the policy matrix, enforced through HTTP: value, mask, or null + FORBIDDEN."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.auth.audit import AuditFilter, AuditStore
from citybrain.auth.masking import mask_address, mask_id_number, mask_name, mask_phone
from citybrain.auth.policy import load_policy
from citybrain.auth.roles import Role
from citybrain.auth.sensitivity import Decision
from citybrain.schema import field_catalogue, maskable_fields
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER

if TYPE_CHECKING:
    from tests.city import GraphClient

POLICY = load_policy(field_catalogue(), maskable_fields())

# The demo resident, reached by every role that may reach them: each row is a role, the
# jurisdiction its token carries, and the purpose it declares.
CALLERS: list[tuple[Role, str | None, str | None]] = [
    (Role.CITIZEN, DEMO_ID_NUMBER, None),
    (Role.GRID_WORKER, DEMO_GRID_CODE, None),
    (Role.GRID_WORKER, DEMO_GRID_CODE, "epidemic-control"),
    (Role.STREET_OFFICER, DEMO_GRID_CODE[:9], None),
    (Role.DISTRICT_OFFICER, DEMO_GRID_CODE[:6], None),
    (Role.HEALTH_OFFICER, None, None),
    (Role.CIVIL_AFFAIRS_OFFICER, None, None),
    (Role.TRANSPORT_OFFICER, None, None),
]

# Roles whose policy grants no field of a Person (neither allow nor mask): they may not look
# a resident up at all, so they cannot test whether an ID number belongs to one.
NON_READERS: list[tuple[Role | None, str | None]] = [
    (None, None),  # anonymous
    (Role.ANALYST, None),
    (Role.AUDITOR, None),
    (Role.ADMIN, None),
    (Role.VERIFIER, None),
]
UNKNOWN_ID_NUMBER = "11010519491231002X"  # valid (GB 11643), not a resident of the city

SCALARS = [
    "idNumber",
    "name",
    "gender",
    "birthDate",
    "phone",
    "address",
    "residentType",
    "householdId",
    "homeGridCode",
]
OBJECTS = {
    "healthCode": "healthCode { color reason updatedAt }",
    "elderlyCare": "elderlyCare { careLevel }",
    "latestNucleicAcidTest": "latestNucleicAcidTest { result sampledAt }",
    "vaccinations": "vaccinations(first: 1) { edges { node { vaccine dose } } }",
    "nucleicAcidTests": "nucleicAcidTests(first: 1) { edges { node { result } } }",
    "placeScans": "placeScans(first: 1) { edges { node { scannedAt } } }",
    "subsidies": "subsidies(first: 1) { edges { node { programme amount } } }",
    "driverLicence": "driverLicence { licenceNumber status }",
    "vehicles": "vehicles(first: 1) { edges { node { plate } } }",
    "violations": "violations(first: 1) { edges { node { kind } } }",
    "household": "household { householdId }",
    "homeGrid": "homeGrid { code }",
    "reportedEvents": "reportedEvents(first: 1) { edges { node { id } } }",
}
QUERY = (
    "query($id: String!) { person(idNumber: $id) { "
    + " ".join(SCALARS)
    + " "
    + " ".join(OBJECTS.values())
    + " } }"
)
MASKERS = {
    "idNumber": mask_id_number,
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
}


def _errors_by_path(body: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(e["path"]): e for e in body.get("errors", [])}


@pytest.fixture
async def truth(graph: GraphClient) -> dict[str, Any]:
    """The demo resident as the resident sees them: every own record, unmasked."""
    body = await graph.as_role(Role.CITIZEN, DEMO_ID_NUMBER).data(QUERY, {"id": DEMO_ID_NUMBER})
    person: dict[str, Any] = body["person"]
    assert all(person[f] is not None for f in SCALARS)
    return person


@pytest.mark.parametrize(
    ("role", "jurisdiction", "purpose"), CALLERS, ids=[f"{r}-{p or 'none'}" for r, _, p in CALLERS]
)
async def test_each_cell_of_the_matrix(
    graph: GraphClient,
    truth: dict[str, Any],
    role: Role,
    jurisdiction: str | None,
    purpose: str | None,
) -> None:
    caller = graph.as_role(
        role, jurisdiction, purposes=(purpose,) if purpose else (), purpose=purpose
    )
    body = await caller.query(QUERY, {"id": DEMO_ID_NUMBER})
    person = body["data"]["person"]
    errors = _errors_by_path(body)
    assert person is not None, f"{role} within its jurisdiction sees the resident"
    assert ("person",) not in errors
    unknown = await caller.query(QUERY, {"id": UNKNOWN_ID_NUMBER})
    assert unknown == {"data": {"person": None}}, role  # a key that does not exist: null
    for name in [*SCALARS, *OBJECTS]:
        decision = POLICY.decide([role.value], f"Person.{name}", purpose)
        path = ("person", name)
        if decision is Decision.DENY:
            assert person[name] is None, (role, name)
            assert errors[path]["extensions"]["code"] == "FORBIDDEN", (role, name)
        elif decision is Decision.MASK and name in MASKERS:
            assert person[name] == MASKERS[name](truth[name]), (role, name)
            assert path not in errors
        else:  # allowed, or an object field traversed under mask
            assert path not in errors, (role, name, errors.get(path))
            if name in SCALARS:
                assert person[name] == truth[name], (role, name)
            else:
                inner = person[name]
                assert inner is not None or truth[name] is None, (role, name)


def test_decisions_that_the_city_relies_on() -> None:
    def decide(role: str, name: str, purpose: str | None = None) -> Decision:
        return POLICY.decide([role], name, purpose)

    assert decide("anonymous", "Person.name") is Decision.DENY
    assert decide("anonymous", "District.name") is Decision.ALLOW
    assert decide("citizen", "HealthCode.color") is Decision.ALLOW
    assert decide("grid_worker", "HealthCode.color") is Decision.DENY
    assert decide("grid_worker", "HealthCode.color", "epidemic-control") is Decision.ALLOW
    assert decide("grid_worker", "HealthCode.reason", "epidemic-control") is Decision.DENY
    assert decide("grid_worker", "Person.phone") is Decision.MASK
    assert decide("grid_worker", "Person.birthDate") is Decision.DENY  # no masked form
    assert decide("admin", "Person.name") is Decision.DENY
    assert decide("auditor", "Person.idNumber") is Decision.DENY
    assert decide("health_officer", "Person.idNumber") is Decision.ALLOW
    assert POLICY.decide(["grid_worker", "health_officer"], "Person.phone") is Decision.MASK
    assert POLICY.decide(["analyst", "civil_affairs_officer"], "Person.phone") is Decision.ALLOW


def _reads_no_person(role: str) -> bool:
    names = [name for name in POLICY.catalogue if name.startswith("Person.")]
    return all(POLICY.decide([role], name, None) is Decision.DENY for name in names)


def test_the_roles_that_read_no_person_are_those_refused_lookups() -> None:
    refused = {r.value for r in Role if _reads_no_person(r.value)}
    assert refused == {(r or Role.ANONYMOUS).value for r, _ in NON_READERS}
    assert not refused & {r.value for r, _, _ in CALLERS}


LOOKUPS = {
    "person": ("query($id: String!) { person(idNumber: $id) { __typename } }", "Query.person"),
    "entities": (
        "query($id: _Any!) { _entities(representations: [$id]) { __typename ... on Person "
        "{ idNumber } } }",
        "_entities(Person)",
    ),
    "persons": (
        "query($grid: String!) { persons(gridCode: $grid, first: 1) { edges { node { "
        "__typename } } } }",
        "Query.persons",
    ),
}


@pytest.mark.parametrize(
    ("role", "jurisdiction"), NON_READERS, ids=[(r or Role.ANONYMOUS).value for r, _ in NON_READERS]
)
async def test_roles_that_read_no_person_learn_nothing_of_residents(
    graph: GraphClient, role: Role | None, jurisdiction: str | None
) -> None:
    caller = graph.as_role(role, jurisdiction)
    for lookup, (query, name) in LOOKUPS.items():
        answers = []
        for id_number in (DEMO_ID_NUMBER, UNKNOWN_ID_NUMBER):
            if lookup == "entities":
                variables: dict[str, Any] = {"id": {"__typename": "Person", "idNumber": id_number}}
            elif lookup == "persons":  # the resident's grid, and a grid of nobody
                variables = {
                    "grid": DEMO_GRID_CODE if id_number == DEMO_ID_NUMBER else "120101999999999"
                }
            else:
                variables = {"id": id_number}
            body = await caller.query(query, variables)
            (error,) = body["errors"]
            assert error["extensions"] == {"code": "FORBIDDEN", "field": name}, (role, lookup)
            answers.append(body)
        resident, nobody = answers
        assert resident == nobody, (role, lookup)  # not a bit of difference
        assert resident["data"] in ({"person": None}, {"_entities": [None]}, None), (role, lookup)


async def test_a_refused_lookup_is_audited_alike_for_residents_and_others(
    graph: GraphClient,
) -> None:
    subject = f"curious-analyst-{uuid.uuid4().hex[:8]}"
    analyst = graph.as_role(Role.ANALYST, subject=subject)
    query = LOOKUPS["person"][0]
    for id_number in (DEMO_ID_NUMBER, UNKNOWN_ID_NUMBER):
        assert (await analyst.query(query, {"id": id_number}))["data"] == {"person": None}
    store = AuditStore.from_settings(graph.settings)
    try:
        page = await store.query(AuditFilter(subject=subject), first=10)
    finally:
        await store.close()
    noted = {(e.record.entity_type, e.record.entity_key, e.record.fields) for e in page.entries}
    assert noted == {
        ("Person", DEMO_ID_NUMBER, (("lookup", "deny"),)),
        ("Person", UNKNOWN_ID_NUMBER, (("lookup", "deny"),)),
    }
