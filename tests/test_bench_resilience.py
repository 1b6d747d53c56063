"""The resilience benchmark runs end to end on the small city and renders its section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.datasets import Dataset
from bench.resilience import from_json, run_resilience, to_json
from bench.resilience_docs import load_resilience, resilience_section, save_resilience
from bench.resilience_measure import critical_path_ms, nesting_levels

if TYPE_CHECKING:
    from pathlib import Path

    from citybrain.settings import Settings


def test_nesting_levels_and_critical_path() -> None:
    # a ‖ b, then c after both, then d after c; e overlaps c
    calls = [(0.0, 0.010), (0.001, 0.012), (0.013, 0.020), (0.021, 0.030), (0.014, 0.016)]
    assert nesting_levels(calls) == 3
    assert round(critical_path_ms(calls), 3) == 11 + 7 + 9
    assert nesting_levels([]) == 0


async def test_run_resilience_on_the_small_city(small_city: Settings, tmp_path: Path) -> None:
    dataset = Dataset(scale="small", data_dir=small_city.data_dir, report=None)
    result = await run_resilience(dataset, iterations=3)
    assert from_json(to_json(result)) == result
    cold = [s for s in result.cache if s.name.endswith("Redis, cold")]
    warm = [s for s in result.cache if s.name.endswith(", warm")]
    assert len(cold) == 2 and all(s.statements > 0 for s in cold)
    assert len(warm) == 4 and all(s.statements == 0 for s in warm)
    bare = [s for s in result.cache if "bare sources" in s.name]
    assert len(bare) == 2 and all(s.statements > 0 for s in bare)
    assert result.fanout_levels >= 2
    assert len(result.bulkhead) == 3 and len(result.timeout) == 1
    save_resilience(result, tmp_path)
    (loaded,) = load_resilience(["small", "city"], tmp_path)
    body = resilience_section([loaded]).render()
    assert "## Cache, fan-out, timeouts and bulkheads" in body
    assert "nesting levels" in body and "Redis, cold" in body
