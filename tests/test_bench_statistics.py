"""The statistics benchmark on the test session's small city: same answers, one section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.datasets import Dataset
from bench.docs import Section, write_benchmarks
from bench.statistics import (
    load_statistics,
    replace_section,
    run_statistics,
    save_statistics,
    statistics_section,
)

if TYPE_CHECKING:
    from pathlib import Path

    from citybrain.settings import Settings


async def test_statistics_scenarios_answer_as_their_baselines(
    small_city: Settings, tmp_path: Path
) -> None:
    dataset = Dataset(scale="small", data_dir=small_city.data_dir, report=None)
    # run_scenario raises BenchmarkMismatch unless both sides give the same JSON bytes.
    result = await run_statistics(dataset, iterations=1, warmup=0)
    districts, health, screening, unaudited = result.scenarios
    assert districts.graphql_statements == {"grid": 5}
    assert districts.baseline_statements == {"grid": 5}
    assert health.graphql_statements == {"grid": 1, "health": 5}
    assert screening.graphql_statements == {"health": 6}
    assert screening.baseline_statements == {"health": 3}
    assert unaudited.graphql_statements == screening.graphql_statements
    assert result.events_in_year > 0

    save_statistics(result, tmp_path)
    loaded = load_statistics("small", tmp_path)
    assert loaded is not None and loaded.scenarios[0].name == districts.name
    page = tmp_path / "benchmarks.md"
    write_benchmarks([Section("Before", "a"), Section("After", "b")], page, facts={"x": "y"})
    section = statistics_section({"small": loaded, "city": None})
    replace_section(section, page)
    replace_section(section, page)  # again: replaced, not added twice
    text = page.read_text(encoding="utf-8")
    assert text.count("## Statistics and data verification") == 1
    assert "## Before" in text and "## After" in text
    assert "**city scale**: not measured yet" in text
    assert districts.name in text
