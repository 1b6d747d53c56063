"""No unmasked ID number, phone or health datum outside the policy: a property test.

Random queries over the whole graph (``leak_queries``: hypothesis-graphql from the SDL,
real keys, aliases, fragments, variables) are posted as every role. The ground truth is
read straight from the small city's SQLite files: every resident's ID number and phone,
every grid worker's phone, every health datum (health-code reasons and colours, tests,
vaccinations, elderly care). A response (data, errors, extensions, and the decoded
contents of opaque cursors) may hold such a value only where the policy lets the role
see that field unmasked, and a citizen only their own; an auditor may read ID numbers as
the entity keys of the audit trail (``AuditRecord.entityKey``), which is what it is for.
The captured logs (DEBUG and up) and the standard streams must hold no 18-digit ID number
and no 11-digit mobile number, and no query may end in an unexpected (internal) error.

Dates and numbers (test times, vaccination dates, doses) cannot be told apart by value;
``test_field_policy`` checks every field's decision one by one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import json
import logging
import re
import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING, Any

import graphql
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from citybrain.auth.policy import load_policy
from citybrain.auth.roles import Role
from citybrain.auth.sensitivity import Decision
from citybrain.connectors import encode_cursor
from citybrain.schema import field_catalogue, maskable_fields, schema_sdl
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from citybrain.seed.demo import DEMO_HOUSEHOLD_ID, DEMO_PLATE
from tests.auth.leak_queries import GeneratedQuery, Keys, graph_queries, real_schema

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from citybrain.settings import Settings
    from tests.city import GraphClient

POLICY = load_policy(field_catalogue(), maskable_fields())
SERVED = real_schema()

# Every role, with the jurisdiction and purpose a real caller of it would have.
CALLERS: list[tuple[Role | None, str | None, str | None]] = [
    (None, None, None),  # anonymous: no token
    (Role.CITIZEN, DEMO_ID_NUMBER, None),
    (Role.GRID_WORKER, DEMO_GRID_CODE, None),
    (Role.GRID_WORKER, DEMO_GRID_CODE, "epidemic-control"),
    (Role.STREET_OFFICER, DEMO_GRID_CODE[:9], None),
    (Role.DISTRICT_OFFICER, DEMO_GRID_CODE[:6], None),
    (Role.HEALTH_OFFICER, None, None),
    (Role.CIVIL_AFFAIRS_OFFICER, None, None),
    (Role.TRANSPORT_OFFICER, None, None),
    (Role.ANALYST, None, None),
    (Role.AUDITOR, None, None),
    (Role.ADMIN, None, None),
    (Role.VERIFIER, None, None),
]
assert {role for role, _, _ in CALLERS} == {*Role, None} - {Role.ANONYMOUS}
EXAMPLES_PER_CALLER = 25

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
MASKED_ID_NUMBER = re.compile(r"[0-9]{6}\*{8}[0-9Xx]{4}")
MASKED_PHONE = re.compile(r"1[0-9]{2}\*{4}[0-9]{4}")
BASE64URL = re.compile(r"[A-Za-z0-9_-]{8,}={0,2}")

# Health data as text, by the field that serves it: (department file, table, column).
HEALTH_TEXT = {
    "HealthCode.reason": ("health", "health_codes", "reason"),
    "NucleicAcidTest.institution": ("health", "nucleic_acid_tests", "institution"),
    "Vaccination.vaccine": ("health", "vaccinations", "vaccine"),
    "Vaccination.site": ("health", "vaccinations", "site"),
    "ElderlyCare.provider": ("civil_affairs", "elderly_care", "provider"),
    "ElderlyCare.serviceType": ("civil_affairs", "elderly_care", "service_type"),
}
# Health data as enum values (whole strings: no other field serves these names).
HEALTH_ENUMS = {
    "HealthCode.color": ("health", "health_codes", "color"),
    "NucleicAcidTest.result": ("health", "nucleic_acid_tests", "result"),
}
# Every column holding an ID number, in any department.
ID_COLUMNS = [
    ("civil_affairs", "persons", "id_number"),
    ("civil_affairs", "households", "head_id_number"),
    ("civil_affairs", "elderly_care", "id_number"),
    ("civil_affairs", "subsidies", "id_number"),
    ("grid", "grid_workers", "id_number"),
    ("grid", "grid_events", "reporter_id_number"),
    ("health", "health_codes", "id_number"),
    ("health", "vaccinations", "id_number"),
    ("health", "nucleic_acid_tests", "id_number"),
    ("health", "place_scans", "id_number"),
    ("health", "code_shows", "id_number"),
    ("transport", "drivers", "id_number"),
    ("transport", "vehicles", "owner_id_number"),
    ("transport", "violations", "id_number"),
]
# Public and internal text: a health value found inside one of these is no secret.
INNOCENT_TABLES = [
    ("grid", "districts"),
    ("grid", "streets"),
    ("grid", "communities"),
    ("grid", "grids"),
    ("grid", "event_categories"),
    ("grid", "grid_events"),
    ("grid", "event_steps"),
    ("grid", "whistles"),
    ("health", "places"),
    ("transport", "platforms"),
]


class Secrets:
    """Sensitive values of the small city, by the field that may serve each.

    A plain class with a short repr: Hypothesis prints a failing test's arguments, and
    warns (an error here) on a huge one such as a dataclass of every ID number.
    """

    def __init__(
        self, by_field: dict[str, frozenset[str]], own: frozenset[str], health_text: re.Pattern[str]
    ) -> None:
        self.by_field = by_field
        self.own = own  # the demo resident's own values (what their citizen token may see)
        self.health_text = health_text

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}: {len(values)}" for name, values in self.by_field.items())
        return f"Secrets({counts})"

    def fields_of(self, value: str) -> list[str]:
        return [name for name, values in self.by_field.items() if value in values]


@dataclasses.dataclass(frozen=True)
class Leak:
    field: str
    value: str
    path: tuple[str | int, ...]
    how: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path)
        return f"{self.field} {self.value!r} at {where} ({self.how})"


class City:
    """Read access to the seeded SQLite files, one per department."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def rows(self, department: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        path = self.settings.data_dir / f"{department}.sqlite3"
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute(sql, params).fetchall()

    def column(self, department: str, sql: str, *params: Any) -> list[Any]:
        return [row[0] for row in self.rows(department, sql, *params)]

    def values(self, department: str, table: str, column: str, where: str = "") -> set[str]:
        sql = f"SELECT DISTINCT {column} FROM {table} {where}"  # noqa: S608 - fixed names
        return {str(v) for v in self.column(department, sql)}

    def texts(self, department: str, table: str) -> Iterator[str]:
        for row in self.rows(department, f"SELECT * FROM {table}"):  # noqa: S608
            yield from (value for value in row if isinstance(value, str))


