"""The grid-event workflow (处置流程) as data: who may do what, from which state, where.

Each :class:`Rule` says that holders of one of ``roles`` may take ``action`` on an event in
one of the ``sources`` states, within a ``reach``, leaving it in ``target``. Nothing else is
allowed. :func:`choose_rule` checks a request against the table, in an order that tells no
more than the caller may know: the role first, then that the event exists within the
caller's reach (a missing event and one outside it are refused alike, ``FORBIDDEN`` with one
message), then the version the caller saw, then the state.

=========  ======================  ===============  ==================  ===============
action     roles                   from             to                  reach
=========  ======================  ===============  ==================  ===============
REPORT     grid_worker             (new event)      REPORTED            region
ACCEPT     grid_worker             REPORTED         ACCEPTED            region
ANALYSE    street_officer          ACCEPTED         ANALYSED            region
DISPATCH   street_officer          ANALYSED         DISPATCHED          region
WHISTLE    street_officer          DISPATCHED       WHISTLED            region
RESPOND    district_officer        WHISTLED         RESPONDED           whistled dept.
RESOLVE    street_officer          DISPATCHED       RESOLVED            region
RESOLVE    district_officer        RESPONDED        RESOLVED            whistled dept.
CLOSE      street_officer          RESOLVED         CLOSED              region
EVALUATE   street_officer          CLOSED           EVALUATED           region
=========  ======================  ===============  ==================  ===============

``region``: the event's grid lies within the caller's jurisdiction (a grid worker's grid, a
street officer's street or community). ``whistled dept.``: the event lies within the
caller's district and was whistled to the caller's department (the token's
``department`` claim).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from citybrain.auth.roles import Role
from citybrain.workflow.errors import WorkflowRefusal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from citybrain.auth.principal import Principal
    from citybrain.connectors import Row

__all__ = ["RULES", "Action", "Reach", "Rule", "choose_rule", "in_reach"]


class Action(enum.StrEnum):
    """A workflow step (the ``action`` of a timeline step)."""

    REPORT = "REPORT"
    ACCEPT = "ACCEPT"
    ANALYSE = "ANALYSE"
    DISPATCH = "DISPATCH"
    WHISTLE = "WHISTLE"
    RESPOND = "RESPOND"
    RESOLVE = "RESOLVE"
    CLOSE = "CLOSE"
    EVALUATE = "EVALUATE"


class Reach(enum.Enum):
    """Where a rule holds, relative to the caller's jurisdiction."""

    REGION = "region"
    WHISTLED_DEPARTMENT = "whistled department"


@dataclass(frozen=True, slots=True)
class Rule:
    """One allowed transition: ``roles`` may take ``action`` from ``sources`` to ``target``."""

    action: Action
    roles: frozenset[Role]
    sources: frozenset[str]
    target: str
    reach: Reach = Reach.REGION


def _rule(
    action: Action, role: Role, sources: str, target: str, reach: Reach = Reach.REGION
) -> Rule:
    return Rule(action, frozenset({role}), frozenset(sources.split()), target, reach)


_WORKER, _STREET, _DISTRICT = Role.GRID_WORKER, Role.STREET_OFFICER, Role.DISTRICT_OFFICER
_DEPT = Reach.WHISTLED_DEPARTMENT

RULES: tuple[Rule, ...] = (
    _rule(Action.REPORT, _WORKER, "", "REPORTED"),
    _rule(Action.ACCEPT, _WORKER, "REPORTED", "ACCEPTED"),
    _rule(Action.ANALYSE, _STREET, "ACCEPTED", "ANALYSED"),
    _rule(Action.DISPATCH, _STREET, "ANALYSED", "DISPATCHED"),
    _rule(Action.WHISTLE, _STREET, "DISPATCHED", "WHISTLED"),
    _rule(Action.RESPOND, _DISTRICT, "WHISTLED", "RESPONDED", _DEPT),
    _rule(Action.RESOLVE, _STREET, "DISPATCHED", "RESOLVED"),
    _rule(Action.RESOLVE, _DISTRICT, "RESPONDED", "RESOLVED", _DEPT),
    _rule(Action.CLOSE, _STREET, "RESOLVED", "CLOSED"),
    _rule(Action.EVALUATE, _STREET, "CLOSED", "EVALUATED"),
)
"""The whole workflow. Add a row to allow a transition; nothing else grants one."""


def in_reach(rule: Rule, principal: Principal, grid_code: str, found: Sequence[Row]) -> bool:
    """Whether an event in ``grid_code`` (with whistles ``found``) is within the rule's reach."""
    region = principal.jurisdiction_prefix
    if not region or not grid_code.startswith(region):
        return False
    if rule.reach is Reach.REGION:
        return True
    department = principal.department
    return bool(department) and any(w["department"] == department for w in found)


def _role_names(rules: Sequence[Rule]) -> str:
    return ", ".join(sorted({role.value for rule in rules for role in rule.roles}))


def choose_rule(
    action: Action,
    principal: Principal,
    row: Row | None,
    found: Sequence[Row],
    *,
    event_id: int | None = None,
    expected_version: int | None = None,
    grid_code: str | None = None,
) -> Rule:
    """The rule that allows ``principal`` to take ``action`` on the event ``row``.

    Args:
        action: the step asked for.
        principal: the caller.
        row: the event (None for a report, or when no such event exists).
        found: the event's whistles.
        event_id: the event asked for (for messages).
        expected_version: the version the caller saw (required for an existing event).
        grid_code: the grid of a new event (a report).

    Raises:
        WorkflowRefusal: ``FORBIDDEN`` (role; an event outside the jurisdiction or the
            department's whistles, or none at all), ``CONFLICT`` (stale version) or
            ``INVALID_TRANSITION`` (state).
    """
    rules = [r for r in RULES if r.action is action]
    mine = [r for r in rules if r.roles & principal.roles]
    if not mine:
        raise WorkflowRefusal(
            "FORBIDDEN",
            f"your role may not {action.value} an event; {action.value} is for: "
            f"{_role_names(rules)}",
        )
    if action is Action.REPORT:
        where = grid_code or ""
        reachable = [r for r in mine if in_reach(r, principal, where, found)]
        if not reachable:
            raise WorkflowRefusal(
                "FORBIDDEN", "you may report events only in a grid within your jurisdiction"
            )
        return reachable[0]
    reachable = []
    if row is not None:
        reachable = [r for r in mine if in_reach(r, principal, str(row["grid_code"]), found)]
    if row is None or not reachable:
        # A missing event and one beyond the caller's reach answer alike (code and message):
        # every workflow rule is bound to a jurisdiction, so no caller may learn which
        # events exist outside theirs.
        department = any(r.reach is Reach.WHISTLED_DEPARTMENT for r in mine)
        why = (
            "is outside your jurisdiction, was not whistled to your department, or does not exist"
            if department
            else "is outside your jurisdiction or does not exist"
        )
        raise WorkflowRefusal("FORBIDDEN", f"the event {why}")
    if expected_version is not None and row["version"] != expected_version:
        raise WorkflowRefusal(
            "CONFLICT",
            f"event {row['id']} is at version {row['version']}, not {expected_version}: it "
            "changed since you read it; read it again and decide anew",
            currentVersion=row["version"],
        )
    status = str(row["status"])
    for rule in reachable:
        if status in rule.sources:
            return rule
    allowed = sorted({s for r in reachable for s in r.sources})
    raise WorkflowRefusal(
        "INVALID_TRANSITION",
        f"event {row['id']} is {status}: {action.value} is possible only from "
        f"{' or '.join(allowed)}",
        status=status,
    )
