"""``python -m bench``: run the benchmarks, print them, rewrite ``docs/benchmarks.md``.

Examples:
    python -m bench                          # small and city (seeds bench/data/* once)
    python -m bench --scale small --iterations 50
    python -m bench --scale city --data-dir /srv/citybrain-city   # an existing city
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from bench.baseline import Engines
from bench.datasets import BENCH_DATA, DATA_ENV, benchmark_grid, city_dir, prepare
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
from bench.runner import ScaleResult, run_scale

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
    parser.add_argument("--docs", type=Path, default=DOCS, help="page to rewrite")
    parser.add_argument("--no-docs", action="store_true", help="print only")
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


async def _run_safety(args: argparse.Namespace, console: Console) -> Any:
    """The HTTP safety layer's cost, on the small city (it does not grow with the city)."""
    from citybrain.connectors import load_connectors

    dataset = await prepare("small", BENCH_DATA / "small", may_seed=True)
    settings = dataset.settings
    connectors = load_connectors(settings)
    warmup = args.warmup if args.warmup is not None else max(5, args.iterations // 10)
    try:
        grid_code, _ = await benchmark_grid(Engines(connectors))
        console.print("[bold]small[/]: the cost of the HTTP safety layer")
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


async def _run(args: argparse.Namespace, console: Console) -> dict[str, ScaleResult]:
    scales = SCALES if args.scale == "all" else (args.scale,)
    warmup = args.warmup if args.warmup is not None else max(5, args.iterations // 10)
    results: dict[str, ScaleResult] = {}
    for scale in scales:
        if scale == "small":
            data_dir, may_seed = BENCH_DATA / "small", True
        else:
            data_dir, may_seed = city_dir(args.data_dir)
        dataset = await prepare(scale, data_dir, may_seed=may_seed)
        console.print(f"[bold]{scale}[/]: {data_dir}")
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
        results[scale] = result
    return results


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    # Piped output (`make bench | tee`) gets a readable width instead of 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 120)
    results = asyncio.run(_run(args, console))
    safety = asyncio.run(_run_safety(args, console)) if args.scale in ("small", "all") else None
    if args.no_docs:
        return
    for result in results.values():
        save_result(result)
    if safety is not None:
        save_safety_result(safety)
    kept = load_results(SCALES)
    write_docs(
        [
            scenarios_section(),
            *(scale_section(kept[s]) for s in SCALES if s in kept),
            seeding_section(kept.get("city")),
            safety_section(load_safety_result()),
        ],
        args.docs,
    )
    console.print(f"wrote {args.docs}")


if __name__ == "__main__":
    main()