@pytest.fixture(scope="session")
def secrets(small_city: Settings) -> Secrets:
    """Every ID number, phone and health datum of the small city, read from its files."""
    city = City(small_city)
    by_field: dict[str, frozenset[str]] = {
        "Person.idNumber": frozenset().union(*(city.values(*c) for c in ID_COLUMNS)),
        "Person.phone": frozenset(city.values("civil_affairs", "persons", "phone")),
        "GridWorker.phone": frozenset(city.values("grid", "grid_workers", "phone")),
    }
    innocent = "\n".join(
        [schema_sdl(), *(text for table in INNOCENT_TABLES for text in city.texts(*table))]
    )
    for name, source in HEALTH_TEXT.items():
        by_field[name] = frozenset(v for v in city.values(*source) if v not in innocent)
    for name, source in HEALTH_ENUMS.items():
        by_field[name] = frozenset(city.values(*source))
    assert all(by_field.values()), {name for name, values in by_field.items() if not values}

    mine = f"WHERE id_number = '{DEMO_ID_NUMBER}'"
    own = {DEMO_ID_NUMBER, *city.values("civil_affairs", "persons", "phone", mine)}
    for department, table, column in [*HEALTH_TEXT.values(), *HEALTH_ENUMS.values()]:
        own |= city.values(department, table, column, mine)
    texts = sorted(set().union(*(by_field[name] for name in HEALTH_TEXT)), key=len, reverse=True)
    return Secrets(by_field, frozenset(own), re.compile("|".join(map(re.escape, texts))))


