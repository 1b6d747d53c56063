"""Mutations of the grid-event workflow (处置流程): report, accept, analyse, dispatch, whistle,
respond, resolve, close, evaluate. The rules are data: ``citybrain/workflow/machine.py``."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from citybrain.errors import bad_user_input
from citybrain.id_numbers import InvalidIdNumber, validate_id_number
from citybrain.regions import code_level
from citybrain.resolvers import fetch_entity
from citybrain.schema.grid import EventStep, GridEvent
from citybrain.workflow import Action, Request, WorkflowRefusal, check_may_report, perform

__all__ = [
    "DispatchEventInput",
    "EvaluateEventInput",
    "EventActionInput",
    "EventTransitionResult",
    "Mutation",
    "ReportEventInput",
    "WhistleEventInput",
]

_KEY = "A key of your choosing (a UUID) for this request: retried with the same key, the "
_KEY += "mutation acts once and answers as the first time (replayed: true)."
_VERSION = "The event's `version` as you read it: if it has changed since, the mutation is "
_VERSION += "refused with CONFLICT."
_NOTE = "A note for the timeline (at most 150 characters)."


@strawberry.input(description="A workflow step on one event.")
class EventActionInput:
    event_id: int = strawberry.field(description="The event (网格事件) number.")
    expected_version: int = strawberry.field(description=_VERSION)
    note: str | None = strawberry.field(default=None, description=_NOTE)
    idempotency_key: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.input(description="Dispatch (分流交办) an analysed event to a department.")
class DispatchEventInput(EventActionInput):
    department: str = strawberry.field(description="The office that is to handle it.")


@strawberry.input(description="Whistle (吹哨): the street summons a district department.")
class WhistleEventInput(EventActionInput):
    department: str = strawberry.field(
        description="The district department summoned, e.g. 和平区城管委: its officers (a "
        "district_officer token whose `department` claim is this name) respond (报到)."
    )


@strawberry.input(description="Evaluate (评价反馈) a closed event: scores of 1 (poor) to 5.")
class EvaluateEventInput(EventActionInput):
    speed_score: int = strawberry.field(description="Response speed (响应速度), 1-5.")
    handling_score: int = strawberry.field(description="Handling (处置效果), 1-5.")


@strawberry.input(description="Report (上报) a new event in a grid.")
class ReportEventInput:
    grid_code: str = strawberry.field(description="The 15-digit grid code where it happened.")
    category_code: str = strawberry.field(
        description="A sub-category (事件小类) code of the event list, e.g. 0101."
    )
    title: str = strawberry.field(description="Short title (at most 120 characters).")
    description: str = strawberry.field(description="What was found (at most 2,000 characters).")
    reporter_id_number: str | None = strawberry.field(
        default=None,
        description="ID number of the resident who raised it, if one did (none: found on patrol).",
    )
    note: str | None = strawberry.field(default=None, description=_NOTE)
    idempotency_key: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.type(description="What a workflow mutation did (事件流转结果).")
class EventTransitionResult:
    action: str = strawberry.field(description="The step taken, e.g. DISPATCH.")
    version: int = strawberry.field(description="The event's version after the step.")
    replayed: bool = strawberry.field(
        description="True when this answers a retry: the step was taken by the first request "
        "with this idempotency key, not again."
    )
    event_id: int = strawberry.field(description="The event number.")
    step_id: strawberry.Private[int]

    @strawberry.field(description="The event as it stands now.")
    async def event(self, info: Info) -> GridEvent | None:
        selections = info.selected_fields[0].selections
        found = await fetch_entity(
            info.context, "GridEvent", ("grid", "grid_event", "id"), self.event_id, selections
        )
        return None if found is None else GridEvent.wrap(*found)

    @strawberry.field(description="The timeline step (处置环节) the mutation appended.")
    async def step(self, info: Info) -> EventStep | None:
        selections = info.selected_fields[0].selections
        found = await fetch_entity(
            info.context, "EventStep", ("grid", "event_step", "id"), self.step_id, selections
        )
        return None if found is None else EventStep.wrap(*found)


async def _run(info: Info, request: Request) -> EventTransitionResult:
    try:
        outcome = await perform(info.context, request)
    except WorkflowRefusal as refusal:
        raise refusal.as_graphql() from None
    return EventTransitionResult(
        action=outcome.action,
        version=outcome.version,
        replayed=outcome.replayed,
        event_id=outcome.event_id,
        step_id=outcome.step_id,
    )


def _step(action: Action, given: EventActionInput, **details: Any) -> Request:
    """The request of one step on an event; ``details``: a department, scores."""
    return Request(
        action,
        event_id=given.event_id,
        expected_version=given.expected_version,
        note=given.note or "",
        idempotency_key=given.idempotency_key,
        **details,
    )


async def _report(info: Info, given: ReportEventInput) -> Request:
    if code_level(given.grid_code) != "grid":
        raise bad_user_input("`gridCode` must be a 15-digit grid code", argument="gridCode")
    title, description = given.title.strip(), given.description.strip()
    if not 0 < len(title) <= 120:
        raise bad_user_input("`title` must be 1 to 120 characters", argument="title")
    if not 0 < len(description) <= 2000:
        raise bad_user_input("`description` must be 1 to 2,000 characters")
    reporter = ""
    if given.reporter_id_number is not None:
        try:
            reporter = validate_id_number(given.reporter_id_number)
        except InvalidIdNumber as exc:
            raise bad_user_input(
                f"`reporterIdNumber` is not a valid resident ID number: {exc}"
            ) from None
    try:
        check_may_report(info.context, given.grid_code)
    except WorkflowRefusal as refusal:
        raise refusal.as_graphql() from None
    loaders = info.context.loaders
    grid = await loaders.one("grid", "grid", "code").load(given.grid_code)
    if grid is None:
        raise bad_user_input("`gridCode` names no grid of the city", argument="gridCode")
    category = await loaders.one("grid", "event_category", "code").load(given.category_code)
    if category is None or category["parent_code"] is None:
        raise bad_user_input(
            "`categoryCode` must be a sub-category (事件小类) of the event list, e.g. 0101; "
            "eventCategories lists them",
            argument="categoryCode",
        )
    return Request(
        Action.REPORT,
        note=given.note or "",
        idempotency_key=given.idempotency_key,
        report={
            "title": title,
            "description": description,
            "category_code": given.category_code,
            "grid_code": given.grid_code,
            "reporter_id_number": reporter,
        },
    )


@strawberry.type(description="Changes to the city's records: the grid-event workflow (处置流程).")
class Mutation:
    @strawberry.mutation(description="Report (上报) an event: a grid worker, in their own grid.")
    async def report_event(self, info: Info, input: ReportEventInput) -> EventTransitionResult:
        return await _run(info, await _report(info, input))

    @strawberry.mutation(description="Accept (受理) a reported event: the grid's worker.")
    async def accept_event(self, info: Info, input: EventActionInput) -> EventTransitionResult:
        return await _run(info, _step(Action.ACCEPT, input))

    @strawberry.mutation(description="Analyse (分析研判) an accepted event: the street/community.")
    async def analyse_event(self, info: Info, input: EventActionInput) -> EventTransitionResult:
        return await _run(info, _step(Action.ANALYSE, input))

    @strawberry.mutation(description="Dispatch (分流交办) an analysed event: the street.")
    async def dispatch_event(self, info: Info, input: DispatchEventInput) -> EventTransitionResult:
        return await _run(info, _step(Action.DISPATCH, input, department=input.department.strip()))

    @strawberry.mutation(description="Whistle (吹哨): the street summons a district department.")
    async def whistle_event(self, info: Info, input: WhistleEventInput) -> EventTransitionResult:
        return await _run(info, _step(Action.WHISTLE, input, department=input.department.strip()))

    @strawberry.mutation(
        description="Respond (报到): the whistled department reports in on the event."
    )
    async def respond_to_whistle(
        self, info: Info, input: EventActionInput
    ) -> EventTransitionResult:
        return await _run(info, _step(Action.RESPOND, input))

    @strawberry.mutation(
        description="Resolve (办结): the street (a dispatched event) or the department that "
        "responded (a whistled one)."
    )
    async def resolve_event(self, info: Info, input: EventActionInput) -> EventTransitionResult:
        return await _run(info, _step(Action.RESOLVE, input))

    @strawberry.mutation(description="Close (结案) a resolved event: the street.")
    async def close_event(self, info: Info, input: EventActionInput) -> EventTransitionResult:
        return await _run(info, _step(Action.CLOSE, input))

    @strawberry.mutation(
        description="Evaluate (评价反馈): the street scores response speed and handling."
    )
    async def evaluate_event(self, info: Info, input: EvaluateEventInput) -> EventTransitionResult:
        scores = (input.speed_score, input.handling_score)
        return await _run(info, _step(Action.EVALUATE, input, scores=scores))
