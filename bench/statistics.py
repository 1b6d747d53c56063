"""Statistics and data verification at scale: the graph beside hand-written SQL.

Three scenarios, each one GraphQL request through the app's schema with the access
control the app applies, beside :mod:`bench.baseline_statistics`:

- the district statistics of a year (``eventStatistics``: the city, its 16 districts and
  9 categories), as an analyst;
- the health-code daily report of 30 days (``healthDailyReport``: 16 districts and the
  city, a row per day, place codes per industry), as an analyst;
- screening 10,000 ID numbers (``screenPersons``: residents, unknown and invalid numbers),
  as a verifier under ``event-screening``, the audit batch (one record per person) written
  to a SQLite audit store on every request, as the app does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from bench import baseline_statistics as baseline
from bench.baseline import Engines
from bench.docs import RESULTS, Section
from bench.measure import Scenario, ScenarioResult, Timing, run_scenario
from citybrain.auth.access import Access
from citybrain.auth.audit import AuditStore
from citybrain.auth.audit_gate import AuditGate
from citybrain.auth.policy import load_policy
from citybrain.auth.principal import Principal
from citybrain.auth.roles import Role
from citybrain.connectors import load_connectors
from citybrain.federation import Loaders, RequestContext
from citybrain.id_numbers import check_digit
from citybrain.schema import build_schema, field_catalogue, maskable_fields
from citybrain.schema.statistics_query import CITY_TIME
from citybrain.seed.scales import REFERENCE_TIME

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from bench.datasets import Dataset
    from citybrain.connectors import Connector
    from citybrain.settings import Settings

__all__ = [
    "StatisticsResult",
    "load_statistics",
    "replace_section",
    "run_statistics",
    "save_statistics",
    "statistics_section",
]

YEAR_START, YEAR_END = REFERENCE_TIME - dt.timedelta(days=365), REFERENCE_TIME
HEALTH_START, HEALTH_END = (REFERENCE_TIME - dt.timedelta(days=30)).date(), REFERENCE_TIME.date()
SCREEN_AT = REFERENCE_TIME - dt.timedelta(days=10)
SCREEN_SIZE = 10_000
UNKNOWN, INVALID = 50, 50

DISTRICT_STATISTICS = """
query DistrictStatistics($from: DateTime!, $before: DateTime!) {
  eventStatistics(from: $from, before: $before) {
    asOf
    total { reported closed closeRate averageHandlingHours overdue suppressed }
    byRegion { code name reported closed closeRate averageHandlingHours overdue suppressed }
    byCategory { code name reported closed closeRate averageHandlingHours overdue suppressed }
  }
}
"""
HEALTH_REPORT = """
query HealthReport($from: Date!, $before: Date!) {
  healthDailyReport(from: $from, before: $before) {
    city { districtCode districtName codesShown scans placeCodesIssued activePlaceCodes
      suppressed days { day codesShown scans placeCodesIssued suppressed }
      issuedByIndustry { industry placeCodes suppressed } }
    districts { districtCode districtName codesShown scans placeCodesIssued activePlaceCodes
      suppressed days { day codesShown scans placeCodesIssued suppressed }
      issuedByIndustry { industry placeCodes suppressed } }
  }
}
"""
SCREEN = """
query Screen($ids: [String!]!, $at: DateTime!) {
  screenPersons(idNumbers: $ids, at: $at) {
    at testWindowHours checked
    results { index idNumber outcome problem codeColor negativeTestWithinWindow vaccinated }
  }
}
"""


@dataclass(frozen=True, slots=True)
class StatisticsResult:
    """What the statistics scenarios measured at one scale."""

    scale: str
    iterations: int
    warmup: int
    scenarios: list[ScenarioResult]
    events_in_year: int
    measured_on: str
    load_average: float = 0.0
    """The machine's 1-minute load average when the run started (2 cores are shared)."""