@pytest.fixture(scope="session")
def keys(small_city: Settings) -> Keys:
    """Keys to query by: the demo resident's family, grid, street and district, and beyond."""
    city = City(small_city)
    grid, street, district = DEMO_GRID_CODE, DEMO_GRID_CODE[:9], DEMO_GRID_CODE[:6]

    def residents(where: str, *params: str, limit: int = 2) -> list[str]:
        sql = f"SELECT id_number FROM persons WHERE {where} ORDER BY id_number LIMIT {limit}"  # noqa: S608
        return city.column("civil_affairs", sql, *params)

    in_grid = city.column(
        "civil_affairs", "SELECT id_number FROM persons WHERE home_grid_code = ?", grid
    )
    family = residents("household_id = ?", DEMO_HOUSEHOLD_ID, limit=5)
    id_numbers = [
        DEMO_ID_NUMBER,
        *family,
        *residents("home_grid_code = ?", grid, limit=4),
        *residents("home_grid_code LIKE ? AND home_grid_code != ?", street + "%", grid),
        *residents(
            "home_grid_code LIKE ? AND home_grid_code NOT LIKE ?", district + "%", street + "%"
        ),
        *residents("home_grid_code NOT LIKE ?", district + "%"),
        *city.column(
            "health",
            "SELECT id_number FROM health_codes WHERE color != 'GREEN' ORDER BY id_number LIMIT 2",
        ),
        *city.column("transport", "SELECT id_number FROM drivers ORDER BY id_number LIMIT 2"),
        *sorted(set(in_grid) & set(city.column("transport", "SELECT id_number FROM drivers")))[:2],
        *sorted(set(in_grid) & set(city.column("health", "SELECT id_number FROM place_scans")))[:2],
        DEMO_ID_NUMBER[:-4] + "0000",  # no such resident
    ]
    grids = city.column("grid", "SELECT code FROM grids ORDER BY code")
    nearby = [
        next(g for g in grids if g.startswith(street) and g != grid),
        next(g for g in grids if g.startswith(district) and not g.startswith(street)),
        next(g for g in grids if not g.startswith(district)),
    ]
    places = [
        *city.column(
            "health",
            "SELECT place_code FROM places WHERE grid_code = ? ORDER BY place_code LIMIT 2",
            grid,
        ),
        *city.column(
            "health",
            "SELECT place_code FROM place_scans GROUP BY place_code ORDER BY count(*) DESC, place_code LIMIT 2",
        ),
        *city.column(
            "health",
            "SELECT place_code FROM places WHERE grid_code NOT LIKE ? ORDER BY place_code LIMIT 1",
            district + "%",
        ),
    ]
    owned = city.rows("transport", "SELECT plate, owner_id_number FROM vehicles ORDER BY plate")
    plates = [DEMO_PLATE, *[p for p, o in owned if o in in_grid][:2], *[p for p, _ in owned][:2]]
    events = [
        *city.column(
            "grid", "SELECT id FROM grid_events WHERE grid_code = ? ORDER BY id LIMIT 3", grid
        ),
        *city.column(
            "grid",
            "SELECT id FROM grid_events WHERE reporter_id_number = ? ORDER BY id LIMIT 2",
            DEMO_ID_NUMBER,
        ),
        *city.column(
            "grid",
            "SELECT id FROM grid_events WHERE grid_code NOT LIKE ? ORDER BY id LIMIT 2",
            district + "%",
        ),
    ]
    categories = city.column(
        "grid", "SELECT code FROM event_categories ORDER BY parent_code IS NULL DESC, code LIMIT 4"
    )
    return Keys(
        id_numbers=tuple(dict.fromkeys(id_numbers)),
        grids=(grid, *nearby),
        places=tuple(dict.fromkeys(places)),
        plates=tuple(dict.fromkeys(plates)),
        events=tuple(dict.fromkeys(events)),
        categories=tuple(categories),
    )


@pytest.fixture(scope="session")
def probes(keys: Keys) -> st.SearchStrategy[GeneratedQuery]:
    return graph_queries(keys)


def graph_document(text: str) -> graphql.DocumentNode:
    """A query, parsed and valid against the served schema."""
    document = graphql.parse(text)
    assert not graphql.validate(SERVED, document), "an invalid query"
    return document


