"""Generated documents (hypothesis-graphql, valid and one-violation ones) never get a 5xx,
never an answer without ``data`` or ``errors``, never an internal error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from citybrain.schema import schema_sdl
from citybrain.seed import DEMO_ID_NUMBER

if TYPE_CHECKING:
    from tests.city import GraphClient

SCHEMA = graphql.build_ast_schema(graphql.parse(schema_sdl()), assume_valid_sdl=True)
EXAMPLES_PER_MODE = 150  # two modes: 300 documents a run


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


def _entity() -> graphql.ObjectValueNode:
    return graphql.ObjectValueNode(
        fields=(
            graphql.ObjectFieldNode(
                name=graphql.NameNode(value="__typename"), value=_string("Person")
            ),
            graphql.ObjectFieldNode(
                name=graphql.NameNode(value="idNumber"), value=_string(DEMO_ID_NUMBER)
            ),
        )
    )


SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "Date": st.sampled_from(["2026-01-01", "1990-03-07", "not a date"]).map(_string),
    "DateTime": st.sampled_from(["2026-01-01T00:00:00", "2026-13-01T00:00:00"]).map(_string),
    "_Any": st.just(_entity()),
}

MEDIA = st.sampled_from(["application/json", "application/graphql-response+json", "*/*"])

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_MODE,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


async def check(graph: GraphClient, document: str, accept: str) -> None:
    response = await graph.http.post(
        "/graphql", json={"query": document}, headers={**graph.headers, "Accept": accept}
    )
    shown = f"\n{document}"
    assert response.status_code < 500, response.text + shown
    body: dict[str, Any] = response.json()
    assert "data" in body or "errors" in body, response.text + shown
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert "INTERNAL_SERVER_ERROR" not in codes, response.text + shown
    assert all(codes), f"an error without a code: {response.text}{shown}"


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
@FUZZ_SETTINGS
@given(data=st.data())
async def test_generated_documents_get_a_graphql_answer(
    graph: GraphClient, mode: Mode, data: st.DataObject
) -> None:
    document = data.draw(
        queries(SCHEMA, custom_scalars=SCALARS, allow_x00=True, mode=mode), label="document"
    )
    await check(graph, str(document), data.draw(MEDIA, label="accept"))