async def _screening_ids(engines: Engines) -> list[str]:
    """10,000 numbers: residents spread over the city, then unknown and invalid ones."""
    async with engines.civil_affairs.connect() as conn:
        total = (await conn.execute(text("SELECT count(*) FROM persons"))).scalar_one()
        step = max(1, total // (SCREEN_SIZE - UNKNOWN - INVALID))
        found = (
            await conn.execute(
                text(
                    "SELECT id_number FROM (SELECT id_number, row_number() OVER "
                    "(ORDER BY id_number) AS n FROM persons) WHERE n % :step = 0 LIMIT :limit"
                ),
                {"step": step, "limit": SCREEN_SIZE - UNKNOWN - INVALID},
            )
        ).scalars()
        residents = list(found)
    unknown = [f"65010219800101{n:03d}" for n in range(UNKNOWN)]
    unknown = [u + check_digit(u) for u in unknown]
    invalid = [r[:17] + ("0" if r[17] != "0" else "1") for r in residents[:INVALID]]
    ids = residents + unknown + invalid
    return ids + residents[: SCREEN_SIZE - len(ids)]


def _answer(
    schema: Any,
    settings: Settings,
    connectors: Mapping[str, Connector],
    principal: Principal,
    query: str,
    variables: dict[str, Any],
    audit: AuditGate | None = None,
) -> Callable[[], Awaitable[str]]:
    policy = load_policy(field_catalogue(), maskable_fields())

    async def answer() -> str:
        ready = await audit.ready() if audit is not None else True
        access = Access.for_principal(principal, policy, audit_ready=ready)
        context = RequestContext(
            settings=settings, loaders=Loaders(connectors), principal=principal, access=access
        )
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert not result.errors, f"the GraphQL query failed: {result.errors}"
        if audit is not None:
            written = await audit.write(
                access, request_id="bench", operation_hash="0" * 64, client_address="-"
            )
            assert written > 0
        return json.dumps({"data": result.data})

    return answer


def _baseline(build: Callable[[], Awaitable[dict[str, Any]]]) -> Callable[[], Awaitable[str]]:
    async def answer() -> str:
        return json.dumps({"data": await build()})

    return answer


async def run_statistics(
    dataset: Dataset,
    *,
    iterations: int,
    warmup: int,
    block: int = 5,
    report: Callable[[str], None] = lambda _: None,
) -> StatisticsResult:
    """Run the three scenarios on ``dataset`` (suppression off on both sides)."""
    # The data's screening moment lies weeks before now: allow `at` back to it.
    since = dt.datetime.now(CITY_TIME).replace(tzinfo=None) - SCREEN_AT
    settings = dataset.settings.model_copy(
        update={
            "suppression_threshold": 1,
            "cache_enabled": False,
            "screening_at_window_hours": int(since.total_seconds() // 3600) + 24,
        }
    )
    connectors = load_connectors(settings)
    engines = Engines(connectors)
    schema = build_schema()
    analyst = Principal("bench-analyst", frozenset({Role.ANALYST}))
    verifier = Principal(
        "bench-verifier",
        frozenset({Role.VERIFIER}),
        purposes=frozenset({"event-screening"}),
        purpose="event-screening",
    )
    window = settings.screening_test_window_hours
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        store = AuditStore(f"sqlite+aiosqlite:///{Path(folder) / 'audit.sqlite3'}")
        try:
            ids = await _screening_ids(engines)
            year = {"from": YEAR_START.isoformat(), "before": YEAR_END.isoformat()}
            days = {"from": HEALTH_START.isoformat(), "before": HEALTH_END.isoformat()}
            scenarios = [
                Scenario(
                    name="district statistics of a year (analyst)",
                    graphql=_answer(
                        schema, settings, connectors, analyst, DISTRICT_STATISTICS, year
                    ),
                    baseline=_baseline(
                        lambda: baseline.district_statistics(engines, YEAR_START, YEAR_END)
                    ),
                ),
                Scenario(
                    name="health daily report of 30 days (analyst)",
                    graphql=_answer(schema, settings, connectors, analyst, HEALTH_REPORT, days),
                    baseline=_baseline(
                        lambda: baseline.health_report(engines, HEALTH_START, HEALTH_END)
                    ),
                ),
                Scenario(
                    name=f"screening {len(ids):,} ID numbers (verifier, audit written; "
                    "baseline: no audit)",
                    graphql=_answer(
                        schema,
                        settings,
                        connectors,
                        verifier,
                        SCREEN,
                        {"ids": ids, "at": SCREEN_AT.isoformat()},
                        AuditGate(store),
                    ),
                    baseline=_baseline(lambda: baseline.screening(engines, ids, SCREEN_AT, window)),
                ),
                Scenario(
                    name=f"screening {len(ids):,} ID numbers (verifier, audit batch not "
                    "written; baseline: no audit)",
                    graphql=_answer(
                        schema,
                        settings,
                        connectors,
                        verifier,
                        SCREEN,
                        {"ids": ids, "at": SCREEN_AT.isoformat()},
                    ),
                    baseline=_baseline(lambda: baseline.screening(engines, ids, SCREEN_AT, window)),
                ),
            ]
            async with engines.grid.connect() as conn:
                events = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM grid_events "
                            "WHERE reported_at >= :start AND reported_at < :end"
                        ),
                        {
                            "start": YEAR_START.strftime("%Y-%m-%d %H:%M:%S.%f"),
                            "end": YEAR_END.strftime("%Y-%m-%d %H:%M:%S.%f"),
                        },
                    )
                ).scalar_one()
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
            gc.unfreeze()
            for connector in connectors.values():
                await connector.close()
            await store.close()
    return StatisticsResult(
        scale=dataset.scale,
        iterations=iterations,
        warmup=warmup,
        scenarios=results,
        events_in_year=int(events),
        measured_on=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_average=load,
    )


def _path(scale: str, folder: Path) -> Path:
    return folder / f"statistics-{scale}.json"


