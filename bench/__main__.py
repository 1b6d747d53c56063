"""``python -m bench``: run the benchmarks, print them, rewrite ``docs/benchmarks.md``.

Examples:
    python -m bench                          # small and city (seeds bench/data/* once)
    python -m bench --scale small --iterations 50
    python -m bench --scale city --data-dir /srv/citybrain-city   # an existing city
    python -m bench --suite statistics --scale city              # one suite only
    python -m bench --docs-only              # rewrite docs/benchmarks.md from saved results
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from bench.baseline import Engines
from bench.datasets import BENCH_DATA, DATA_ENV, Dataset, benchmark_grid, city_dir, prepare
from bench.docs import (
    DOCS,
    load_results,
    save_result,
    scale_section,
    scenarios_section,
    seeding_section,
)
from bench.docs import write_benchmarks as write_docs
from bench.http_safety import (
    load_safety_result,
    run_safety,
    safety_section,
    save_safety_result,
)
from bench.resilience import ResilienceResult, run_resilience
from bench.resilience_docs import load_resilience, resilience_section, save_resilience
from bench.runner import ScaleResult, run_scale
from bench.statistics import (
    StatisticsResult,
    load_statistics,
    run_statistics,
    save_statistics,
    statistics_section,
)
from bench.workflow import load_workflow, run_workflow, save_workflow, workflow_section
from citybrain.connectors import load_connectors

if TYPE_CHECKING:
    from collections.abc import Sequence

SCALES = ("small", "city")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=(*SCALES, "all"), default="all")
    parser.add_argument(
        "--iterations", type=int, default=200, help="timed requests per side and scenario"
    )
    parser.add_argument(
        "--warmup", type=int, default=None, help="untimed requests first (default: 10%%, >= 5)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"an existing city-scale data set (also ${DATA_ENV}); default bench/data/city, "
        "seeded on first use",
    )
    parser.add_argument(
        "--block", type=int, default=20, help="requests of one side in a row (default 20)"
    )
    parser.add_argument(
        "--suite",
        choices=("all", "graph", "statistics", "resilience", "workflow", "http"),
        default="all",
        help="graph: the query scenarios; statistics: statistics and screening; resilience: "
        "cache cold/warm, fan-out, a timed-out department, bulkhead; workflow: a mutation (city "
        "scale only); http: the HTTP safety layer (small scale only)",
    )
    parser.add_argument(
        "--statistics-iterations",
        type=int,
        default=10,
        help="timed requests per side of each statistics scenario (each takes seconds at "
        "city scale)",
    )
    parser.add_argument("--docs", type=Path, default=DOCS, help="page to rewrite")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument(
        "--docs-only",
        action="store_true",
        help="measure nothing: rewrite the page from the results saved by earlier runs",
    )
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.block < 1:
        parser.error("--iterations and --block must be at least 1")
    return args


def _table(result: ScaleResult) -> Table:
    table = Table(title=f"{result.scale} scale (grid {result.grid_code}, {result.iterations} runs)")
    for column in ("scenario", "GraphQL med / p95 ms", "baseline med / p95 ms", "ratio"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    table.add_column("statements GQL / base", justify="right")
    table.add_column("target")
    for s in result.scenarios:
        met = s.target_met
        target = "—" if met is None else ("[green]met" if met else "[red]NOT met")
        table.add_row(
            s.name,
            f"{s.graphql.median_ms:.2f} / {s.graphql.p95_ms:.2f}",
            f"{s.baseline.median_ms:.2f} / {s.baseline.p95_ms:.2f}",
            f"{s.ratio:.2f}x",
            f"{sum(s.graphql_statements.values())} / {sum(s.baseline_statements.values())}",
            f"{target} (≤ {s.target_ratio:g}x)" if s.target_ratio else target,
        )
    return table


@dataclass
class _Measured:
    graph: dict[str, ScaleResult] = field(default_factory=dict)
    statistics: dict[str, StatisticsResult] = field(default_factory=dict)
    resilience: list[ResilienceResult] = field(default_factory=list)
    safety: Any = None


async def _run_safety(args: argparse.Namespace, dataset: Dataset, console: Console) -> Any:
    """The HTTP safety layer's cost, on the small city (it does not grow with the city)."""
    settings = dataset.settings.model_copy(update={"cache_enabled": False})
    connectors = load_connectors(settings)
    warmup = args.warmup if args.warmup is not None else max(5, args.iterations // 10)
    try:
        grid_code, _ = await benchmark_grid(Engines(connectors))
        console.print("  the cost of the HTTP safety layer")
        result = await run_safety(
            "small",
            settings,
            connectors,
            grid_code,
            iterations=args.iterations,
            warmup=warmup,
            block=args.block,
        )
    finally:
        for connector in connectors.values():
            await connector.close()
    for s in result.scenarios:
        console.print(f"  {s.name}: {s.ratio:.2f}x (target ≤ {s.target_ratio:g}x)")
    return result


async def _run(args: argparse.Namespace, console: Console) -> _Measured:
    scales = SCALES if args.scale == "all" else (args.scale,)
    warmup = args.warmup if args.warmup is not None else max(5, args.iterations // 10)
    measured = _Measured()
    for scale in scales:
        if scale == "small":
            data_dir, may_seed = BENCH_DATA / "small", True
        else:
            data_dir, may_seed = city_dir(args.data_dir)
        dataset = await prepare(scale, data_dir, may_seed=may_seed)
        console.print(f"[bold]{scale}[/]: {data_dir}")
        if args.suite in ("all", "statistics"):
            found = await run_statistics(
                dataset,
                iterations=args.statistics_iterations,
                warmup=max(1, args.statistics_iterations // 5),
                report=console.print,
            )
            for s in found.scenarios:
                console.print(
                    f"  {s.name}: GraphQL {s.graphql.median_ms:,.1f} ms, baseline "
                    f"{s.baseline.median_ms:,.1f} ms ({s.ratio:.2f}x)"
                )
            measured.statistics[scale] = found
        if args.suite in ("all", "graph"):
            result = await run_scale(
                dataset,
                iterations=args.iterations,
                warmup=warmup,
                block=args.block,
                report=console.print,
            )
            console.print(_table(result))
            for s in result.scenarios:
                console.print(
                    f"  {s.name}: GraphQL / baseline = {s.ratio:.2f}x"
                    + ("" if s.target_ratio is None else f" (target ≤ {s.target_ratio:g}x)")
                )
            measured.graph[scale] = result
        if args.suite in ("all", "resilience"):
            measured.resilience.append(
                await run_resilience(dataset, iterations=args.iterations, report=console.print)
            )
        if args.suite in ("all", "workflow") and scale == "city":
            # Workflow mutations, on a copy of the city's grid database.
            workflow = await run_workflow(
                data_dir, iterations=args.iterations, warmup=warmup, block=args.block
            )
            console.print(
                f"  workflow: {workflow.scenario.name}: GraphQL / baseline = "
                f"{workflow.scenario.ratio:.2f}x"
            )
            if not args.no_docs:
                save_workflow(workflow)
        if args.suite in ("all", "http") and scale == "small":
            measured.safety = await _run_safety(args, dataset, console)
    return measured


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    # Piped output (`make bench | tee`) gets a readable width instead of 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 120)
    measured = _Measured() if args.docs_only else asyncio.run(_run(args, console))
    if args.no_docs:
        return
    for result in measured.graph.values():
        save_result(result)
    for found in measured.statistics.values():
        save_statistics(found)
    for done in measured.resilience:
        save_resilience(done)
    # Every section is rendered from the saved results, so a partial run (one suite, one
    # scale) keeps the figures of the others.
    if measured.safety is not None:
        save_safety_result(measured.safety)
    kept = load_results(SCALES)
    write_docs(
        [
            scenarios_section(),
            *(scale_section(kept[s]) for s in SCALES if s in kept),
            seeding_section(kept.get("city")),
            resilience_section(load_resilience(SCALES)),
            statistics_section({s: load_statistics(s) for s in SCALES}),
            workflow_section(load_workflow()),
            safety_section(load_safety_result()),
        ],
        args.docs,
    )
    console.print(f"wrote {args.docs}")


if __name__ == "__main__":
    main()
