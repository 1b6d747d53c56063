"""Carry out one workflow request: check it, write it in one transaction, audit, publish.

The order is what makes a refusal change nothing and a transition never go unaudited:

1. the input is checked (``BAD_USER_INPUT``), the audit store must be writable;
2. the grid connector's :meth:`~citybrain.connectors.grid.EventWrites.transition` opens one
   transaction, reads the event and lets :func:`~citybrain.workflow.machine.choose_rule`
   refuse or allow it; the changes and the step are written;
3. the audit record of the transition is appended *before* the commit: if the audit store
   fails, the transition is rolled back;
4. after the commit the request's cached rows are dropped (:func:`invalidate_after_write`)
   and the update is published to subscribers.

A refused request is noted for the request's audit batch with the decision ``deny``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from citybrain.auth.audit import AuditRecord, AuditUnavailable, operation_hash
from citybrain.auth.roles import Role
from citybrain.auth.sensitivity import Decision
from citybrain.city_clock import city_now
from citybrain.connectors.grid.writes import (
    Change,
    EventWrites,
    IdempotencyKeyReused,
    StaleVersion,
    Transition,
)
from citybrain.workflow.errors import CONFLICT, WorkflowRefusal
from citybrain.workflow.machine import Action, choose_rule
from citybrain.workflow.updates import EventUpdate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from citybrain.auth.principal import Principal
    from citybrain.connectors import Connector, Row
    from citybrain.connectors.grid.writes import TransitionOutcome
    from citybrain.federation import RequestContext

__all__ = ["Request", "check_may_report", "invalidate_after_write", "perform", "writer_of"]

logger = logging.getLogger(__name__)

_NOTE_MAX = 150
_KEY_MAX = 128
_DEPARTMENT_MAX = 40


@dataclass(frozen=True, slots=True)
class Request:
    """One workflow request, as the mutation received it.

    Args:
        action: the step asked for.
        event_id: the event (None for a report).
        expected_version: the event version the caller last read.
        note: the caller's note for the timeline.
        idempotency_key: the client's key: a retry with the same key acts once.
        department: the department of a dispatch or a whistle.
        scores: ``(speed, handling)`` of an evaluation, 1-5 each.
        report: the new event of a report (title, description, category_code,
            grid_code, reporter_id_number).
    """

    action: Action
    event_id: int | None = None
    expected_version: int | None = None
    note: str = ""
    idempotency_key: str | None = None
    department: str | None = None
    scores: tuple[int, int] | None = None
    report: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self, caller: Principal | None = None) -> str:
        """A hash of what the request asks and with what authority, to tell a retry from a
        reused key.

        The caller's roles, jurisdiction and department are part of it: a replay answers
        from the first request's record without deciding again, so one person's token
        with other rights (another grid, another role) must not be answered from it.
        """
        authority = None
        if caller is not None:
            roles = sorted(r.value for r in caller.roles)
            authority = [roles, caller.jurisdiction, caller.department]
        body = {
            "caller": authority,
            "action": self.action.value,
            "event": self.event_id,
            "version": self.expected_version,
            "note": self.note,
            "department": self.department,
            "scores": self.scores,
            "report": self.report,
        }
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def writer_of(connector: Connector) -> EventWrites:
    """The grid connector's write side, past any read layers wrapped around it.

    A layer that wraps a connector (a cache, a breaker) exposes the wrapped one as
    ``inner``; writes go straight to the source, never through a read layer's retries.

    Raises:
        WorkflowRefusal: the grid department's connector takes no writes.
    """
    seen: Any = connector
    for _ in range(8):
        if isinstance(seen, EventWrites):
            return seen
        seen = getattr(seen, "inner", None)
        if seen is None:
            break
    raise WorkflowRefusal(
        "DEPARTMENT_UNAVAILABLE",
        "the grid department's connector does not accept workflow changes",
        department="grid",
    )


#: The grid entities a transition may change: their cached rows and lists are dropped.
CHANGED_ENTITIES = ("grid_event", "event_step", "whistle")


async def invalidate_after_write(ctx: RequestContext, outcome: TransitionOutcome) -> None:
    """Forget every cached read that a transition may have changed: the one place to do so.

    The request's own loaders are replaced (a later field of the same request reads the new
    state), and the grid connector as the graph reads it (the cache layer in front of the
    department, when there is one) is told, through ``invalidate(entity)``, to drop the
    events, timelines and whistles it holds (in Redis: for every process). A failed
    invalidation is logged, never raised: the transition is committed.
    """
    ctx.loaders = ctx.loaders.fresh()
    connector: Any = ctx.loaders.connector("grid")
    invalidate = getattr(connector, "invalidate", None)
    if invalidate is None:
        return
    for entity in CHANGED_ENTITIES:
        try:
            await invalidate(entity)
        except Exception as exc:
            logger.error("could not invalidate cached %s rows: %s", entity, type(exc).__name__)


def _check_input(request: Request) -> None:
    def bad(message: str) -> WorkflowRefusal:
        return WorkflowRefusal("BAD_USER_INPUT", message)

    if len(request.note) > _NOTE_MAX:
        raise bad(f"`note` may hold at most {_NOTE_MAX} characters")
    key = request.idempotency_key
    if key is not None and not (0 < len(key) <= _KEY_MAX and key.isprintable()):
        raise bad(f"`idempotencyKey` must be 1 to {_KEY_MAX} printable characters (a UUID)")
    if request.action is not Action.REPORT and request.expected_version is None:
        raise bad("`expectedVersion` is required: send the event's `version` as you read it")
    if request.department is not None:
        department = request.department.strip()
        if not department or len(department) > _DEPARTMENT_MAX:
            raise bad(f"`department` must be 1 to {_DEPARTMENT_MAX} characters")
    if request.scores is not None and not all(1 <= s <= 5 for s in request.scores):
        raise bad("`speedScore` and `handlingScore` are scores from 1 to 5")
    texts = [request.note, request.department or "", key or "", *map(str, request.report.values())]
    if any("\x00" in text for text in texts):
        raise bad("text must not contain NUL characters")


def _actor(ctx: RequestContext, action: Action) -> tuple[str, str]:
    """``(actor_role, actor_name)`` of the timeline step, as the seeded timelines name them."""
    principal = ctx.principal
    if (
        Role.DISTRICT_OFFICER in principal.roles
        and principal.department
        and action
        in (
            Action.RESPOND,
            Action.RESOLVE,
        )
    ):
        return "DEPARTMENT", principal.department[:32]
    if Role.GRID_WORKER in principal.roles and action in (Action.REPORT, Action.ACCEPT):
        return "GRID_WORKER", principal.subject[:32]
    level = len(principal.jurisdiction_prefix or "")
    return ("COMMUNITY" if level >= 12 else "STREET"), principal.subject[:32]


def _note(request: Request) -> str:
    own = request.note.strip()
    match request.action:
        case Action.DISPATCH:
            text = f"分流交办至{request.department}"
        case Action.WHISTLE:
            text = f"街道吹哨，召集{request.department}到场处置"
        case Action.EVALUATE if request.scores is not None:
            text = f"评价：响应速度{request.scores[0]}分，处置效果{request.scores[1]}分"
        case _:
            return own
    return f"{text}；{own}" if own else text


def _decider(ctx: RequestContext, request: Request) -> Any:
    principal = ctx.principal

    def decide(row: Row | None, found: Sequence[Row]) -> Change:
        rule = choose_rule(
            request.action,
            principal,
            row,
            found,
            event_id=request.event_id,
            expected_version=request.expected_version,
            grid_code=request.report.get("grid_code"),
        )
        role, name = _actor(ctx, request.action)
        step = {"action": request.action.value, "actor_role": role, "actor_name": name}
        step["note"] = _note(request)
        match request.action:
            case Action.REPORT:
                return Change(rule.target, step, new_event=dict(request.report))
            case Action.WHISTLE:
                return Change(rule.target, step, whistle="open", department=request.department)
            case Action.RESPOND:
                return Change(rule.target, step, whistle="respond", department=principal.department)
            case Action.EVALUATE:
                return Change(rule.target, step, whistle="score", scores=request.scores)
            case Action.CLOSE:
                return Change(rule.target, step, closes=True)
            case _:
                return Change(rule.target, step, department=request.department)

    return decide


def _client(ctx: RequestContext) -> str:
    client = getattr(ctx.request, "client", None)
    return client.host if client is not None else ""


def _record(ctx: RequestContext, event_key: str, action: Action, decision: Decision) -> AuditRecord:
    principal = ctx.principal
    return AuditRecord(
        at=dt.datetime.now(dt.UTC),
        subject=principal.subject,
        roles=tuple(sorted(r.value for r in principal.roles)),
        purpose=principal.purpose,
        entity_type="GridEvent",
        entity_key=event_key,
        fields=((f"transition:{action.value}", decision.value),),
        request_id=ctx.request_id,
        operation_hash=ctx.operation_hash or operation_hash(""),
        client_address=_client(ctx),
    )


def check_may_report(ctx: RequestContext, grid_code: str) -> None:
    """Refuse a report by a caller whose role or jurisdiction does not allow it, before any
    lookup (so that the answer says nothing of the grids and categories it would check).

    Raises:
        WorkflowRefusal: ``FORBIDDEN`` (noted for the audit with the decision ``deny``).
    """
    try:
        choose_rule(Action.REPORT, ctx.principal, None, (), grid_code=grid_code)
    except WorkflowRefusal:
        if ctx.access is not None:
            ctx.access.note("GridEvent", "new", "transition:REPORT", Decision.DENY)
        raise


async def perform(ctx: RequestContext, request: Request) -> TransitionOutcome:
    """Carry out ``request`` for the caller of ``ctx``, or refuse it changing nothing.

    Raises:
        WorkflowRefusal: with the code the client sees (``FORBIDDEN``, also for an event
            that does not exist, ``INVALID_TRANSITION``, ``CONFLICT``, ``BAD_USER_INPUT``,
            ``AUDIT_UNAVAILABLE``, ``DEPARTMENT_UNAVAILABLE``).
    """
    access = ctx.access
    try:
        _check_input(request)
        if access is not None and not access.audit_ready:
            raise WorkflowRefusal(
                "AUDIT_UNAVAILABLE",
                "the audit trail cannot be written now, so no change is made; try again later",
            )
        outcome = await _write(ctx, request)
    except WorkflowRefusal as refusal:
        if access is not None and refusal.code not in ("BAD_USER_INPUT", "AUDIT_UNAVAILABLE"):
            key = str(request.event_id) if request.event_id is not None else "new"
            access.note("GridEvent", key, f"transition:{request.action.value}", Decision.DENY)
        raise
    if not outcome.replayed:
        await invalidate_after_write(ctx, outcome)
        if ctx.updates is not None:
            await ctx.updates.publish(
                EventUpdate(
                    event_id=outcome.event_id,
                    step_id=outcome.step_id,
                    action=outcome.action,
                    status=outcome.status,
                    version=outcome.version,
                    grid_code=outcome.grid_code,
                    at=outcome.at,
                )
            )
    return outcome


async def _write(ctx: RequestContext, request: Request) -> TransitionOutcome:
    writer = writer_of(ctx.loaders.connector("grid"))
    transition = Transition(
        event_id=request.event_id,
        subject=ctx.principal.subject,
        idempotency_key=request.idempotency_key,
        fingerprint=request.fingerprint(ctx.principal),
        action=request.action.value,
        at=city_now(),
    )
    store = ctx.audit_store

    async def audit(outcome: TransitionOutcome) -> None:
        if store is None:
            return
        record = _record(ctx, str(outcome.event_id), request.action, Decision.ALLOW)
        await store.append([record])

    try:
        return await writer.transition(transition, _decider(ctx, request), before_commit=audit)
    except WorkflowRefusal:
        raise
    except StaleVersion as exc:
        raise WorkflowRefusal(
            CONFLICT,
            f"event {exc.event_id} was changed by someone else at the same moment; read it "
            "again and decide anew",
        ) from None
    except IdempotencyKeyReused as exc:
        raise WorkflowRefusal("BAD_USER_INPUT", str(exc), argument="idempotencyKey") from None
    except AuditUnavailable:
        raise WorkflowRefusal(
            "AUDIT_UNAVAILABLE",
            "the audit trail could not be written, so the change was not made; try again",
        ) from None
    except Exception as exc:
        logger.error("grid workflow write failed: %s", type(exc).__name__)
        raise WorkflowRefusal(
            "DEPARTMENT_UNAVAILABLE",
            "the grid department could not record the change; nothing was changed",
            department="grid",
        ) from exc
