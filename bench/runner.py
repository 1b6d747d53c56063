"""One scale's benchmark: set up the app's schema and connectors, run every scenario."""

from __future__ import annotations

import datetime as dt
import gc
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.baseline import Engines
from bench.baseline_card import profile_card
from bench.baseline_page import residents_page
from bench.datasets import benchmark_grid, measured_report
from bench.measure import Scenario, ScenarioResult, run_scenario
from bench.policies import POLICY_TARGET, policy_sides
from bench.queries import RESIDENTS_PAGE, RESIDENTS_PAGE_SIZE, readme_profile_card
from citybrain.connectors import load_connectors
from citybrain.federation import Loaders, RequestContext
from citybrain.schema import build_schema
from citybrain.seed import DEMO_ID_NUMBER

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from bench.datasets import Dataset
    from citybrain.connectors import Connector
    from citybrain.settings import Settings

__all__ = ["PAGE_TARGET", "ScaleResult", "graphql_answer", "run_scale"]

PAGE_TARGET = 2.0
"""The 100-resident page should answer within this multiple of the baseline's time."""


@dataclass(frozen=True, slots=True)
class ScaleResult:
    """Everything measured at one scale."""

    scale: str
    grid_code: str
    grid_residents: int
    iterations: int
    warmup: int
    block: int
    scenarios: list[ScenarioResult]
    seeding: dict[str, Any]
    measured_on: str


def graphql_answer(
    schema: Any,
    settings: Settings,
    connectors: Mapping[str, Connector],
    query: str,
    variables: dict[str, Any] | None,
) -> Callable[[], Awaitable[str]]:
    """One request through the app's schema, as the app serves it: fresh loaders each time."""

    async def answer() -> str:
        context = RequestContext(settings=settings, loaders=Loaders(connectors))
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert not result.errors, f"the GraphQL query failed: {result.errors}"
        return json.dumps({"data": result.data})

    return answer


def _baseline(build: Callable[[], Awaitable[dict[str, Any]]]) -> Callable[[], Awaitable[str]]:
    async def answer() -> str:
        return json.dumps({"data": await build()})

    return answer


async def run_scale(
    dataset: Dataset,
    *,
    iterations: int,
    warmup: int,
    freeze: bool = True,
    block: int = 20,
    report: Callable[[str], None] = lambda _: None,
) -> ScaleResult:
    """Run every scenario on ``dataset``.

    Args:
        dataset: the seeded city.
        iterations: timed requests per side and scenario.
        warmup: untimed requests per side first.
        block: requests of one side in a row before the other side's turn.
        freeze: ``gc.freeze()`` after set-up, as the app does after start-up.
        report: called with a line of progress.
    """
    settings = dataset.settings
    # The path of a cold request: resilience layers on, cache off (bench/resilience.py
    # measures the cache).
    connectors = load_connectors(settings.model_copy(update={"cache_enabled": False}))
    # Graph vs hand-written SQL, both without access control (measured on its own below).
    schema = build_schema(policies=False)
    engines = Engines(connectors)
    audit_store = None
    # Beside the data set, not in it: the city-scale data set is shared and read-only.
    audit_dir = Path(tempfile.mkdtemp(prefix="citybrain-bench-"))
    try:
        grid_code, residents = await benchmark_grid(engines)
        assert residents >= RESIDENTS_PAGE_SIZE, (grid_code, residents)
        audit_file = audit_dir / "bench-audit.sqlite3"
        with_policies, without_policies, audit_store = policy_sides(
            settings, connectors, grid_code, audit_file
        )
        scenarios = [
            Scenario(
                name="profile card (README query)",
                graphql=graphql_answer(schema, settings, connectors, readme_profile_card(), None),
                baseline=_baseline(lambda: profile_card(engines, DEMO_ID_NUMBER)),
            ),
            Scenario(
                name=f"grid page of {RESIDENTS_PAGE_SIZE} residents",
                graphql=graphql_answer(
                    schema, settings, connectors, RESIDENTS_PAGE, {"grid": grid_code}
                ),
                baseline=_baseline(lambda: residents_page(engines, grid_code)),
                target_ratio=PAGE_TARGET,
            ),
            Scenario(
                name=(
                    "grid worker's page of 100 residents with policies and audit "
                    "(baseline: the same page, policies off)"
                ),
                graphql=with_policies,
                baseline=without_policies,
                target_ratio=POLICY_TARGET,
                same_answer=False,
            ),
        ]
        seeding = await measured_report(dataset, engines)
        if freeze:
            gc.collect()
            gc.freeze()
        results = []
        for scenario in scenarios:
            report(f"{dataset.scale}: {scenario.name}")
            results.append(
                await run_scenario(
                    scenario, connectors, iterations=iterations, warmup=warmup, block=block
                )
            )
    finally:
        if freeze:
            gc.unfreeze()
        for connector in connectors.values():
            await connector.close()
        if audit_store is not None:
            await audit_store.close()
        shutil.rmtree(audit_dir, ignore_errors=True)
    return ScaleResult(
        scale=dataset.scale,
        grid_code=grid_code,
        grid_residents=residents,
        iterations=iterations,
        warmup=warmup,
        block=block,
        scenarios=results,
        seeding=seeding,
        measured_on=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
