"""The workflow benchmark on the small city: it runs, counts statements and renders its section.

No timing is asserted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.docs import Section
from bench.workflow import load_workflow, run_workflow, save_workflow, splice, workflow_section

if TYPE_CHECKING:
    from pathlib import Path

    from citybrain.settings import Settings


async def test_the_workflow_benchmark_runs_on_a_copy(small_city: Settings, tmp_path: Path) -> None:
    grid_file = small_city.data_dir / "grid.sqlite3"
    before = grid_file.read_bytes()
    result = await run_workflow(small_city.data_dir, iterations=2, warmup=1, block=2)
    assert grid_file.read_bytes() == before  # the data set itself is never written
    s = result.scenario
    assert len(s.graphql.samples_ms) == len(s.baseline.samples_ms) == 2
    # One transaction each (BEGIN IMMEDIATE, read, update, next id, insert: the graph also
    # reads the whistles), one audit append each, the same two reads back.
    assert s.graphql_statements["grid writes"] == 6 and s.baseline_statements["grid writes"] == 5
    assert s.graphql_statements["grid"] == s.baseline_statements["grid"] == 2
    assert s.graphql_statements["audit"] == s.baseline_statements["audit"]
    save_workflow(result, tmp_path / "workflow.json")
    again = load_workflow(tmp_path / "workflow.json")
    assert again == result
    section = workflow_section(again)
    assert s.name in section.body and "ratio" in section.body


def test_splice_replaces_only_its_own_section() -> None:
    page = "# B\n\n## One\n\nold\n\n## Two\n\nkept\n"
    new = splice(page, Section("One", "new"))
    assert new == "# B\n\n## One\n\nnew\n\n## Two\n\nkept\n"
    assert splice("# B\n", Section("Three", "x")).endswith("## Three\n\nx\n")
