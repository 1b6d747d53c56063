"""Rows: a grid worker reads nothing outside their grid, by any path; citizens see themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from citybrain.auth.roles import Role
from citybrain.connectors import Filter, SqlConnector, source_of
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.city import GraphClient

OTHER_DISTRICT = "120102"  # 河东区: not the demo grid's district


@pytest.fixture
async def outsider(graph: GraphClient) -> dict[str, Any]:
    """A resident of another district, and one of their events."""
    civil = graph.connectors["civil_affairs"]
    page = await civil.fetch_page(
        "person", [Filter("home_grid_code", "prefix", OTHER_DISTRICT)], first=1
    )
    person = page.rows[0]
    events = await graph.connectors["grid"].fetch_page(
        "grid_event", [Filter("grid_code", "prefix", OTHER_DISTRICT)], first=1
    )
    return {"person": person, "event": events.rows[0]}


@pytest.fixture
def fetched(
    graph: GraphClient, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every row any department returns from here on, with its department."""
    seen: list[tuple[str, dict[str, Any]]] = []
    for department, layered in graph.connectors.items():
        connector = source_of(layered)  # below the cache and resilience layers
        assert isinstance(connector, SqlConnector)
        original = connector._rows

        async def recording(
            stmt: Any, original: Any = original, department: str = department
        ) -> Any:
            rows = await original(stmt)
            seen.extend((department, r) for r in rows)
            return rows

        monkeypatch.setattr(connector, "_rows", recording)
    yield seen


