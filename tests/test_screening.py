"""Data verification for mass events (数据核验): 10,000 ID numbers in one request."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphql
import pytest

from citybrain.auth.audit import AuditFilter
from citybrain.connectors.civil_affairs import tables as civil_tables
from citybrain.connectors.health import tables as health_tables
from citybrain.id_numbers import check_digit
from citybrain.limits import field_cost_rules, operation_cost
from citybrain.schema import build_schema
from citybrain.schema.screening import FIELD_COST_RULES, screening_cost
from citybrain.schema.statistics_query import CITY_TIME
from tests.city import open_graph
from tests.recount import all_rows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.settings import Settings
    from tests.city import GraphClient

SCREEN = """
query Screen($ids: [String!]!, $at: DateTime) {
  screenPersons(idNumbers: $ids, at: $at) {
    at testWindowHours checked
    results { index idNumber outcome problem codeColor negativeTestWithinWindow vaccinated }
  }
}
"""
AT = dt.datetime(2026, 10, 20, 12, 0)
PURPOSE = "event-screening"


@pytest.fixture
async def graph(small_city: Settings) -> AsyncIterator[GraphClient]:
    """The small city's graph, with `at` allowed back to `AT` (its data is from October)."""
    now = dt.datetime.now(CITY_TIME).replace(tzinfo=None)
    hours = int((now - AT).total_seconds() // 3600) + 24
    client, _ = await open_graph(small_city.model_copy(update={"screening_at_window_hours": hours}))
    try:
        yield client
    finally:
        await client.aclose()


def _verifier(graph: GraphClient, subject: str = "verifier-1") -> GraphClient:
    return graph.as_role("verifier", None, (PURPOSE,), PURPOSE, subject=subject)


def _unknown(n: int) -> str:
    first17 = f"65010219800101{n:03d}"  # 乌鲁木齐: no resident of the seeded city
    return first17 + check_digit(first17)


async def _audit(graph: GraphClient, subject: str) -> list[Any]:
    store = graph.app.state.audit.store
    entries, after = [], None
    while True:
        page = await store.query(AuditFilter(subject=subject), first=1000, after=after)
        entries += page.entries
        if not page.has_next_page:
            return entries
        after = page.end_cursor


@pytest.fixture
async def batch(graph: GraphClient) -> AsyncIterator[tuple[list[str], dict[str, Any]]]:
    """10,000 submitted numbers: residents, duplicates, unknown and invalid numbers."""
    persons = await all_rows(graph.connectors["civil_affairs"], civil_tables.persons)
    residents = sorted(p["id_number"] for p in persons)[:9_000]
    assert len(residents) > 5_000  # more distinct numbers than one statement takes
    invalid = [
        residents[0][:17] + ("0" if residents[0][17] != "0" else "1"),  # wrong check digit
        "12010119900307123",  # 17 characters
        "not an id number",
        "12010119901307123X",  # month 13
        "x" * 500,
    ]
    unknown = [_unknown(n) for n in range(40)]
    ids = residents + unknown + invalid * 20
    ids += residents[: 10_000 - len(ids)]
    assert len(ids) == 10_000
    yield ids, {"residents": residents, "unknown": unknown, "invalid": invalid}


async def test_ten_thousand_numbers_in_a_constant_number_of_health_queries(
    graph: GraphClient, batch: tuple[list[str], dict[str, Any]]
) -> None:
    ids, kinds = batch
    subject = f"verifier-{uuid.uuid4().hex[:8]}"
    graph.statements.reset()
    data = await _verifier(graph, subject).data(SCREEN, {"ids": ids, "at": AT.isoformat()})
    # Three loaders (codes, tests, doses), each split into chunks of 5,000 distinct keys.
    assert dict(graph.statements.counts) == {"health": 6}
    found = data["screenPersons"]
    assert found["checked"] == 10_000 and found["testWindowHours"] == 72
    results = found["results"]
    assert [r["index"] for r in results] == list(range(10_000))
    first_invalid = len(kinds["residents"]) + len(kinds["unknown"])
    assert [r["idNumber"] for r in results[:first_invalid]] == ids[:first_invalid]
    outcomes = {r["idNumber"]: r["outcome"] for r in results}
    assert {outcomes[i] for i in kinds["residents"]} == {"SCREENED"}
    assert {outcomes[i] for i in kinds["unknown"]} == {"UNKNOWN"}
    for r in results[first_invalid : first_invalid + 100]:
        assert r["outcome"] == "INVALID_ID_NUMBER" and r["problem"]
        assert r["codeColor"] is r["vaccinated"] is r["negativeTestWithinWindow"] is None
    assert results[first_invalid + 4]["idNumber"] == "x" * 32 + "…"
    for r in results:
        if r["outcome"] == "UNKNOWN":
            assert r["codeColor"] is None and r["problem"] is None

    # One audit record per person looked up (duplicates once, invalid numbers never),
    # listing the fields served.
    entries = await _audit(graph, subject)
    assert len(entries) == len(kinds["residents"]) + len(kinds["unknown"])
    assert {e.record.entity_key for e in entries} == set(kinds["residents"]) | set(kinds["unknown"])
    for entry in entries:
        assert entry.record.entity_type == "ScreeningResult"
        assert entry.record.purpose == PURPOSE
        assert entry.record.fields == (
            ("codeColor", "allow"),
            ("idNumber", "allow"),
            ("negativeTestWithinWindow", "allow"),
            ("outcome", "allow"),
            ("vaccinated", "allow"),
        )


async def test_screening_figures_equal_the_health_records(graph: GraphClient) -> None:
    health = graph.connectors["health"]
    codes = {r["id_number"]: r["color"] for r in await all_rows(health, health_tables.health_codes)}
    tests: dict[str, list[dict[str, Any]]] = {}
    for t in await all_rows(health, health_tables.nucleic_acid_tests):
        tests.setdefault(t["id_number"], []).append(t)
    doses: dict[str, list[dt.date]] = {}
    for v in await all_rows(health, health_tables.vaccinations):
        doses.setdefault(v["id_number"], []).append(v["vaccinated_on"])
    ids = sorted(codes)[:3_000]
    data = await _verifier(graph).data(SCREEN, {"ids": ids, "at": AT.isoformat()})
    window = dt.timedelta(hours=72)
    seen = {"negative": 0, "vaccinated": 0}
    for r in data["screenPersons"]["results"]:
        number = r["idNumber"]
        assert r["codeColor"] == codes[number]
        recent = [t for t in tests.get(number, []) if AT - window <= t["sampled_at"] <= AT]
        latest = max(recent, key=lambda t: (t["sampled_at"], t["id"]), default=None)
        negative = latest is not None and latest["result"] == "NEGATIVE"
        assert r["negativeTestWithinWindow"] is negative
        vaccinated = any(day <= AT.date() for day in doses.get(number, []))
        assert r["vaccinated"] is vaccinated
        seen["negative"] += negative
        seen["vaccinated"] += vaccinated
    assert 0 < seen["negative"] < 3_000 and 0 < seen["vaccinated"] < 3_000


async def test_only_the_fields_asked_for_are_loaded_and_audited(graph: GraphClient) -> None:
    subject = f"verifier-{uuid.uuid4().hex[:8]}"
    graph.statements.reset()
    data = await _verifier(graph, subject).data(
        "query($ids: [String!]!) { screenPersons(idNumbers: $ids) { results { codeColor } } }",
        {"ids": ["120101199003071235", "120101199003071235"]},
    )
    assert data["screenPersons"]["results"] == [{"codeColor": "GREEN"}] * 2
    assert dict(graph.statements.counts) == {"health": 1}
    (entry,) = await _audit(graph, subject)
    assert entry.record.fields == (("codeColor", "allow"),)


def test_the_result_type_holds_only_what_screening_needs() -> None:
    from citybrain.schema.screening import ScreeningResult

    fields = {f.name for f in ScreeningResult.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    assert fields == {
        "index",
        "id_number",
        "outcome",
        "problem",
        "code_color",
        "negative_test_within_window",
        "vaccinated",
    }


@pytest.mark.parametrize(
    ("roles", "jurisdiction", "purposes", "purpose"),
    [
        ("verifier", None, (PURPOSE,), None),  # no purpose declared
        ("verifier", None, ("epidemic-control",), "epidemic-control"),
        ("verifier", "120101", (PURPOSE,), PURPOSE),  # a regional token
        ("health_officer", None, (PURPOSE,), PURPOSE),
        ("analyst", None, (PURPOSE,), PURPOSE),
        ("citizen", "120101199003071235", (PURPOSE,), PURPOSE),
        (None, None, (), None),
    ],
)
async def test_only_verifiers_screening_for_an_event_may_screen(
    graph: GraphClient,
    roles: str | None,
    jurisdiction: str | None,
    purposes: tuple[str, ...],
    purpose: str | None,
) -> None:
    graph.statements.reset()
    caller = graph.as_role(roles, jurisdiction, purposes, purpose)
    body = await caller.query(SCREEN, {"ids": ["120101199003071235"]})
    assert body["data"] and all(v is None for v in body["data"].values())  # only the field
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert graph.statements.total == 0


@pytest.fixture
async def capped(small_city: Settings) -> AsyncIterator[GraphClient]:
    client, _ = await open_graph(small_city.model_copy(update={"screening_max_ids": 3}))
    try:
        yield client
    finally:
        await client.aclose()


async def test_more_numbers_than_the_cap_are_refused(capped: GraphClient) -> None:
    capped.statements.reset()
    body = await _verifier(capped).query(SCREEN, {"ids": ["120101199003071235"] * 4})
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "idNumbers"}
    assert "at most 3" in error["message"]
    assert capped.statements.total == 0
    ok = await _verifier(capped).data(SCREEN, {"ids": ["120101199003071235"] * 3})
    assert ok["screenPersons"]["checked"] == 3


def test_the_cost_grows_with_the_batch() -> None:
    assert screening_cost({"idNumbers": []}) == 10
    assert screening_cost({"idNumbers": ["1"] * 10_000}) == 10_010
    assert FIELD_COST_RULES["Query.screenPersons"]({"idNumbers": ["1"] * 3}) == 13


def test_the_security_guide_shows_the_real_screening_cost_rule() -> None:
    text = (Path(__file__).parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    (block,) = [
        b.split("```", 1)[0] for b in text.split("```python\n")[1:] if "register_field_cost(" in b
    ]
    shown: dict[str, Any] = {}
    source = block.replace("from citybrain.limits import register_field_cost\n", "")
    exec(source, {"register_field_cost": shown.__setitem__})  # noqa: S102 - our own doc
    build_schema()  # registers the schema's own rules
    (coordinate,) = shown
    registered = field_cost_rules()[coordinate]
    assert coordinate == "Query.screenPersons" and coordinate in FIELD_COST_RULES
    for count in (0, 1, 37, 10_000):
        arguments = {"idNumbers": ["120101199003071235"] * count}
        for item in (0, 1, 12):
            assert shown[coordinate](arguments, item) == registered(arguments, item)
    assert shown[coordinate]({"idNumbers": ["x"] * 10_000}, 0) == 10_010  # as the text says


def test_the_cost_limit_counts_every_submitted_number() -> None:
    schema = build_schema()
    document = graphql.parse(SCREEN)
    cost = operation_cost(
        schema._schema,
        document,
        None,
        {"ids": ["120101199003071235"] * 10_000},
        default_page_size=20,
        max_page_size=100,
    )
    assert cost == screening_cost({"idNumbers": ["x"] * 10_000}) == 10_010


@pytest.fixture
async def default_window(small_city: Settings) -> AsyncIterator[GraphClient]:
    """The graph with the default `at` window (24 hours around now)."""
    assert small_city.screening_at_window_hours == 24
    client, _ = await open_graph(small_city)
    try:
        yield client
    finally:
        await client.aclose()


async def test_stepping_at_through_history_is_refused(default_window: GraphClient) -> None:
    person = "120101199003071235"
    subject = f"verifier-{uuid.uuid4().hex[:8]}"
    default_window.statements.reset()
    step = dt.datetime(2026, 8, 1)
    while step < dt.datetime(2026, 11, 1):
        body = await _verifier(default_window, subject).query(
            SCREEN, {"ids": [person], "at": step.isoformat()}
        )
        assert body["data"] and all(v is None for v in body["data"].values())  # only the field
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "at"}
        assert "within 24 hours of now" in error["message"]
        step += dt.timedelta(hours=72)
    now = dt.datetime.now(CITY_TIME).replace(tzinfo=None)
    for far in (now - dt.timedelta(hours=25), now + dt.timedelta(hours=25)):
        body = await _verifier(default_window, subject).query(
            SCREEN, {"ids": [person], "at": far.isoformat()}
        )
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert default_window.statements.total == 0
    assert await _audit(default_window, subject) == []


async def test_screening_within_the_window_still_works(default_window: GraphClient) -> None:
    person = "120101199003071235"
    subject = f"verifier-{uuid.uuid4().hex[:8]}"
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)  # an offset is city time too
    data = await _verifier(default_window, subject).data(
        SCREEN, {"ids": [person], "at": moment.isoformat()}
    )
    batch = data["screenPersons"]
    local = moment.astimezone(CITY_TIME).replace(tzinfo=None)
    assert dt.datetime.fromisoformat(batch["at"]) == local
    (item,) = batch["results"]
    assert item["outcome"] == "SCREENED"
    assert item["codeColor"] in {"GREEN", "YELLOW", "RED"}
    (entry,) = await _audit(default_window, subject)
    assert entry.record.entity_type == "ScreeningResult"
    now = await _verifier(default_window, subject).data(SCREEN, {"ids": [person]})
    assert now["screenPersons"]["checked"] == 1
