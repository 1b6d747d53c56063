"""The benchmarks page's section for :mod:`bench.resilience`, and its saved results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.docs import RESULTS, Section
from bench.resilience import DELAY_MS, TIMEOUT_MS, from_json, to_json

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from bench.resilience import Latency, ResilienceResult

__all__ = ["load_resilience", "resilience_section", "save_resilience"]

FANOUT_P50_MS_PER_LEVEL = 3.0
FANOUT_P99_MS = 10.0
TIMEOUT_MARGIN_MS = 15.0


def _path(scale: str, folder: Path) -> Path:
    return folder / f"resilience-{scale}.json"


def save_resilience(result: ResilienceResult, folder: Path = RESULTS) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _path(result.scale, folder).write_text(to_json(result), encoding="utf-8")


def load_resilience(scales: Sequence[str], folder: Path = RESULTS) -> list[ResilienceResult]:
    found = []
    for scale in scales:
        path = _path(scale, folder)
        if path.is_file():
            found.append(from_json(path.read_text(encoding="utf-8")))
    return found


def _rows(sides: Sequence[Latency], statements: bool = True) -> str:
    head = "| side | p50 (ms) | p95 (ms) | p99 (ms) |" + (
        " department statements per request |" if statements else " note |"
    )
    rule = "|---|---|---|---|---|"
    lines = [head, rule]
    for s in sides:
        last = str(s.statements) if statements else s.note
        lines.append(f"| {s.name} | {s.p50:.2f} | {s.quantile(95):.2f} | {s.p99:.2f} | {last} |")
    return "\n".join(lines)


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


def _scale(result: ResilienceResult) -> str:
    slowed, above = result.fanout[-2], result.fanout[-1]
    levels = result.fanout_levels
    p50_target = FANOUT_P50_MS_PER_LEVEL * levels
    timeout = result.timeout[0]
    timeout_target = TIMEOUT_MS + TIMEOUT_MARGIN_MS
    alone, saturated = result.bulkhead[0], result.bulkhead[1]
    return f"""\
### {result.scale} scale

Measured {result.measured_on}, {result.iterations} requests per side; grid page: grid
`{result.grid_code}`. {result.redis}.

**Cache cold vs warm.** The sides take turns in blocks of 10 requests, so that a slow
patch of the shared machine hits them all. "cold" flushes Redis before every request
(untimed); "warm" repeats the request with the cache filled. "bare sources" are the
department connectors without any layer, "no cache" the stack with its cache off (what
the resilience layer costs).

{_rows(result.cache)}

**Fan-out.** The README profile card with every department answering {DELAY_MS:g} ms late
(an `asyncio.sleep` before each call, on top of its own query). The query's department
calls form **{levels} nesting levels** (the longest chain of calls each starting after
the previous one ended). For every request the benchmark measures the slowest department
path (the longest such chain, summing each call's real duration: delay plus query) and
the time the graph adds above it. Targets: that added time p50 ≤ {FANOUT_P50_MS_PER_LEVEL:g}
ms per nesting level ({p50_target:g} ms), p99 ≤ {FANOUT_P99_MS:g} ms.

{_rows(result.fanout)}

p50 target met: **{_yes(above.p50 <= p50_target)}** ({above.p50:.2f} ms above the path);
p99 target met: **{_yes(above.p99 <= FANOUT_P99_MS)}** ({above.p99:.2f} ms). End to end:
p50 {slowed.p50:.2f} ms, p99 {slowed.p99:.2f} ms for {levels} × {DELAY_MS:g} ms of delays.

**One department timed out.** Health answers after 1 s, its timeout is {TIMEOUT_MS:g} ms;
the others are {DELAY_MS:g} ms late. Target: the whole answer within the timeout plus
{TIMEOUT_MARGIN_MS:g} ms ({timeout_target:g} ms).

{_rows(result.timeout, statements=False)}

Target met (p99): **{_yes(timeout.p99 <= timeout_target)}** ({timeout.p99:.2f} ms).

**Bulkhead.** A grid-only query, one request at a time, while the health department is
kept busy (each health call 200 ms late; its bulkhead: 4 in flight, 4 queued, the rest
refused at once; a refused caller waits 100 ms before trying again). In the second row
callers in the same process call the health department directly: its bulkhead is full
the whole time. In the third, GraphQL clients in the same process ask for a health field:
the refused requests are still parsed, executed and answered with an error, which costs
this process CPU that the grid query then shares.

{_rows(result.bulkhead, statements=False)}

Saturated / idle p50: {saturated.p50 / alone.p50:.2f}x; p99: {saturated.p99 / alone.p99:.2f}x
(target: no rise beyond noise).
"""


def resilience_section(results: Sequence[ResilienceResult]) -> Section:
    """Cache cold vs warm, fan-out, timeout and bulkhead, per scale measured."""
    title = "Cache, fan-out, timeouts and bulkheads"
    if not results:
        return Section(title, "Not measured yet: run `make bench`.")
    intro = (
        "`bench/resilience.py`: the app's schema and connector stack (cache → resilience → "
        "source) in process, policies off, one request at a time unless said otherwise."
    )
    return Section(title, intro + "\n\n" + "\n".join(_scale(r) for r in results))
