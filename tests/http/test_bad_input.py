"""The bad-input catalogue: every case gets its status, its ``extensions.code``, and no
department is called (no SQL statement reaches any department's database).

Requests ask for ``application/graphql-response+json``, so GraphQL request errors are 4xx
with no ``data`` (the GraphQL-over-HTTP specification's status codes).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.limits.rules import selection_depth
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.city import open_graph

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.settings import Settings
    from tests.city import GraphClient

GQL = "application/graphql-response+json"


@dataclass
class Case:
    """One bad request: how it is sent, and what must come back."""

    status: int
    code: str
    json: Any = None
    content: bytes | None = None
    content_type: str | None = "application/json"
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)


def nested_person(depth: int) -> str:
    """``person { household { members { edges { node { household …`` ``depth`` fields deep."""
    cycle = ["household", "members", "edges", "node"]
    leaves = {  # under each field, a leaf one or two fields deep
        "household": ("address", "head { name }"),
        "members": (None, "pageInfo { hasNextPage }"),
        "edges": ("cursor", "node { name }"),
        "node": ("name", "household { address }"),
    }
    count = depth - 2 if cycle[(depth - 3) % 4] != "members" else depth - 3
    fields = ["person(idNumber: $id)"] + [cycle[i % 4] for i in range(count)]
    leaf = leaves[fields[-1]][depth - len(fields) - 1]
    return (
        "query Deep($id: String!) { "
        + " { ".join(fields)
        + f" {{ {leaf}"
        + " }" * (len(fields) + 1)
    )


def body(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": query, "variables": variables or {}}


DEEP = nested_person(13)
PAGE = "edges { node { idNumber name household { address members(first: 100) { edges { node { idNumber vehicles(first: 100) { edges { node { plate } } } } } } } } }"

CASES: dict[str, Case] = {
    "malformed JSON": Case(400, "BAD_REQUEST", content=b'{"query": "{ districts { edges'),
    "wrong content type": Case(
        415, "UNSUPPORTED_MEDIA_TYPE", content=b"{ __typename }", content_type="text/plain"
    ),
    "no content type": Case(
        415, "UNSUPPORTED_MEDIA_TYPE", content=b'{"query": "{ __typename }"}', content_type=None
    ),
    "3 MB body": Case(
        413, "PAYLOAD_TOO_LARGE", json=body("{ __typename }", {"pad": "x" * 3_000_000})
    ),
    "1,001 tokens": Case(400, "TOO_MANY_TOKENS", json=body("{ " + "__typename " * 999 + "}")),
    "15,001 characters": Case(
        400, "DOCUMENT_TOO_LARGE", json=body("{ __typename }" + " " * (15_001 - 14))
    ),
    "depth limit + 1 along a cycle": Case(
        400, "QUERY_TOO_DEEP", json=body(DEEP, {"id": DEMO_ID_NUMBER})
    ),
    "16 aliases": Case(
        400,
        "TOO_MANY_ALIASES",
        json=body(
            "{ "
            + " ".join(f"a{i}: districts(first: 1) {{ edges {{ cursor }} }}" for i in range(16))
            + " }"
        ),
    ),
    "51 directives": Case(
        400,
        "TOO_MANY_DIRECTIVES",
        json=body("{ districts { edges { " + "cursor @include(if: true) " * 51 + "} } }"),
    ),
    "JSON batch of 10": Case(
        400, "BATCHING_NOT_SUPPORTED", json=[body("{ __typename }") for _ in range(10)]
    ),
    "first: 100000": Case(
        400,
        "BAD_USER_INPUT",
        json=body(
            f'{{ persons(gridCode: "{DEMO_GRID_CODE}", first: 100000) {{ edges {{ cursor }} }} }}'
        ),
    ),
    "first: 100000 in a variable": Case(
        400,
        "BAD_USER_INPUT",
        json=body(
            f'query P($n: Int) {{ persons(gridCode: "{DEMO_GRID_CODE}", first: $n) {{ edges {{ cursor }} }} }}',
            {"n": 100_000},
        ),
    ),
    "over-budget cost": Case(
        400,
        "QUERY_TOO_COMPLEX",
        json=body(f'{{ persons(gridCode: "{DEMO_GRID_CODE}", first: 100) {{ {PAGE} }} }}'),
    ),
    "mutation via GET": Case(
        405, "METHOD_NOT_ALLOWED", method="GET", params={"query": "mutation { __typename }"}
    ),
    "form-encoded POST": Case(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        content=b"query=%7B+__typename+%7D",
        content_type="application/x-www-form-urlencoded",
    ),
    "multipart POST": Case(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        content=b"--x\r\nContent-Disposition: form-data; name=query\r\n\r\n{ __typename }\r\n--x--",
        content_type="multipart/form-data; boundary=x",
    ),
    "two operations, no operationName": Case(
        400,
        "OPERATION_RESOLUTION_FAILURE",
        json=body(
            f'query A {{ districts {{ edges {{ cursor }} }} }} query B {{ person(idNumber: "{DEMO_ID_NUMBER}") {{ name }} }}'
        ),
    ),
    "unknown operationName": Case(
        400,
        "OPERATION_RESOLUTION_FAILURE",
        json={"query": "query A { __typename }", "operationName": "B"},
    ),
    "fragment cycle": Case(
        400,
        "GRAPHQL_VALIDATION_FAILED",
        json=body(
            f'{{ person(idNumber: "{DEMO_ID_NUMBER}") {{ ...A }} }} '
            "fragment A on Person { household { members { edges { node { ...B } } } } } "
            "fragment B on Person { ...A }"
        ),
    ),
    "syntax error": Case(400, "GRAPHQL_PARSE_FAILED", json=body("{ districts { ")),
    "query of the wrong type": Case(400, "BAD_REQUEST", json={"query": ["{ __typename }"]}),
    "variables of the wrong type": Case(
        400, "BAD_REQUEST", json={"query": "{ __typename }", "variables": "{}"}
    ),
    "extensions of the wrong type": Case(
        400, "BAD_REQUEST", json={"query": "{ __typename }", "extensions": [1]}
    ),
    "operationName of the wrong type": Case(
        400, "BAD_REQUEST", json={"query": "{ __typename }", "operationName": 1}
    ),
    "variable of the wrong type": Case(
        400,
        "BAD_USER_INPUT",
        json=body("query P($id: String!) { person(idNumber: $id) { name } }", {"id": [1, 2]}),
    ),
    "missing variable": Case(
        400, "BAD_USER_INPUT", json=body("query P($id: String!) { person(idNumber: $id) { name } }")
    ),
    "persisted hash that is not the query's": Case(
        400,
        "BAD_REQUEST",
        json={
            "query": "{ __typename }",
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
        },
    ),
}

# Bad values inside well-formed requests: the field answers null with BAD_USER_INPUT (200,
# the field's own error), and nothing reaches a department.
INVALID_ID_NUMBERS = [
    "120101199003071230",  # wrong check digit
    "12010119900307123",  # 17 characters
    "".join(chr(ord(c) + 0xFEE0) for c in "12010119900307123X"),  # full-width
    "120101199013071234",  # month 13
    "' OR '1'='1' --    ",
    "12010119900307123\u202e",  # right-to-left override
]
ODD_REGION_CODES = [
    "120101' OR '1'='1",
    "120101; DROP TABLE person; --",
    "".join(chr(ord(c) + 0xFEE0) for c in "120101"),  # full-width digits
    "120101\u200b",  # zero-width space
    "120101\x00",
    "١٢٠١٠١",  # Arabic-Indic digits
    "120101%",
    "12010_",
]


@pytest.fixture
async def statements_checked(graph: GraphClient) -> AsyncIterator[GraphClient]:
    graph.statements.reset()
    yield graph
    assert graph.statements.counts == {}, "a refused request reached a department"


async def send(graph: GraphClient, case: Case) -> Any:
    headers = {**graph.headers, "Accept": GQL}
    if case.method == "GET":
        return await graph.http.get("/graphql", params=case.params, headers=headers)
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    content = case.content if case.content is not None else json.dumps(case.json).encode()
    return await graph.http.post("/graphql", content=content, headers=headers)


def test_the_deep_case_is_one_past_the_limit() -> None:
    from graphql import parse

    document = parse(DEEP)
    assert selection_depth(document.definitions[0].selection_set, {}) == 13  # type: ignore[attr-defined]
    assert selection_depth(parse(nested_person(12)).definitions[0].selection_set, {}) == 12  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_request_is_refused_with_its_code(
    statements_checked: GraphClient, name: str
) -> None:
    case = CASES[name]
    response = await send(statements_checked, case)
    assert response.status_code == case.status, response.text
    answer = response.json()
    assert "data" not in answer, answer
    codes = [e["extensions"]["code"] for e in answer["errors"]]
    assert codes == [case.code], answer
    assert response.headers["content-type"].split(";")[0] in (GQL, "application/json")
    if case.status == 405:
        assert response.headers["allow"] == "POST"


async def test_the_depth_limit_itself_is_allowed(graph: GraphClient) -> None:
    answer = await graph.query(nested_person(12), {"id": DEMO_ID_NUMBER})
    assert "errors" not in answer, answer
    assert answer["data"]["person"]["household"] is not None


@pytest.mark.parametrize("value", INVALID_ID_NUMBERS)
async def test_invalid_id_numbers_in_variables(statements_checked: GraphClient, value: str) -> None:
    response = await send(
        statements_checked,
        Case(
            200,
            "",
            json=body("query P($id: String!) { person(idNumber: $id) { name } }", {"id": value}),
        ),
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] == {"person": None}
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["BAD_USER_INPUT"]
    assert value not in response.text  # the value is not echoed back


@pytest.mark.parametrize("value", ODD_REGION_CODES)
async def test_sql_looking_and_odd_unicode_filters_are_inert(
    statements_checked: GraphClient, value: str
) -> None:
    query = (
        "query Q($code: String!) { persons(gridCode: $code) { edges { cursor } } "
        "events(filter: {regionCode: $code}) { edges { cursor } } }"
    )
    response = await send(statements_checked, Case(200, "", json=body(query, {"code": value})))
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None or all(v is None for v in answer["data"].values())
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"BAD_USER_INPUT"}


async def test_sql_looking_text_reaching_a_database_is_only_a_value(graph: GraphClient) -> None:
    # A category code is matched as a prefix: the text is bound as a parameter, never SQL.
    for value in ("' OR 1=1 --", "%", "_", "01'); DROP TABLE grid_event; --", "\u202e01"):
        data = await graph.data(
            "query Q($c: String!) { events(filter: {categoryCode: $c}) { edges { cursor } } }",
            {"c": value},
        )
        assert data["events"]["edges"] == []
    data = await graph.data("{ events { edges { cursor } } }")
    assert data["events"]["edges"]  # the table is still there


async def test_unknown_persisted_hash_in_safelist_mode(small_city: Settings) -> None:
    settings = small_city.model_copy(update={"safelist": "enforce"})
    graph, _ = await open_graph(settings)
    try:
        graph.statements.reset()
        unknown = hashlib.sha256(b"{ districts { edges { cursor } } }").hexdigest()
        for request in (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": unknown}}},
            {"query": "{ districts { edges { cursor } } }"},
        ):
            response = await graph.http.post(
                "/graphql", json=request, headers={**graph.headers, "Accept": GQL}
            )
            assert response.status_code == 403, response.text
            answer = response.json()
            assert "data" not in answer
            assert [e["extensions"]["code"] for e in answer["errors"]] == [
                "OPERATION_NOT_IN_SAFELIST"
            ]
        assert graph.statements.counts == {}
    finally:
        await graph.aclose()
