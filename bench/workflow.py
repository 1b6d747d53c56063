"""Workflow mutations at city scale: ``acceptEvent`` through the graph, beside a hand-written
transaction doing the same work.

The city's grid database is copied first (the shared data set is never written). Each
request accepts (受理) a different reported event, as the grid worker of its grid: through
the graph (the app's schema, connector, rules, audit and update bus), and, as the baseline,
one SQLAlchemy Core transaction on the same copy that a careful developer would write
(write lock, read the event, check its state and grid, ``UPDATE … WHERE version``, append the
step with the next id, append the same audit record, commit, read back the event and step).

``python -m bench.workflow [--data-dir DIR] [--iterations N]`` measures, saves
``bench/data/results/workflow.json`` and puts its section into ``docs/benchmarks.md``;
``python -m bench`` includes the saved section when it rewrites the page.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, update

from bench.datasets import city_dir
from bench.docs import DOCS, RESULTS, Section
from bench.measure import Scenario, ScenarioResult, Timing, run_scenario
from citybrain.auth.access import Access
from citybrain.auth.audit import AuditRecord, AuditStore
from citybrain.auth.policy import load_policy
from citybrain.auth.principal import Principal
from citybrain.auth.roles import Role
from citybrain.city_clock import city_now
from citybrain.connectors.grid import GridConnector
from citybrain.connectors.grid.tables import event_steps, grid_events
from citybrain.federation import Loaders, RequestContext
from citybrain.schema import build_schema, field_catalogue, maskable_fields
from citybrain.settings import Settings
from citybrain.workflow import LocalUpdates

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

__all__ = ["RESULT_FILE", "WorkflowResult", "main", "run_workflow", "workflow_section"]

RESULT_FILE = RESULTS / "workflow.json"
TITLE = "Workflow mutations at city scale"
SCENARIO = "accept a reported event (acceptEvent)"
ACCEPT = """mutation($input: EventActionInput!) { acceptEvent(input: $input) {
  version event { id status version } step { id action actorRole } } }"""


@dataclasses.dataclass(frozen=True, slots=True)
class WorkflowResult:
    """What the workflow benchmark measured."""

    measured_on: str
    events: int
    iterations: int
    warmup: int
    scenario: ScenarioResult


def _reported(path: Path, count: int) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, grid_code FROM grid_events WHERE status = 'REPORTED' ORDER BY id LIMIT ?",
            (count,),
        ).fetchall()
    if len(rows) < count:
        raise ValueError(f"the city has {len(rows)} reported events; {count} are needed")
    return [(int(i), str(g)) for i, g in rows]


def _worker(grid_code: str) -> Principal:
    return Principal("bench-worker", frozenset({Role.GRID_WORKER}), jurisdiction=grid_code)


def _audit_record(principal: Principal, event_id: int) -> AuditRecord:
    return AuditRecord(
        at=dt.datetime.now(dt.UTC),
        subject=principal.subject,
        roles=("grid_worker",),
        purpose=None,
        entity_type="GridEvent",
        entity_key=str(event_id),
        fields=(("transition:ACCEPT", "allow"),),
        request_id="bench",
        operation_hash="0" * 64,
        client_address="-",
    )


def _sides(
    grid: GridConnector, store: AuditStore, events: list[tuple[int, str]]
) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[str]]]:
    schema = build_schema()
    policy = load_policy(field_catalogue(), maskable_fields())
    settings = Settings()
    connectors = {"grid": grid}
    updates = LocalUpdates()
    half = len(events) // 2
    graph_events, baseline_events = iter(events[:half]), iter(events[half:])

    async def through_the_graph() -> str:
        event_id, grid_code = next(graph_events)
        principal = _worker(grid_code)
        context = RequestContext(
            settings=settings,
            loaders=Loaders(connectors),
            principal=principal,
            access=Access.for_principal(principal, policy),
            audit_store=store,
            request_id="bench",
            updates=updates,
        )
        variables = {"input": {"eventId": event_id, "expectedVersion": 1}}
        result = await schema.execute(ACCEPT, variable_values=variables, context_value=context)
        assert not result.errors, result.errors
        return json.dumps({"data": result.data})

    writes = grid._sqlite_write_engine()

    async def by_hand() -> str:
        event_id, grid_code = next(baseline_events)
        principal = _worker(grid_code)
        now = city_now()
        async with writes.connect() as conn, conn.begin():
            row = (
                (await conn.execute(select(grid_events).where(grid_events.c.id == event_id)))
                .mappings()
                .one()
            )
            assert row["status"] == "REPORTED" and row["grid_code"].startswith(grid_code)
            done = await conn.execute(
                update(grid_events)
                .where(and_(grid_events.c.id == event_id, grid_events.c.version == 1))
                .values(status="ACCEPTED", version=2)
            )
            assert done.rowcount == 1
            step_id = int(await conn.scalar(select(func.max(event_steps.c.id))) or 0) + 1
            await conn.execute(
                insert(event_steps).values(
                    id=step_id,
                    event_id=event_id,
                    action="ACCEPT",
                    actor_role="GRID_WORKER",
                    actor_name=principal.subject,
                    at=now,
                    note="",
                )
            )
            await store.append([_audit_record(principal, event_id)])
        async with grid.engine.connect() as conn:
            event = (
                (
                    await conn.execute(
                        select(grid_events.c.id, grid_events.c.status, grid_events.c.version).where(
                            grid_events.c.id == event_id
                        )
                    )
                )
                .mappings()
                .one()
            )
            step = (
                (
                    await conn.execute(
                        select(
                            event_steps.c.id, event_steps.c.action, event_steps.c.actor_role
                        ).where(event_steps.c.id == step_id)
                    )
                )
                .mappings()
                .one()
            )
        data = {
            "acceptEvent": {
                "version": event["version"],
                "event": dict(event),
                "step": {
                    "id": step["id"],
                    "action": step["action"],
                    "actorRole": step["actor_role"],
                },
            }
        }
        return json.dumps({"data": data})

    return through_the_graph, by_hand


async def run_workflow(
    data_dir: Path, *, iterations: int, warmup: int, block: int = 20
) -> WorkflowResult:
    """Copy the city's grid database, then time ``acceptEvent`` beside its baseline."""
    with tempfile.TemporaryDirectory(prefix="citybrain-workflow-") as scratch:
        copy = Path(scratch) / "grid.sqlite3"
        shutil.copy(data_dir / "grid.sqlite3", copy)
        if (data_dir / "grid.sqlite3-wal").exists():
            shutil.copy(data_dir / "grid.sqlite3-wal", Path(scratch) / "grid.sqlite3-wal")
        with sqlite3.connect(copy) as db:
            events = db.execute("SELECT count(*) FROM grid_events").fetchone()[0]
        per_side = 1 + warmup + iterations  # the counted request, warm-up and timed ones
        reported = _reported(copy, 2 * per_side)
        grid = GridConnector(f"sqlite+aiosqlite:///{copy}")
        store = AuditStore(f"sqlite+aiosqlite:///{Path(scratch) / 'audit.sqlite3'}")
        await store.create()
        await grid.ensure_workflow_tables()  # once per process: not part of a request
        try:
            graph_side, baseline = _sides(grid, store, reported)
            counted = {
                "grid": grid,
                "grid writes": SimpleNamespace(engine=grid._sqlite_write_engine()),
                "audit": SimpleNamespace(engine=store.engine),
            }
            scenario = await run_scenario(
                Scenario(
                    "accept a reported event (acceptEvent)", graph_side, baseline, None, False
                ),
                counted,  # type: ignore[arg-type]
                iterations=iterations,
                warmup=warmup,
                block=block,
            )
        finally:
            await grid.close()
            await store.close()
    return WorkflowResult(
        measured_on=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        events=int(events),
        iterations=iterations,
        warmup=warmup,
        scenario=scenario,
    )


