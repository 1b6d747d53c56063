"""Grid governance (网格, 津治通) data: hierarchy, workers, categories, events, whistles."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import TYPE_CHECKING

from citybrain.connectors.grid.tables import (
    communities,
    districts,
    event_categories,
    event_steps,
    grid_events,
    grid_workers,
    grids,
    streets,
    whistles,
)
from citybrain.seed.batches import Batch
from citybrain.seed.categories import category_rows, sub_categories, sub_category_cum_weights
from citybrain.seed.demo import DEMO_GRID_CODE, DEMO_ID_NUMBER
from citybrain.seed.identity import age_of
from citybrain.seed.scales import REFERENCE_TIME, distribute
from citybrain.seed.timeline import STATUS_AFTER, Step, plan_timeline, step_row

if TYPE_CHECKING:
    from collections.abc import Iterator

    from citybrain.seed.categories import SubCategory
    from citybrain.seed.hierarchy import GridArea, Hierarchy
    from citybrain.seed.people import Population
    from citybrain.seed.scales import Scale

__all__ = ["EVENT_DAYS", "generate_grid"]

EVENT_DAYS = 730  # events were reported over the two years before the reference time
_HOUR_CUM_WEIGHTS = tuple(
    itertools.accumulate(
        (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 9, 10, 12, 12, 11, 10, 8, 6, 5, 3, 2, 1)
    )
)
_SPOTS = ("附近", "路口", "小区门口", "沿街商铺前", "楼道内", "广场", "背街小巷")
_DETAILS = ("情况已持续多日", "影响居民正常生活", "存在一定安全风险", "多名居民反映", "已拍照留存")
_DAYS_PER_BATCH = 10
# (days before the reference time, hour, sub-category, whistled, evaluated, stalled)
_DEMO_EVENTS = (
    (233, 9, "0403", True, True, False),
    (423, 19, "0606", False, False, False),
    (152, 10, "0101", False, True, False),
    (4, 8, "0112", False, False, True),
)


class _EventGenerator:
    def __init__(self, rng: random.Random, hierarchy: Hierarchy, population: Population) -> None:
        self.rng = rng
        self.grids = hierarchy.grids
        self.residents = population.residents
        self.subs = sub_categories()
        self.sub_by_code = {s.code: s for s in self.subs}
        self.sub_cum_weights = sub_category_cum_weights(self.subs)
        self.event_ids = itertools.count(1)
        self.step_ids = itertools.count(1)
        self.whistle_ids = itertools.count(1)

    def reporter(self, grid: GridArea) -> str:
        residents = self.residents[grid.index]
        for _ in range(4):
            id_number = self.rng.choice(residents)
            if age_of(id_number) >= 16 and id_number != DEMO_ID_NUMBER:
                return id_number
        return residents[-1]

    def event(
        self,
        out: Batch,
        grid: GridArea,
        reporter: str,
        reported_at: dt.datetime,
        sub: SubCategory,
        *,
        whistle: bool,
        evaluated: bool,
        stalled: bool,
    ) -> None:
        rng = self.rng
        event_id = next(self.event_ids)
        deadline = sub.deadline_hours
        steps = plan_timeline(
            rng, reported_at, deadline, whistle=whistle, evaluated=evaluated, stalled=stalled
        )
        done = {step.action: step for step in steps}
        department = f"{grid.district_name}{rng.choice(sub.parent.departments)}" if whistle else ""
        closed = done.get("CLOSE")
        out.add(
            grid_events,
            {
                "id": event_id,
                "title": f"{grid.community_name}{sub.name}",
                "description": (
                    f"{grid.full_name}{rng.choice(_SPOTS)}发现{sub.name}问题，"
                    f"{rng.choice(_DETAILS)}，请尽快处置。"
                ),
                "category_code": sub.code,
                "grid_code": grid.code,
                "status": STATUS_AFTER[steps[-1].action],
                "reporter_id_number": reporter,
                "reported_at": reported_at,
                "closed_at": closed.at if closed else None,
                "version": len(steps),
            },
        )
        for step in steps:
            out.add(
                event_steps,
                step_row(rng, next(self.step_ids), event_id, step, grid, sub, department),
            )
        if "WHISTLE" in done:
            self._whistle(out, event_id, grid, department, done)

    def _whistle(
        self, out: Batch, event_id: int, grid: GridArea, department: str, done: dict[str, Step]
    ) -> None:
        rng = self.rng
        responded = done.get("RESPOND")
        scored = "EVALUATE" in done
        out.add(
            whistles,
            {
                "id": next(self.whistle_ids),
                "event_id": event_id,
                "street_code": grid.street_code,
                "department": department,
                "whistled_at": done["WHISTLE"].at,
                "responded_at": responded.at if responded else None,
                "speed_score": rng.choices((1, 2, 3, 4, 5), (2, 4, 14, 40, 40))[0]
                if scored
                else None,
                "handling_score": rng.choices((1, 2, 3, 4, 5), (2, 3, 15, 40, 40))[0]
                if scored
                else None,
            },
        )

    def day(self, out: Batch, start: dt.datetime, count: int) -> None:
        rng = self.rng
        seconds = sorted(
            rng.choices(range(24), cum_weights=_HOUR_CUM_WEIGHTS)[0] * 3600 + rng.randrange(3600)
            for _ in range(count)
        )
        for second in seconds:
            grid = self.grids[rng.randrange(len(self.grids))]
            sub = rng.choices(self.subs, cum_weights=self.sub_cum_weights)[0]
            self.event(
                out,
                grid,
                self.reporter(grid),
                start + dt.timedelta(seconds=second),
                sub,
                whistle=rng.random() < 0.04,
                evaluated=rng.random() < 0.62,
                stalled=rng.random() < 0.018,
            )

    def demo_events(self, out: Batch, grid: GridArea) -> None:
        """The demo resident's events; the first was whistled and has a full timeline."""
        for days, hour, code, whistle, evaluated, stalled in _DEMO_EVENTS:
            reported_at = REFERENCE_TIME - dt.timedelta(days=days) + dt.timedelta(hours=hour)
            self.event(
                out,
                grid,
                DEMO_ID_NUMBER,
                reported_at,
                self.sub_by_code[code],
                whistle=whistle,
                evaluated=evaluated,
                stalled=stalled,
            )


