"""The cost of the HTTP safety layer: the 100-resident page with limits and cost checked,
side by side with strawberry's stock set-up (parser and validation caches, no limits).

Two scenarios, both with policies off (their cost is measured on its own):

- **in process**: ``schema.execute`` with the app's extensions (parsing within the
  limits, validation with the shape rules, variables coerced and the cost computed before
  execution) against the same schema with strawberry's ``ParserCache`` and
  ``ValidationCache`` only;
- **over HTTP** (ASGI, no network): the app's GraphQL-over-HTTP endpoint (media types,
  parameter checks, rate-limit and persisted-operation steps, status mapping) in front of
  the first, against strawberry's own ASGI view in front of the second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types.unset import UNSET

from bench.docs import RESULTS, Section
from bench.measure import Scenario, ScenarioResult, Timing, run_scenario
from bench.queries import RESIDENTS_PAGE
from bench.runner import graphql_answer
from citybrain.federation import Loaders, RequestContext
from citybrain.http import safe_endpoint
from citybrain.limits import Limits
from citybrain.schema import build_schema
from citybrain.schema.build import MaskUnexpectedErrors, OperationHash, _unexpected

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from citybrain.connectors import Connector
    from citybrain.settings import Settings

__all__ = [
    "SAFETY_TARGET",
    "SafetyResult",
    "load_safety_result",
    "run_safety",
    "safety_section",
    "save_safety_result",
]

SAFETY_TARGET = 1.10
"""Limits, cost and the HTTP checks may add at most 10% to the 100-resident page."""
RESULT_FILE = "http-safety.json"


@dataclasses.dataclass(frozen=True, slots=True)
class SafetyResult:
    """What the safety benchmark measured."""

    scale: str
    grid_code: str
    iterations: int
    warmup: int
    block: int
    scenarios: list[ScenarioResult]
    measured_on: str


def _stock_schema() -> Any:
    """The app's schema with strawberry's stock caches instead of the safety extensions."""
    schema = build_schema(policies=False)
    schema.extensions = (
        OperationHash,
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: MaskUnexpectedErrors(should_mask_error=_unexpected),
    )
    return schema


class _View(GraphQL[RequestContext, None]):
    """A view building the app's request context (loaders), for both HTTP sides."""

    def __init__(self, schema: Any, settings: Settings, connectors: Mapping[str, Connector]):
        super().__init__(schema, graphql_ide=None)
        self.settings = settings
        self.connectors = connectors
        self.endpoint: Any = None

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        return RequestContext(
            settings=self.settings, loaders=Loaders(self.connectors), request=request
        )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if self.endpoint is not None:
            return await self.endpoint.handle(request)
        return await super().run(request, context, root_value)


def _over_http(app: Any, variables: dict[str, Any]) -> tuple[Callable[[], Awaitable[str]], Any]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    body = {"query": RESIDENTS_PAGE, "variables": variables}

    async def answer() -> str:
        response = await client.post("/graphql", json=body)
        assert response.status_code == 200, response.text
        parsed = response.json()
        assert "errors" not in parsed, parsed["errors"]
        return json.dumps(parsed)

    return answer, client


async def run_safety(
    scale: str,
    settings: Settings,
    connectors: Mapping[str, Connector],
    grid_code: str,
    *,
    iterations: int,
    warmup: int,
    block: int,
) -> SafetyResult:
    """Time both scenarios on the city in ``settings`` (its connectors already open)."""
    guarded = build_schema(policies=False, limits=Limits.from_settings(settings))
    stock = _stock_schema()
    variables = {"grid": grid_code}
    ours = _View(guarded, settings, connectors)
    ours.endpoint = safe_endpoint(ours, settings, Limits.from_settings(settings))
    theirs = _View(stock, settings, connectors)
    ours_http, ours_client = _over_http(Starlette(routes=[Route("/graphql", ours)]), variables)
    stock_http, stock_client = _over_http(Starlette(routes=[Route("/graphql", theirs)]), variables)
    scenarios = [
        Scenario(
            name="100-resident page in process: limits and cost (baseline: stock caches)",
            graphql=graphql_answer(guarded, settings, connectors, RESIDENTS_PAGE, variables),
            baseline=graphql_answer(stock, settings, connectors, RESIDENTS_PAGE, variables),
            target_ratio=SAFETY_TARGET,
        ),
        Scenario(
            name="100-resident page over HTTP: citybrain's endpoint (baseline: strawberry's view)",
            graphql=ours_http,
            baseline=stock_http,
            target_ratio=SAFETY_TARGET,
        ),
    ]
    try:
        results = [
            await run_scenario(s, connectors, iterations=iterations, warmup=warmup, block=block)
            for s in scenarios
        ]
    finally:
        await ours_client.aclose()
        await stock_client.aclose()
        await ours.endpoint.close()
    return SafetyResult(
        scale=scale,
        grid_code=grid_code,
        iterations=iterations,
        warmup=warmup,
        block=block,
        scenarios=results,
        measured_on=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def save_safety_result(result: SafetyResult) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dataclasses.asdict(result), indent=1, ensure_ascii=False)
    (RESULTS / RESULT_FILE).write_text(text + "\n", encoding="utf-8")


def load_safety_result() -> SafetyResult | None:
    path = RESULTS / RESULT_FILE
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    scenarios = []
    for s in raw.pop("scenarios"):
        s["graphql"] = Timing(tuple(s["graphql"]["samples_ms"]))
        s["baseline"] = Timing(tuple(s["baseline"]["samples_ms"]))
        scenarios.append(ScenarioResult(**s))
    return SafetyResult(scenarios=scenarios, **raw)


def safety_section(result: SafetyResult | None) -> Section:
    """The safety layer's cost, as last measured."""
    title = "The cost of the HTTP safety layer"
    if result is None:
        return Section(title, "Not measured yet: run `make bench`.")
    rows = [
        "| scenario | citybrain median / p95 (ms) | baseline median / p95 (ms) | ratio "
        "| target met? |",
        "|---|---|---|---|---|",
    ]
    for s in result.scenarios:
        met = "yes" if s.target_met else "NO"
        rows.append(
            f"| {s.name} | {s.graphql.median_ms:.2f} / {s.graphql.p95_ms:.2f} "
            f"| {s.baseline.median_ms:.2f} / {s.baseline.p95_ms:.2f} | {s.ratio:.2f}x "
            f"| {met} (≤ {s.target_ratio:g}x) |"
        )
    body = (
        f"{(__doc__ or '').split(chr(10) + chr(10), 1)[1].strip()}\n\n"
        f"Measured {result.measured_on} at {result.scale} scale (grid `{result.grid_code}`): "
        f"{result.iterations} timed requests per side and scenario, in turns of "
        f"{result.block}, after {result.warmup} warm-up requests per side. Both sides give "
        "the same JSON (checked before timing).\n\n" + "\n".join(rows) + "\n"
    )
    return Section(title, body)