def save_workflow(result: WorkflowResult, path: Path = RESULT_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(result), indent=1) + "\n", encoding="utf-8")


def load_workflow(path: Path = RESULT_FILE) -> WorkflowResult | None:
    if not path.is_file():
        return None
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    s = raw.pop("scenario")
    s["graphql"] = Timing(tuple(s["graphql"]["samples_ms"]))
    s["baseline"] = Timing(tuple(s["baseline"]["samples_ms"]))
    return WorkflowResult(scenario=ScenarioResult(**s), **raw)


def _ms(timing: Timing) -> str:
    return f"{timing.median_ms:.2f} / {timing.p95_ms:.2f}"


def workflow_section(result: WorkflowResult | None) -> Section:
    """The page's section on workflow mutations."""
    if result is None:
        return Section(TITLE, "Not measured yet: run `python -m bench.workflow`.")
    s = result.scenario
    statements = ", ".join(f"{d} {n}" for d, n in s.graphql_statements.items())
    base = ", ".join(f"{d} {n}" for d, n in s.baseline_statements.items())
    body = f"""\
Measured {result.measured_on} on a copy of the city's grid database ({result.events:,}
events), by `python -m bench.workflow`: {result.iterations} timed requests per side, in
turns, after {result.warmup} warm-up requests. Each request accepts (受理) a different
reported event as its grid's worker, without an idempotency key. **GraphQL**: the
`acceptEvent` mutation through the app's schema: the workflow rules, one transaction under
the write lock (event and whistles read, rule, versioned update, next step id, step, audit
record appended before the commit), the update published, and the event and step read back
for the answer. **Baseline**: the same work as one hand-written SQLAlchemy Core
transaction on the same database (event read, state check, versioned update, next step id,
step, the same audit record), then the same two reads. Both commit to disk on every
request; the machine is shared, so the p95 is noisy.

| scenario | GraphQL median / p95 (ms) | baseline median / p95 (ms) | ratio (median) |
|---|---|---|---|
| {s.name} | {_ms(s.graphql)} | {_ms(s.baseline)} | {s.ratio:.2f}x |

SQL statements per request: GraphQL {statements}; baseline {base}.
"""
    return Section(TITLE, body)


def splice(page: str, section: Section) -> str:
    """``page`` with ``section`` in place of the one with its title (or appended)."""
    rendered = section.render()
    head = f"## {section.title}\n"
    if head not in page:
        return page.rstrip("\n") + "\n\n" + rendered
    before, _, rest = page.partition(head)
    following = rest.find("\n## ")
    after = "" if following < 0 else rest[following + 1 :]
    return before + rendered + ("\n" + after if after else "")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workflow")
    parser.add_argument("--data-dir", type=Path, default=None, help="the city-scale data set")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    data_dir, _ = city_dir(args.data_dir)
    result = asyncio.run(run_workflow(data_dir, iterations=args.iterations, warmup=args.warmup))
    s = result.scenario
    print(
        f"{s.name}: GraphQL {s.graphql.median_ms:.2f} ms, baseline {s.baseline.median_ms:.2f} ms "
        f"(median), {s.ratio:.2f}x"
    )
    if args.no_docs:
        return
    save_workflow(result)
    DOCS.write_text(splice(DOCS.read_text(encoding="utf-8"), workflow_section(result)), "utf-8")


if __name__ == "__main__":
    main()
