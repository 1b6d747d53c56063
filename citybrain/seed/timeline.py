"""An event's workflow (处置流程): 上报, 受理, 研判, 交办, 吹哨, 报到, 办结, 结案, 评价."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citybrain.seed.scales import REFERENCE_TIME

if TYPE_CHECKING:
    import random

    from citybrain.seed.categories import SubCategory
    from citybrain.seed.hierarchy import GridArea

__all__ = ["STATUS_AFTER", "Step", "plan_timeline", "step_row"]

# The status an event has once a step is its latest.
STATUS_AFTER = {
    "REPORT": "REPORTED",
    "ACCEPT": "ACCEPTED",
    "ANALYSE": "ANALYSED",
    "DISPATCH": "DISPATCHED",
    "WHISTLE": "WHISTLED",
    "RESPOND": "RESPONDED",
    "RESOLVE": "RESOLVED",
    "CLOSE": "CLOSED",
    "EVALUATE": "EVALUATED",
}
# Seconds from the previous step, as (shortest, longest); RESOLVE depends on the deadline.
_GAPS = {
    "ACCEPT": (300, 4 * 3600),
    "ANALYSE": (1800, 12 * 3600),
    "DISPATCH": (1800, 6 * 3600),
    "WHISTLE": (2 * 3600, 48 * 3600),
    "RESPOND": (1800, 24 * 3600),
    "CLOSE": (3600, 24 * 3600),
    "EVALUATE": (3600, 72 * 3600),
}
_CHANNELS = ("通过津心办上报", "拨打12345热线反映", "向网格员当面反映", "通过津治通随手拍上报")
_OPINIONS = ("非常满意", "满意", "满意", "满意", "基本满意", "不满意")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a planned timeline."""

    action: str
    at: dt.datetime


def plan_timeline(
    rng: random.Random,
    reported_at: dt.datetime,
    deadline_hours: int,
    *,
    whistle: bool,
    evaluated: bool,
    stalled: bool,
) -> list[Step]:
    """The steps an event went through by the reference time (later ones not yet taken)."""
    actions = ["REPORT", "ACCEPT", "ANALYSE", "DISPATCH"]
    actions += ["WHISTLE", "RESPOND"] if whistle else []
    actions += ["RESOLVE", "CLOSE"] + (["EVALUATE"] if evaluated else [])
    if stalled:  # still pending: stopped somewhere before CLOSE
        actions = actions[: rng.randint(1, actions.index("CLOSE"))]
    steps = [Step("REPORT", reported_at)]
    at = reported_at
    for action in actions[1:]:
        if action == "RESOLVE":
            at += dt.timedelta(seconds=rng.randint(7200, int(deadline_hours * 3600 * 1.1)))
        else:
            low, high = _GAPS[action]
            at += dt.timedelta(seconds=rng.randint(low, high))
        if at >= REFERENCE_TIME:
            break
        steps.append(Step(action, at))
    return steps


def step_row(
    rng: random.Random,
    step_id: int,
    event_id: int,
    step: Step,
    grid: GridArea,
    sub: SubCategory,
    department: str,
) -> dict[str, Any]:
    """The event_steps row of one step: who did it and what they noted."""
    street = f"{grid.street_name}综治中心"
    match step.action:
        case "REPORT":
            role, name, note = "RESIDENT", "居民", rng.choice(_CHANNELS)
        case "ACCEPT":
            role, name = "GRID_WORKER", f"{grid.community_name}{grid.name}网格员"
            note = "已受理，现场核实情况属实"
        case "ANALYSE":
            role, name = "COMMUNITY", f"{grid.community_name}网格工作站"
            note = f"研判为{sub.parent.name}·{sub.name}，需街道协调处置"
        case "DISPATCH":
            role, name = "STREET", street
            note = f"分流交办至相关科室，限{sub.deadline_hours}小时内办结"
        case "WHISTLE":
            role, name, note = "STREET", street, f"街道吹哨，召集{department}到场处置"
        case "RESPOND":
            role, name, note = "DEPARTMENT", department, "部门报到，已到场对接处置"
        case "RESOLVE":
            role, name = ("DEPARTMENT", department) if department else ("STREET", street)
            note = "已处置完毕，现场恢复正常"
        case "CLOSE":
            role, name, note = "STREET", street, "经网格员回访核实，予以结案"
        case _:
            role, name, note = "RESIDENT", "居民", rng.choice(_OPINIONS)
    return {
        "id": step_id,
        "event_id": event_id,
        "action": step.action,
        "actor_role": role,
        "actor_name": name,
        "at": step.at,
        "note": note,
    }
