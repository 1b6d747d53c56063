"""The benchmark machinery on the test session's small city: same answers, statements counted.

No timing is asserted: only that both sides answer alike and that the figures are produced.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from bench.baseline import Engines
from bench.baseline_card import profile_card
from bench.baseline_page import residents_page
from bench.datasets import Dataset, benchmark_grid, dataset_ready
from bench.docs import Section, scale_section, seeding_section, write_benchmarks
from bench.measure import BenchmarkMismatch, Scenario, run_scenario
from bench.queries import RESIDENTS_PAGE, readme_profile_card
from bench.runner import graphql_answer, run_scale
from citybrain.connectors import load_connectors
from citybrain.schema import build_schema
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER

if TYPE_CHECKING:
    from pathlib import Path

    from citybrain.settings import Settings


async def test_baseline_json_equals_graphql_json(small_city: Settings) -> None:
    connectors = load_connectors(small_city)
    engines = Engines(connectors)
    schema = build_schema(policies=False)
    try:
        assert await benchmark_grid(engines) == (DEMO_GRID_CODE, 1100)
        pairs = [
            (readme_profile_card(), None, profile_card(engines, DEMO_ID_NUMBER)),
            (RESIDENTS_PAGE, {"grid": DEMO_GRID_CODE}, residents_page(engines, DEMO_GRID_CODE)),
        ]
        for query, variables, baseline in pairs:
            answer = graphql_answer(schema, small_city, connectors, query, variables)
            graphql_body = await answer()
            baseline_body = json.dumps({"data": await baseline})
            assert graphql_body == baseline_body
            assert json.loads(graphql_body)["data"] is not None
        grid = json.loads(graphql_body)["data"]["grid"]
        assert len(grid["residents"]["edges"]) == 100
        assert grid["residents"]["pageInfo"]["hasNextPage"] is True
    finally:
        for connector in connectors.values():
            await connector.close()


async def test_run_scale_reports_statements_and_timings(
    small_city: Settings, tmp_path: Path
) -> None:
    assert dataset_ready(small_city.data_dir)
    dataset = Dataset(scale="small", data_dir=small_city.data_dir, report=None)
    result = await run_scale(dataset, iterations=2, warmup=1, freeze=False)
    assert result.grid_code == DEMO_GRID_CODE
    assert [len(s.graphql.samples_ms) for s in result.scenarios] == [2, 2, 2]
    card, page, policies = result.scenarios
    # person; health code, vaccinations, latest test; licence, platform; grid, community,
    # street, district; events, category. The baseline joins inside a department.
    assert sum(card.graphql_statements.values()) == 12
    assert sum(card.baseline_statements.values()) == 7
    assert page.graphql_statements == {"civil_affairs": 1, "grid": 2, "health": 1}
    assert page.baseline_statements == page.graphql_statements
    assert page.target_ratio == 2.0
    assert page.ratio > 0
    assert card.target_met is None
    # Policies add no statement: the same loads, checked and masked in process.
    assert policies.graphql_statements == policies.baseline_statements
    assert policies.target_ratio == 1.25
    assert result.seeding["row_counts"]["persons"] > 0
    assert result.seeding["elapsed_seconds"] is None  # not seeded by the benchmark

    docs = tmp_path / "benchmarks.md"
    write_benchmarks([scale_section(result), seeding_section(None), Section("Later", "x")], docs)
    text = docs.read_text(encoding="utf-8")
    assert "## Results at small scale" in text
    assert "| grid page of 100 residents |" in text
    assert "## Seeding the city" in text


async def test_a_different_baseline_fails_loudly(small_city: Settings) -> None:
    connectors = load_connectors(small_city)

    async def graphql() -> str:
        return json.dumps({"data": {"grid": {"code": "1"}}})

    async def baseline() -> str:
        return json.dumps({"data": {"grid": {"code": "2"}}})

    try:
        with pytest.raises(BenchmarkMismatch, match=r"data\.grid\.code"):
            await run_scenario(
                Scenario("mismatch", graphql, baseline), connectors, iterations=1, warmup=0
            )
    finally:
        for connector in connectors.values():
            await connector.close()
