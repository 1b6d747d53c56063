"""Leaf fields completed inline keep the GraphQL semantics: order, aliases, nulls, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType

from citybrain.schema import build_schema
from citybrain.schema.execution import LEAF_ATTRIBUTE, LeafFastExecutionContext
from citybrain.seed import DEMO_GRID_CODE

if TYPE_CHECKING:
    from citybrain.schema.build import CitySchema
    from tests.city import GraphClient


async def test_response_keys_follow_the_selection_order(graph: GraphClient) -> None:
    body = await graph.query(
        """query($g: String!) { grid(code: $g) {
             name community { name code } code
             renamed: communityCode
             events(first: 2) { edges { node { status id closedAt title } } }
             code2: code } }""",
        {"g": DEMO_GRID_CODE},
    )
    grid = body["data"]["grid"]
    assert list(grid) == ["name", "community", "code", "renamed", "events", "code2"]
    assert list(grid["community"]) == ["name", "code"]
    event = grid["events"]["edges"][0]["node"]
    assert list(event) == ["status", "id", "closedAt", "title"]
    assert grid["code"] == grid["code2"] == DEMO_GRID_CODE
    assert grid["renamed"] == DEMO_GRID_CODE[:12]
    assert event["status"] in {
        "REPORTED",
        "ACCEPTED",
        "ANALYSED",
        "DISPATCHED",
        "WHISTLED",
        "RESPONDED",
        "RESOLVED",
        "CLOSED",
        "EVALUATED",
    }


def _resolver(schema: CitySchema, type_name: str, field: str) -> Any:
    named = schema._schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    return named.fields[field].resolve


def test_only_unchecked_attribute_fields_take_the_inline_path() -> None:
    schema = build_schema()
    assert schema.execution_context_class is LeafFastExecutionContext
    grid_code = _resolver(schema, "Grid", "code")
    person_name = _resolver(schema, "Person", "name")
    assert getattr(grid_code, LEAF_ATTRIBUTE) == "code"  # public: read inline
    assert not hasattr(person_name, LEAF_ATTRIBUTE)  # personal: always policy-checked
    open_schema = build_schema(policies=False)
    open_name = _resolver(open_schema, "Person", "name")
    assert getattr(open_name, LEAF_ATTRIBUTE) == "name"
