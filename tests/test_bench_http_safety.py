"""The safety benchmark runs both sides on the same city, checks they answer alike, and
renders its section (figures are measured in `make bench`, never asserted here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.baseline import Engines
from bench.datasets import benchmark_grid
from bench.http_safety import run_safety, safety_section
from citybrain.connectors import load_connectors

if TYPE_CHECKING:
    from citybrain.settings import Settings


async def test_safety_benchmark_compares_like_with_like(small_city: Settings) -> None:
    # Without the row cache: both sides must reach the departments to be compared.
    settings = small_city.model_copy(update={"cache_enabled": False})
    connectors = load_connectors(settings)
    try:
        grid_code, _ = await benchmark_grid(Engines(connectors))
        result = await run_safety(
            "small", settings, connectors, grid_code, iterations=2, warmup=1, block=1
        )
    finally:
        for connector in connectors.values():
            await connector.close()
    assert [len(s.graphql.samples_ms) for s in result.scenarios] == [2, 2]
    # Both sides of each scenario made the same statements: the limits add no I/O.
    for scenario in result.scenarios:
        assert scenario.graphql_statements == scenario.baseline_statements
        assert sum(scenario.graphql_statements.values()) > 0
    text = safety_section(result).render()
    assert "## The cost of the HTTP safety layer" in text
    assert text.count("| 100-resident page") == 2
