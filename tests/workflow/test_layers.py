"""Writes reach the grid department past the layers in front of it, and drop their caches."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

import httpx

from citybrain.app import create_app
from citybrain.connectors import load_connectors
from citybrain.connectors.grid import GridConnector
from citybrain.seed import DEMO_GRID_CODE
from citybrain.workflow import writer_of
from tests.city import GraphClient, StatementCounter
from tests.workflow.documents import act, report_input

if TYPE_CHECKING:
    from citybrain.connectors import Connector
    from citybrain.settings import Settings


class RecordingLayer:
    """A read layer in miniature (as a cache is): reads pass, the rest is the inner one's."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.invalidated: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def invalidate(self, entity: str) -> None:
        self.invalidated.append(entity)


async def test_writes_pass_the_layers_and_invalidate_what_they_changed(
    city_copy: Settings,
) -> None:
    connectors = load_connectors(city_copy)
    layer = RecordingLayer(connectors["grid"])
    connectors["grid"] = cast("Connector", layer)
    assert isinstance(writer_of(cast("Connector", layer)), GridConnector)
    app = create_app(city_copy, connectors)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    graph = GraphClient(http, connectors, StatementCounter(), city_copy, app)
    try:
        worker = graph.as_role("grid_worker", DEMO_GRID_CODE)
        key = str(uuid.uuid4())
        done = await act(worker, "REPORT", **report_input(DEMO_GRID_CODE, idempotencyKey=key))
        assert layer.invalidated == ["grid_event", "event_step", "whistle"]
        again = await act(worker, "REPORT", **report_input(DEMO_GRID_CODE, idempotencyKey=key))
        assert again["replayed"] and again["eventId"] == done["eventId"]
        assert len(layer.invalidated) == 3  # a replay changed nothing
    finally:
        await graph.aclose()