def save_statistics(result: StatisticsResult, folder: Path = RESULTS) -> None:
    """Keep ``result`` for later runs of the page (one file per scale)."""
    folder.mkdir(parents=True, exist_ok=True)
    text_ = json.dumps(dataclasses.asdict(result), indent=1, ensure_ascii=False)
    _path(result.scale, folder).write_text(text_ + "\n", encoding="utf-8")


def load_statistics(scale: str, folder: Path = RESULTS) -> StatisticsResult | None:
    """The last saved result of ``scale``, if any."""
    path = _path(scale, folder)
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    scenarios = []
    for s in raw.pop("scenarios"):
        s["graphql"] = Timing(tuple(s["graphql"]["samples_ms"]))
        s["baseline"] = Timing(tuple(s["baseline"]["samples_ms"]))
        scenarios.append(ScenarioResult(**s))
    return StatisticsResult(scenarios=scenarios, **raw)


def _ms(timing: Timing) -> str:
    return f"{timing.median_ms:,.1f} / {timing.p95_ms:,.1f}"


def statistics_section(results: Mapping[str, StatisticsResult | None]) -> Section:
    """The page's section on statistics and screening, from the saved results."""
    intro = f"""\
Each scenario is one GraphQL request through the app's schema with its access control
(analyst or verifier principal, field policies checked), beside hand-written SQL text
(`bench/baseline_statistics.py`: SQLite's `julianday`/`date`, every aggregate in the
database, independent statements concurrent, then the same JSON); both answers are checked
to be the same bytes before timing. Small-cell suppression is off on both sides here
(threshold 1) so that they can be compared; it is Python work on the aggregate rows only.
At city scale the statistics are a few seconds of SQLite scanning on each side: both run
the same three aggregate statements at once (run alone, an aggregate takes the same time
from either side), so their medians differ mostly by how three concurrent scans shared the
machine's two cores, and a ratio below 1 is no gain of the graph.
The district statistics count the events reported in the year before
{YEAR_END:%Y-%m-%d} (the city, its 16 districts and 9 categories: three `GROUP BY`
statements and two for the names); the health daily report covers {HEALTH_START} to
{HEALTH_END} (exclusive; 16 districts and the city, a row per day, place codes per
industry). Screening checks {SCREEN_SIZE:,} numbers ({UNKNOWN} unknown, {INVALID} invalid,
residents spread over the city, some twice) at {SCREEN_AT:%Y-%m-%d}; its GraphQL side also
appends the request's audit batch (one hash-chained record per person) to a SQLite audit
store, which the baseline does not; the last scenario is the same request without
writing the audit batch, to show what the audit costs. Screening goes through the
request's generic loaders (health codes by key; tests and doses through `fetch_groups`,
a `ROW_NUMBER()` window returning whole rows, in statements of 5,000 keys) and builds and
serialises 10,000 typed results, where the baseline asks SQLite for exactly the two
columns it shows (`SELECT DISTINCT id_number FROM vaccinations ...` on the covering
index): most of the gap is that window over every dose, and the 70,000 result fields.
"""  # noqa: S608 - prose that quotes SQL, not a query
    parts = [intro]
    for scale, result in results.items():
        if result is None:
            parts.append(f"\n**{scale} scale**: not measured yet (run `make bench`).\n")
            continue
        rows = [
            "| scenario | GraphQL median / p95 (ms) | baseline median / p95 (ms) | ratio "
            "| SQL statements GraphQL / baseline | response |",
            "|---|---|---|---|---|---|",
        ]
        for s in result.scenarios:
            rows.append(
                f"| {s.name} | {_ms(s.graphql)} | {_ms(s.baseline)} | {s.ratio:.2f}x "
                f"| {sum(s.graphql_statements.values())} / "
                f"{sum(s.baseline_statements.values())} | {s.response_bytes / 1024:,.0f} KiB |"
            )
        parts.append(
            f"\n**{scale} scale**, measured {result.measured_on}: {result.iterations} timed "
            f"requests per side after {result.warmup} warm-up requests, in turns; "
            f"{result.events_in_year:,} events in the year; load average "
            f"{result.load_average:.1f} at the start (the machine's cores are shared, "
            "so p95 figures are noisy).\n\n" + "\n".join(rows) + "\n"
        )
    return Section("Statistics and data verification", "".join(parts))


def replace_section(section: Section, path: Path) -> None:
    """Put ``section`` into the page at ``path`` in place of its namesake (or at the end),
    keeping every other section: re-running one suite does not drop the others' figures."""
    text_ = path.read_text(encoding="utf-8") if path.is_file() else ""
    heading = f"## {section.title}\n"
    rendered = section.render()
    start = text_.find(heading)
    if start < 0:
        path.write_text(text_.rstrip("\n") + "\n\n" + rendered, encoding="utf-8")
        return
    following = text_.find("\n## ", start + len(heading))
    end = len(text_) if following < 0 else following + 1
    path.write_text(
        text_[:start] + rendered + ("\n" if following >= 0 else "") + text_[end:], encoding="utf-8"
    )