async def test_grid_worker_reads_no_row_outside_their_grid(
    graph: GraphClient, outsider: dict[str, Any], fetched: list[tuple[str, dict[str, Any]]]
) -> None:
    worker = graph.as_role(Role.GRID_WORKER, DEMO_GRID_CODE)
    other_id = outsider["person"]["id_number"]
    other_grid = outsider["person"]["home_grid_code"]
    fetched.clear()

    root = await worker.query(
        "query($id: String!) { person(idNumber: $id) { name } }", {"id": other_id}
    )
    assert root == {"data": {"person": None}}  # exactly like an unknown ID number

    listed = await worker.data(
        "query($g: String!) { persons(gridCode: $g) { edges { node { name } } } }",
        {"g": other_grid},
    )
    assert listed["persons"]["edges"] == []

    nested = await worker.data(
        """query($g: String!) { grid(code: $g) { name
             residents(first: 50) { edges { node { name } } }
             households(first: 50) { edges { node { householdId } } }
             events(first: 50) { edges { node { id } } } } }""",
        {"g": other_grid},
    )
    assert nested["grid"]["name"]  # the grid itself is public
    assert nested["grid"]["residents"]["edges"] == []
    assert nested["grid"]["households"]["edges"] == []
    assert nested["grid"]["events"]["edges"] == []

    filtered = await worker.data(
        "query($f: EventFilter) { events(filter: $f, first: 100) { edges { node { gridCode } } } }",
        {"f": {"regionCode": OTHER_DISTRICT}},
    )
    assert filtered["events"]["edges"] == []
    mine = await worker.data("{ events(first: 100) { edges { node { gridCode } } } }")
    assert mine["events"]["edges"]
    assert all(e["node"]["gridCode"] == DEMO_GRID_CODE for e in mine["events"]["edges"])

    entities = await worker.data(
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
             ... on Person { name } ... on GridEvent { title } } }""",
        {
            "reps": [
                {"__typename": "Person", "idNumber": other_id},
                {"__typename": "GridEvent", "id": outsider["event"]["id"]},
                {"__typename": "Person", "idNumber": DEMO_ID_NUMBER},
            ]
        },
    )
    assert entities["_entities"][0] is None and entities["_entities"][1] is None
    assert entities["_entities"][2]["name"]  # their own resident, masked

    # Lists were filtered inside the department queries: no outside row was ever read.
    listed_rows = [r for d, r in fetched if d in ("civil_affairs", "grid")]
    assert listed_rows
    assert not [
        r
        for r in listed_rows
        if "home_grid_code" in r
        and not r["home_grid_code"].startswith(DEMO_GRID_CODE)
        and r["id_number"] != other_id  # the by-key lookups read the asked-for key, then drop it
    ]
    assert not [
        r
        for r in listed_rows
        if "reporter_id_number" in r
        and not r["grid_code"].startswith(DEMO_GRID_CODE)
        and r["id"] != outsider["event"]["id"]
    ]


async def test_same_decision_through_aliases_fragments_and_entities(graph: GraphClient) -> None:
    worker = graph.as_role(Role.GRID_WORKER, DEMO_GRID_CODE)
    body = await worker.query(
        """query($id: String!, $reps: [_Any!]!) {
             direct: person(idNumber: $id) { idNumber phone birthDate }
             aliased: person(idNumber: $id) { number: idNumber mobile: phone born: birthDate }
             spread: person(idNumber: $id) { ...P }
             inline: person(idNumber: $id) { ... on Person { idNumber phone birthDate } }
             _entities(representations: $reps) { ... on Person { idNumber phone birthDate } }
           }
           fragment P on Person { idNumber phone birthDate }""",
        {"id": DEMO_ID_NUMBER, "reps": [{"__typename": "Person", "idNumber": DEMO_ID_NUMBER}]},
    )
    data = body["data"]
    shapes = [
        data["direct"],
        {
            "idNumber": data["aliased"]["number"],
            "phone": data["aliased"]["mobile"],
            "birthDate": data["aliased"]["born"],
        },
        data["spread"],
        data["inline"],
        data["_entities"][0],
    ]
    assert all(s == shapes[0] for s in shapes), shapes
    assert shapes[0]["idNumber"] == DEMO_ID_NUMBER[:6] + "********" + DEMO_ID_NUMBER[-4:]
    assert "****" in shapes[0]["phone"] and shapes[0]["birthDate"] is None
    forbidden = [e for e in body["errors"] if e["extensions"]["code"] == "FORBIDDEN"]
    assert len(forbidden) == 5  # birthDate, once per path
    assert {tuple(e["path"][-1:]) for e in forbidden} == {("birthDate",), ("born",)}
    assert len(body["extensions"]["masked"]) == 10  # idNumber and phone, per path


async def test_citizen_me_is_their_own_record_unmasked(graph: GraphClient) -> None:
    citizen = graph.as_role(Role.CITIZEN, DEMO_ID_NUMBER)
    data = await citizen.data(
        """{ me { idNumber phone healthCode { color } driverLicence { status }
                  reportedEvents(first: 1) { edges { node { status } } } } }"""
    )
    me = data["me"]
    assert me["idNumber"] == DEMO_ID_NUMBER and "*" not in me["phone"]
    assert me["healthCode"]["color"] and me["driverLicence"]["status"]
    assert me["reportedEvents"]["edges"]
    other = await citizen.data(
        "query($g: String!) { persons(gridCode: $g, first: 100) { edges { node { idNumber } } } }",
        {"g": DEMO_GRID_CODE},
    )
    assert [e["node"]["idNumber"] for e in other["persons"]["edges"]] == [DEMO_ID_NUMBER]
    nobody = await graph.as_role(Role.HEALTH_OFFICER).data("{ me { idNumber } }")
    assert nobody == {"me": None}


async def test_anonymous_callers_see_public_data_only(graph: GraphClient) -> None:
    anonymous = graph.as_role(None)
    public = await anonymous.data("{ districts { edges { node { code name } } } }")
    assert len(public["districts"]["edges"]) == 16
    hidden = await anonymous.query(
        "query($id: String!) { person(idNumber: $id) { name } }", {"id": DEMO_ID_NUMBER}
    )
    assert hidden["data"] == {"person": None}  # no person: refused for every ID number
    assert [e["extensions"]["code"] for e in hidden["errors"]] == ["FORBIDDEN"]
