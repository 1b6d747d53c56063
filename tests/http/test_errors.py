"""An unexpected error reaches the client as INTERNAL_SERVER_ERROR with a request id, and
neither the client nor the log sees its message."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from citybrain.limits import cost, register_field_cost
from citybrain.seed import DEMO_ID_NUMBER

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pytest

    from tests.city import GraphClient


# What an unexpected error's message may hold: SQL with a parameter, a file path.
LEAKY = f"SELECT name FROM person WHERE id_number = '{DEMO_ID_NUMBER}' (/srv/citybrain/db.py)"  # noqa: S608


def failing_rule(arguments: Mapping[str, Any], item: int) -> int:
    raise RuntimeError(LEAKY)


async def test_unexpected_errors_are_masked_with_a_request_id(
    graph: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    register_field_cost("Query.districts", failing_rule)
    try:
        for accept, status in (
            ("application/graphql-response+json", 500),
            ("application/json", 500),
        ):
            response = await graph.http.post(
                "/graphql",
                json={"query": "{ districts { edges { cursor } } }"},
                headers={**graph.headers, "Accept": accept},
            )
            assert response.status_code == status, response.text
            [error] = response.json()["errors"]
            assert error["message"] == "internal error: the operators have been told"
            assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
            assert error["extensions"]["requestId"] == response.headers["x-request-id"]
            for secret in (DEMO_ID_NUMBER, "SELECT", "/srv/", "RuntimeError"):
                assert secret not in response.text
    finally:
        cost._RULES.pop("Query.districts", None)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert DEMO_ID_NUMBER not in logged and "SELECT" not in logged
    assert "unexpected" in logged