def _first_rows(hierarchy: Hierarchy, population: Population) -> Batch:
    out = Batch()
    out.extend(districts, hierarchy.districts)
    out.extend(streets, hierarchy.streets)
    out.extend(communities, hierarchy.communities)
    out.extend(grids, hierarchy.grid_rows())
    out.extend(event_categories, category_rows())
    out.extend(grid_workers, population.workers)
    return out


def generate_grid(
    seed: int, hierarchy: Hierarchy, scale: Scale, population: Population
) -> Iterator[Batch]:
    """The hierarchy, workers and categories, then events day by day, oldest first."""
    rng = random.Random(f"{seed}:grid")
    generator = _EventGenerator(rng, hierarchy, population)
    yield _first_rows(hierarchy, population)
    first_day = REFERENCE_TIME - dt.timedelta(days=EVENT_DAYS)
    # More events on weekdays, and slowly more as the system spread.
    day_weights = [
        (1.0 if (first_day + dt.timedelta(days=d)).weekday() < 5 else 0.7)
        * (0.8 + 0.4 * d / EVENT_DAYS)
        for d in range(EVENT_DAYS)
    ]
    per_day = distribute(scale.events, day_weights, minimum=0)
    for start in range(0, EVENT_DAYS, _DAYS_PER_BATCH):
        out = Batch()
        for d in range(start, min(start + _DAYS_PER_BATCH, EVENT_DAYS)):
            generator.day(out, first_day + dt.timedelta(days=d), per_day[d])
            out.done += per_day[d]
        yield out
    out = Batch()
    demo_grid = next(g for g in hierarchy.grids if g.code == DEMO_GRID_CODE)
    generator.demo_events(out, demo_grid)
    yield out