def response_keys(document: graphql.DocumentNode, type_name: str, field: str) -> set[str]:
    """The response keys (aliases or names) under which the query selects ``type_name.field``."""
    type_info = graphql.TypeInfo(SERVED)
    found: set[str] = set()

    class Collect(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None and parent.name == type_name and node.name.value == field:
                found.add(node.alias.value if node.alias else node.name.value)

    graphql.visit(document, graphql.TypeInfoVisitor(type_info, Collect()))
    return found


@dataclasses.dataclass
class Inspector:
    """Finds the secrets in a response that the caller may not see."""

    secrets: Secrets
    role: Role | None
    purpose: str | None
    audit_keys: set[str]  # response keys of AuditRecord.entityKey in this query
    served: set[str] = dataclasses.field(default_factory=set)  # fields seen, within policy

    def allowed(self, field: str) -> bool:
        role = (self.role or Role.ANONYMOUS).value
        return POLICY.decide([role], field, self.purpose) is Decision.ALLOW

    def permitted_as(
        self, fields: list[str], value: str, path: tuple[str | int, ...]
    ) -> str | None:
        """The field the caller may see ``value`` as, unmasked, here; ``None``: a leak."""
        if self.role is Role.CITIZEN and value not in self.secrets.own:
            return None  # a resident sees only their own records
        seen = [field for field in fields if self.allowed(field)]
        if seen:
            return "/".join(seen)
        # The audit trail names the entity it is about: an auditor reads its key.
        if self.role is Role.AUDITOR and "Person.idNumber" in fields and path:
            return "AuditRecord.entityKey" if path[-1] in self.audit_keys else None
        return None

    def found_in(self, text: str) -> Iterator[str]:
        yield from (m.group() for m in ID_NUMBER.finditer(text))
        yield from (m.group() for m in MOBILE.finditer(text))
        yield from (m.group() for m in self.secrets.health_text.finditer(text))
        yield text  # a whole value: an enum such as a health-code colour

    def leaks(self, value: Any, path: tuple[str | int, ...] = ()) -> Iterator[Leak]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from self.leaks(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from self.leaks(item, (*path, index))
        elif isinstance(value, str):
            for how, text in [("as is", value), *decoded(value)]:
                for found in set(self.found_in(text)):
                    fields = self.secrets.fields_of(found)
                    if not fields:
                        continue
                    seen_as = self.permitted_as(fields, found, path)
                    if seen_as is None:
                        yield Leak("/".join(fields), found, path, how)
                    else:
                        self.served.add(seen_as)


def decoded(value: str) -> list[tuple[str, str]]:
    """What an opaque (base64url) string such as a cursor says, if it says anything."""
    if not BASE64URL.fullmatch(value):
        return []
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
        return [("decoded from base64", raw.decode("utf-8"))]
    except (binascii.Error, ValueError):
        return []


def personal_numbers(lines: Iterable[str]) -> list[str]:
    """Lines holding anything shaped like an ID number or a mobile number."""
    return [line for line in lines if ID_NUMBER.search(line) or MOBILE.search(line)]


FORMAT = logging.Formatter("%(levelname)s %(name)s: %(message)s")


async def settled(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records of this request, once threads have stopped logging for it.

    Worker threads (aiosqlite's, for one) may log after the response has gone: wait until
    no record has come for a moment, so that each request is judged by its own records.
    """
    count = -1
    while count != len(caplog.records):
        count = len(caplog.records)
        await asyncio.sleep(0.005)
    return list(caplog.records)


PLANTED = """
query Planted($me: String!, $kin: String!, $grid: String!) {
  me: person(idNumber: $me) {
    idNumber phone
    healthCode { color reason }
    latestNucleicAcidTest { result institution }
    vaccinations(first: 1) { edges { node { vaccine site } } }
  }
  kin: person(idNumber: $kin) { idNumber phone }
  grid(code: $grid) { workers(first: 1) { edges { node { phone } } } }
}
"""


async def test_the_inspector_finds_each_kind_of_secret(
    graph: GraphClient, secrets: Secrets, keys: Keys
) -> None:
    """No vacuous pass: what every department sees, judged as other callers' responses."""
    kin = next(key for key in keys.id_numbers if key != DEMO_ID_NUMBER)  # the demo's family
    variables = {"me": DEMO_ID_NUMBER, "kin": kin, "grid": DEMO_GRID_CODE}
    body = await graph.data(PLANTED, variables)  # as all departments at once: everything

    def fields(leaks: Iterable[Leak]) -> set[str]:
        return {name for leak in leaks for name in leak.field.split("/")}

    analyst = Inspector(secrets, Role.ANALYST, None, set())
    leaks = list(analyst.leaks(body))
    assert fields(leaks) == {
        "Person.idNumber",
        "Person.phone",
        "GridWorker.phone",
        "HealthCode.color",
        "HealthCode.reason",
        "NucleicAcidTest.result",
        "NucleicAcidTest.institution",
        "Vaccination.vaccine",
        "Vaccination.site",
    }, leaks
    # A plain base64 cursor of a person's keyset value would carry the ID number ...
    plain = base64.urlsafe_b64encode(json.dumps([kin]).encode()).decode().rstrip("=")
    planted = {"edges": [{"cursor": plain}]}
    assert [leak.how for leak in analyst.leaks(planted)] == ["decoded from base64"]
    # ... the service's cursors are encrypted and carry nothing readable.
    assert list(analyst.leaks({"edges": [{"cursor": encode_cursor([kin])}]})) == []

    citizen = Inspector(secrets, Role.CITIZEN, None, set())
    assert not list(citizen.leaks(body["me"])), "a resident's own records are theirs"
    assert {leak.value for leak in citizen.leaks(body["kin"])} == set(body["kin"].values())

    grid_worker = Inspector(secrets, Role.GRID_WORKER, "epidemic-control", set())
    assert fields(grid_worker.leaks(body["me"])) == {
        "Person.idNumber",  # masked for them
        "Person.phone",  # masked
        "HealthCode.reason",  # the colour only, under epidemic control
        "NucleicAcidTest.result",
        "NucleicAcidTest.institution",
        "Vaccination.vaccine",
        "Vaccination.site",
    }

    # The audit trail names whom each record is about: an auditor reads the key there only.
    trail = "{ auditRecords(first: 20) { records { entityType who: entityKey } } }"
    records = await graph.as_role(Role.AUDITOR.value).data(trail)
    keys_there = response_keys(graph_document(trail), "AuditRecord", "entityKey")
    assert keys_there == {"who"}
    auditor = Inspector(secrets, Role.AUDITOR, None, keys_there)
    assert not list(auditor.leaks(records))
    assert "AuditRecord.entityKey" in auditor.served, records
    elsewhere = {"auditRecords": {"records": [{"entityKey": DEMO_ID_NUMBER}]}}
    assert fields(auditor.leaks(elsewhere)) == {"Person.idNumber"}


@pytest.mark.parametrize(
    ("role", "jurisdiction", "purpose"),
    CALLERS,
    ids=[f"{role or 'anonymous'}-{purpose or 'none'}" for role, _, purpose in CALLERS],
)
@settings(
    max_examples=EXAMPLES_PER_CALLER,
    deadline=None,
    database=None,
    # No explain phase (it traces every line: slow); one bug per caller, shrunk.
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    report_multiple_bugs=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_no_unmasked_secret_outside_the_policy(
    graph: GraphClient,
    secrets: Secrets,
    probes: st.SearchStrategy[GeneratedQuery],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    role: Role | None,
    jurisdiction: str | None,
    purpose: str | None,
    data: st.DataObject,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    probe = data.draw(probes, label="query")
    document = graph_document(probe.text)

    caller = graph.as_role(
        role.value if role else None,
        jurisdiction,
        purposes=(purpose,) if purpose else (),
        purpose=purpose,
    )
    response = await caller.http.post(
        "/graphql", json={"query": probe.text, "variables": probe.variables}, headers=caller.headers
    )
    shown = f"\nquery:\n{probe.text}\nvariables: {probe.variables}"
    assert response.status_code < 500, response.text + shown
    body: dict[str, Any] = response.json()

    inspector = Inspector(
        secrets, role, purpose, response_keys(document, "AuditRecord", "entityKey")
    )
    leaks = [str(leak) for leak in inspector.leaks(body)]
    caller_name = f"{role or 'anonymous'} (purpose {purpose})"
    assert not leaks, f"{caller_name} was served:\n" + "\n".join(leaks[:20]) + shown
    for field in sorted(inspector.served):
        event(f"served within the policy: {field}")
    text = response.text
    for kind, pattern in (("ID number", MASKED_ID_NUMBER), ("phone", MASKED_PHONE)):
        if pattern.search(text):
            event(f"served masked: {kind}")
    if '"FORBIDDEN"' in text:
        event("denied a field")

    logged = personal_numbers(FORMAT.format(record) for record in await settled(caplog))
    assert not logged, "personal numbers in the logs:\n" + "\n".join(logged[:10]) + shown
    out, err = capsys.readouterr()
    printed = personal_numbers([*out.splitlines(), *err.splitlines()])
    assert not printed, "personal numbers on stdout/stderr:\n" + "\n".join(printed[:10]) + shown

    # An unexpected error is a 500 in all but status (and may leave work half done).
    crashes = [
        error
        for error in body.get("errors", [])
        if error.get("extensions", {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]
    assert not crashes, f"{caller_name} hit unexpected errors: {crashes}{shown}"
