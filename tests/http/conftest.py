"""A graph client over the small city with settings changed for one test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.city import open_graph

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Coroutine

    from citybrain.settings import Settings
    from tests.city import GraphClient

GraphWith = "Callable[..., Coroutine[Any, Any, GraphClient]]"


@pytest.fixture
async def graph_with(
    small_city: Settings,
) -> AsyncIterator[Callable[..., Coroutine[Any, Any, GraphClient]]]:
    """``await graph_with(safelist="enforce", …)``: a client of an app with those settings."""
    opened: list[GraphClient] = []

    async def open_with(**changes: Any) -> GraphClient:
        graph, _ = await open_graph(small_city.model_copy(update=changes))
        opened.append(graph)
        return graph

    yield open_with
    for graph in opened:
        await graph.aclose()
