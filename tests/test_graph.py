"""The federated graph through HTTP: cross-department fields, pagination, errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER

if TYPE_CHECKING:
    from tests.city import GraphClient

README = Path(__file__).parent.parent / "README.md"


def readme_query() -> str:
    match = re.search(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert match, "the README has a ```graphql block"
    return match.group(1)


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def test_readme_query_returns_all_four_departments(graph: GraphClient) -> None:
    # As the README says: run as the resident, who sees all their own records.
    data = await graph.as_role("citizen", DEMO_ID_NUMBER).data(readme_query())
    person = data["person"]
    assert person["idNumber"] == DEMO_ID_NUMBER
    assert person["name"]  # civil affairs
    assert person["healthCode"]["color"] in {"GREEN", "YELLOW", "RED"}  # health
    assert len(nodes(person["vaccinations"])) >= 2
    assert person["latestNucleicAcidTest"]["result"] in {"NEGATIVE", "POSITIVE"}
    assert person["driverLicence"]["status"] == "VALID"  # transport
    assert person["driverLicence"]["platform"]["name"]
    assert len(nodes(person["reportedEvents"])) >= 3  # grid
    assert person["homeGrid"]["code"] == DEMO_GRID_CODE
    assert set(graph.statements.counts) == {"civil_affairs", "health", "transport", "grid"}


PERSON_EVERYTHING = """
query Everything($id: String!) {
  person(idNumber: $id) {
    idNumber name gender birthDate phone address residentType householdId homeGridCode
    household { householdId head { idNumber } members { edges { node { idNumber } } } grid { code } }
    elderlyCare { careLevel }
    subsidies { edges { node { programme amount grantedOn } } }
    healthCode { color reason updatedAt }
    vaccinations { edges { node { vaccine dose vaccinatedOn site } } }
    nucleicAcidTests { edges { node { sampledAt result institution } } }
    latestNucleicAcidTest { sampledAt }
    placeScans { edges { node { scannedAt place { placeCode name grid { code } district { name } } person { idNumber } } } }
    driverLicence { licenceNumber status person { idNumber } platform { name }
                    violations { edges { node { kind vehicle { plate } } } } }
    vehicles { edges { node { plate owner { idNumber } platform { code } violations { edges { node { id } } } } } }
    violations { edges { node { kind points } } }
    homeGrid { code community { code street { code district { code name } } } }
    reportedEvents { edges { node { id title status reportedAt
      grid { code } category { code name parent { code name } } reporter { idNumber }
      timeline { edges { node { action actorRole at } } }
      whistles { edges { node { department whistledAt street { name } } } } } } }
  }
}
"""


async def test_every_person_field_across_departments(graph: GraphClient) -> None:
    person = (await graph.data(PERSON_EVERYTHING, {"id": DEMO_ID_NUMBER}))["person"]
    assert person["household"]["grid"]["code"] == person["homeGridCode"]
    assert DEMO_ID_NUMBER in {m["idNumber"] for m in nodes(person["household"]["members"])}
    assert nodes(person["subsidies"])
    assert person["healthCode"]["updatedAt"]
    latest = person["latestNucleicAcidTest"]["sampledAt"]
    tests = nodes(person["nucleicAcidTests"])
    assert latest == tests[0]["sampledAt"]
    assert [t["sampledAt"] for t in tests] == sorted((t["sampledAt"] for t in tests), reverse=True)
    scans = nodes(person["placeScans"])
    assert scans and all(s["person"]["idNumber"] == DEMO_ID_NUMBER for s in scans)
    assert all(s["place"]["grid"]["code"].startswith("12") for s in scans)
    assert all(s["place"]["district"]["name"] for s in scans)
    assert person["driverLicence"]["person"]["idNumber"] == DEMO_ID_NUMBER
    assert nodes(person["driverLicence"]["violations"])
    vehicles = nodes(person["vehicles"])
    assert vehicles and all(v["owner"]["idNumber"] == DEMO_ID_NUMBER for v in vehicles)
    grid = person["homeGrid"]
    district = grid["community"]["street"]["district"]
    assert grid["code"].startswith(grid["community"]["street"]["code"])
    assert grid["code"].startswith(district["code"]) and district["name"].endswith("区")
    events = nodes(person["reportedEvents"])
    assert all(e["reporter"]["idNumber"] == DEMO_ID_NUMBER for e in events)
    assert all(e["category"]["code"].startswith(e["category"]["parent"]["code"]) for e in events)
    assert any(nodes(e["whistles"]) for e in events)
    assert all(nodes(e["timeline"]) for e in events)


GRID_EVERYTHING = """
query GridEverything($code: String!) {
  grid(code: $code) {
    code name
    community { name street { name district { name streets(first: 50) { edges { node { code } } } } } }
    residents(first: 5) { edges { node { idNumber homeGridCode } } pageInfo { hasNextPage } }
    households(first: 5) { edges { node { householdId grid { code } } } }
    places(first: 5) { edges { node { placeCode industry scans(first: 2) { edges { node { scannedAt } } } } } }
    workers(first: 5) { edges { node { workerId name grid { code } } } }
    events(first: 5) { edges { node { id grid { code } } } }
  }
}
"""


async def test_every_grid_field(graph: GraphClient) -> None:
    grid = (await graph.data(GRID_EVERYTHING, {"code": DEMO_GRID_CODE}))["grid"]
    assert grid["code"] == DEMO_GRID_CODE
    streets = nodes(grid["community"]["street"]["district"]["streets"])
    assert DEMO_GRID_CODE[:9] in {s["code"] for s in streets}
    residents = nodes(grid["residents"])
    assert len(residents) == 5 and grid["residents"]["pageInfo"]["hasNextPage"]
    assert all(r["homeGridCode"] == DEMO_GRID_CODE for r in residents)
    assert all(h["grid"]["code"] == DEMO_GRID_CODE for h in nodes(grid["households"]))
    assert nodes(grid["places"]) and nodes(grid["workers"])
    assert all(e["grid"]["code"] == DEMO_GRID_CODE for e in nodes(grid["events"]))


async def test_root_lookups(graph: GraphClient) -> None:
    demo = (
        await graph.data(
            """query($id: String!) { person(idNumber: $id) {
                 driverLicence { licenceNumber } vehicles(first: 1) { edges { node { plate } } }
                 placeScans(first: 1) { edges { node { placeCode } } }
                 reportedEvents(first: 1) { edges { node { id } } } } }""",
            {"id": DEMO_ID_NUMBER},
        )
    )["person"]
    plate = nodes(demo["vehicles"])[0]["plate"]
    place_code = nodes(demo["placeScans"])[0]["placeCode"]
    event_id = nodes(demo["reportedEvents"])[0]["id"]
    data = await graph.data(
        """query($id: String!, $plate: String!, $place: String!, $event: Int!,
                 $district: String!, $street: String!, $community: String!) {
             driver(idNumber: $id) { licenceNumber person { idNumber } }
             vehicle(plate: $plate) { plate owner { idNumber } }
             place(placeCode: $place) { placeCode scans(first: 1) { edges { node { id } } } }
             event(id: $event) { id reporter { idNumber } }
             district(code: $district) { name }
             street(code: $street) { district { code } }
             community(code: $community) { street { code } }
             districts { edges { node { code name } } }
             eventCategories(first: 20) { edges { node { code subCategories(first: 100) {
               edges { node { code parent { code } } } } } } }
           }""",
        {
            "id": DEMO_ID_NUMBER,
            "plate": plate,
            "place": place_code,
            "event": event_id,
            "district": DEMO_GRID_CODE[:6],
            "street": DEMO_GRID_CODE[:9],
            "community": DEMO_GRID_CODE[:12],
        },
    )
    assert data["driver"]["licenceNumber"] == demo["driverLicence"]["licenceNumber"]
    assert data["vehicle"]["owner"]["idNumber"] == DEMO_ID_NUMBER
    assert data["place"]["placeCode"] == place_code
    assert data["event"]["reporter"]["idNumber"] == DEMO_ID_NUMBER
    assert data["district"]["name"] == "和平区"
    assert data["street"]["district"]["code"] == DEMO_GRID_CODE[:6]
    assert data["community"]["street"]["code"] == DEMO_GRID_CODE[:9]
    assert len(nodes(data["districts"])) == 16
    categories = nodes(data["eventCategories"])
    assert len(categories) == 9
    subs = [s for c in categories for s in nodes(c["subCategories"])]
    assert len(subs) == 239
    assert all(s["code"].startswith(s["parent"]["code"]) for s in subs)


async def test_pagination_walks_every_resident_once(graph: GraphClient) -> None:
    query = """query($grid: String!, $after: String) {
      persons(gridCode: $grid, first: 100, after: $after) {
        edges { cursor node { idNumber } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await graph.data(query, {"grid": DEMO_GRID_CODE, "after": after}))["persons"]
        pages += 1
        seen.extend(n["idNumber"] for n in nodes(page))
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) >= 1100
    assert seen == sorted(seen)
    assert pages == -(-len(seen) // 100)


async def test_nested_pagination_continues_after_a_cursor(graph: GraphClient) -> None:
    query = """query($id: String!, $after: String) { person(idNumber: $id) {
      reportedEvents(first: 1, after: $after) { edges { node { id } }
                                                pageInfo { hasNextPage endCursor } } } }"""
    ids: list[int] = []
    after = None
    while True:
        events = (await graph.data(query, {"id": DEMO_ID_NUMBER, "after": after}))["person"][
            "reportedEvents"
        ]
        ids.extend(n["id"] for n in nodes(events))
        if not events["pageInfo"]["hasNextPage"]:
            break
        after = events["pageInfo"]["endCursor"]
    everything = (
        await graph.data(
            "query($id: String!) { person(idNumber: $id) { reportedEvents(first: 100) "
            "{ edges { node { id } } } } }",
            {"id": DEMO_ID_NUMBER},
        )
    )["person"]["reportedEvents"]
    assert ids == [n["id"] for n in nodes(everything)] and len(ids) >= 3


async def test_event_list_filters(graph: GraphClient) -> None:
    query = """query($f: EventFilter) { events(filter: $f, first: 100) {
      edges { node { gridCode status categoryCode reportedAt } } } }"""
    district = DEMO_GRID_CODE[:6]
    found = nodes((await graph.data(query, {"f": {"regionCode": district}}))["events"])
    assert found and all(e["gridCode"].startswith(district) for e in found)
    closed = nodes((await graph.data(query, {"f": {"status": "CLOSED"}}))["events"])
    assert closed and all(e["status"] == "CLOSED" for e in closed)
    category = nodes((await graph.data(query, {"f": {"categoryCode": "01"}}))["events"])
    assert all(e["categoryCode"].startswith("01") for e in category)
    window = {"reportedFrom": "2026-01-01T00:00:00", "reportedBefore": "2026-07-01T00:00:00"}
    dated = nodes((await graph.data(query, {"f": window}))["events"])
    assert dated and all("2026-01-01" <= e["reportedAt"] < "2026-07-01" for e in dated)


async def test_bad_input_gets_clear_coded_errors(graph: GraphClient) -> None:
    bad_id = await graph.query('{ person(idNumber: "120101199003071230") { name } }')
    assert bad_id["data"] == {"person": None}
    assert bad_id["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "120101199003071230" not in bad_id["errors"][0]["message"]

    too_many = await graph.query(
        "query($g: String!) { persons(gridCode: $g, first: 100000) { edges { cursor } } }",
        {"g": DEMO_GRID_CODE},
    )
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "100" in too_many["errors"][0]["message"]

    bad_cursor = await graph.query(
        'query($g: String!) { persons(gridCode: $g, after: "nonsense") { edges { cursor } } }',
        {"g": DEMO_GRID_CODE},
    )
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    nested_bad = await graph.query(
        "query($id: String!) { person(idNumber: $id) { name vaccinations(first: 1000) "
        "{ edges { cursor } } } }",
        {"id": DEMO_ID_NUMBER},
    )
    # A page too large anywhere refuses the operation before anything runs (the cost
    # limit reads every `first`), so no department is asked for the rest of it.
    assert "data" not in nested_bad
    assert nested_bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 100" in nested_bad["errors"][0]["message"]

    bad_grid = await graph.query('{ grid(code: "12") { name } }')
    assert bad_grid["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unknown_keys_are_null(graph: GraphClient) -> None:
    data = await graph.data(
        '{ person(idNumber: "11010519491231002X") { name } grid(code: "120101999999999") '
        '{ name } event(id: -1) { id } vehicle(plate: "津Z00000") { plate } }'
    )
    assert data == {"person": None, "grid": None, "event": None, "vehicle": None}


async def test_federation_service_sdl(graph: GraphClient) -> None:
    sdl = (await graph.data("{ _service { sdl } }"))["_service"]["sdl"]
    assert '@link(url: "https://specs.apollo.dev/federation/v2' in sdl
    for entity, key in [
        ("Person", "idNumber"),
        ("Place", "placeCode"),
        ("Grid", "code"),
        ("GridEvent", "id"),
    ]:
        assert re.search(rf'type {entity} @key\(fields: "{key}"\)', sdl), entity


async def test_entities_resolve_every_entity_type(graph: GraphClient) -> None:
    seed = (
        await graph.data(
            "query($id: String!) { person(idNumber: $id) { placeScans(first: 1) "
            "{ edges { node { placeCode } } } reportedEvents(first: 1) { edges { node { id } } } } }",
            {"id": DEMO_ID_NUMBER},
        )
    )["person"]
    place_code = nodes(seed["placeScans"])[0]["placeCode"]
    event_id = nodes(seed["reportedEvents"])[0]["id"]
    data = await graph.data(
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
             __typename
             ... on Person { idNumber healthCode { color } homeGrid { code } }
             ... on Place { placeCode name }
             ... on Grid { code residents(first: 2) { edges { node { idNumber } } } }
             ... on GridEvent { id category { name } }
           } }""",
        {
            "reps": [
                {"__typename": "Person", "idNumber": DEMO_ID_NUMBER, "extra": "ignored"},
                {"__typename": "Place", "placeCode": place_code},
                {"__typename": "Grid", "code": DEMO_GRID_CODE},
                {"__typename": "GridEvent", "id": event_id},
                {"__typename": "Person", "idNumber": "11010519491231002X"},
            ]
        },
    )
    person, place, grid, event, unknown = data["_entities"]
    assert person["idNumber"] == DEMO_ID_NUMBER and person["healthCode"]["color"]
    assert person["homeGrid"]["code"] == DEMO_GRID_CODE
    assert place["placeCode"] == place_code
    assert grid["code"] == DEMO_GRID_CODE and len(nodes(grid["residents"])) == 2
    assert event["id"] == event_id and event["category"]["name"]
    assert unknown is None


async def test_entities_with_an_invalid_key_fail_only_that_entity(graph: GraphClient) -> None:
    body = await graph.query(
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
             ... on Person { idNumber } } }""",
        {
            "reps": [
                {"__typename": "Person", "idNumber": "not-an-id"},
                {"__typename": "Person", "idNumber": DEMO_ID_NUMBER},
            ]
        },
    )
    assert body["data"]["_entities"] == [None, {"idNumber": DEMO_ID_NUMBER}]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["path"] == ["_entities", 0]
