"""Data verification for mass events (数据核验) in the graph: ``screenPersons``.

A verifier (role ``verifier``) declaring the purpose ``event-screening`` submits up to
``CITYBRAIN_SCREENING_MAX_IDS`` resident ID numbers as a list variable and gets, per
number and in the submitted order, only what screening needs: the health-code colour,
whether the latest nucleic-acid test within the window was negative, whether the person
is vaccinated. An invalid ID number is reported in its own item; the batch goes on.

Every valid number looked up is audited: one record per person, listing the fields served.
The field is a capped batch lookup, not a connection; its cost for a cost limit is
:func:`screening_cost`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info  # noqa: TC002 - read by strawberry at schema build
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from citybrain.auth.access import AUDIT_UNAVAILABLE, forbidden
from citybrain.auth.roles import Role
from citybrain.auth.sensitivity import Decision
from citybrain.city_clock import city_now, city_time
from citybrain.errors import bad_user_input
from citybrain.resolvers.screening import screen
from citybrain.schema.enums import HealthCodeColor

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from strawberry.types.nodes import Selection

    from citybrain.federation import RequestContext

__all__ = [
    "FIELD_COST_RULES",
    "SCREENING_BASE_COST",
    "SCREENING_COST_PER_ID",
    "SCREENING_PURPOSE",
    "SCREENING_TYPES",
    "ScreeningBatch",
    "ScreeningOutcome",
    "ScreeningResult",
    "screen_persons",
    "screening_cost",
    "screening_moment",
]

SCREENING_PURPOSE = "event-screening"
"""The purpose a verifier declares (``X-Purpose``) to screen."""

SCREENING_BASE_COST = 10
"""Cost of a ``screenPersons`` field itself, for a cost limit."""
SCREENING_COST_PER_ID = 1
"""Cost added per submitted ID number (each is three health lookups, batched)."""


def screening_cost(arguments: Mapping[str, Any]) -> int:
    """The cost of one ``screenPersons`` field with these (coerced) arguments.

    A cost limit (per-field cost rules) calls it with the field's arguments, variables
    substituted: ``SCREENING_BASE_COST + SCREENING_COST_PER_ID * len(idNumbers)``. The
    list may not hold more than ``CITYBRAIN_SCREENING_MAX_IDS`` numbers in any case.

    Example:
        >>> screening_cost({"idNumbers": ["120101199003071235"] * 10_000})
        10010
    """
    numbers = arguments.get("idNumbers") or arguments.get("id_numbers") or ()
    return SCREENING_BASE_COST + SCREENING_COST_PER_ID * len(numbers)


FIELD_COST_RULES: dict[str, Callable[[Mapping[str, Any]], int]] = {
    "Query.screenPersons": screening_cost,
}
"""Per-field cost rules of this module, for a cost limit: ``"Type.field"`` -> the cost of
one such field given its coerced arguments (``{"idNumbers": [...], "at": ...}``)."""


@strawberry.enum(description="What screening found for one ID number (核验结果).")
class ScreeningOutcome(enum.Enum):
    SCREENED = strawberry.enum_value("SCREENED", description="Found and screened.")
    UNKNOWN = strawberry.enum_value(
        "UNKNOWN", description="A valid number the health system holds no record of."
    )
    INVALID_ID_NUMBER = strawberry.enum_value(
        "INVALID_ID_NUMBER", description="Not a valid resident ID number (GB 11643)."
    )


@strawberry.type(description="Screening of one submitted ID number: only what screening needs.")
class ScreeningResult:
    index: int = strawberry.field(description="Position of the number in the submitted list.")
    id_number: str = strawberry.field(description="The number as submitted (normalised).")
    outcome: ScreeningOutcome = strawberry.field(description="Screened, unknown or invalid.")
    problem: str | None = strawberry.field(description="Why the number is invalid.")
    code_color: HealthCodeColor | None = strawberry.field(description="Health-code colour.")
    negative_test_within_window: bool | None = strawberry.field(
        description="Whether the latest nucleic-acid test sampled within `testWindowHours` "
        "before `at` was negative (false with no test in the window)."
    )
    vaccinated: bool | None = strawberry.field(
        description="Whether a vaccine dose was given on or before the day of `at`."
    )


@strawberry.type(description="The result of one screening batch (数据核验).")
class ScreeningBatch:
    at: dt.datetime = strawberry.field(description="The moment screened (city time).")
    test_window_hours: int = strawberry.field(description="Hours a negative test counts.")
    checked: int = strawberry.field(description="Numbers submitted.")
    results: list[ScreeningResult] = strawberry.field(
        description="One result per submitted number, in the submitted order."
    )


SCREENING_TYPES: tuple[type, ...] = (ScreeningBatch, ScreeningResult)

# Fields of ScreeningResult about a person (audited) and the figure each needs loaded.
_AUDITED = {
    "idNumber": None,
    "outcome": None,
    "codeColor": "code_color",
    "negativeTestWithinWindow": "negative_test_within_window",
    "vaccinated": "vaccinated",
}


def _names(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _names(selection.selections)


def _result_fields(info: Info) -> set[str]:
    """Names of the ScreeningResult fields the query selects (through fragments too)."""
    return {
        field.name
        for batch_field in _names(info.selected_fields[0].selections)
        if batch_field.name == "results"
        for field in _names(batch_field.selections)
    }


def _check_caller(ctx: RequestContext, selected: set[str]) -> None:
    access = ctx.access
    if access is None:  # policies switched off (benchmarks)
        return
    principal = access.principal
    if Role.VERIFIER not in principal.roles or principal.purpose != SCREENING_PURPOSE:
        raise forbidden(
            f"Query.screenPersons (verifiers declaring the purpose {SCREENING_PURPOSE})"
        )
    if not access.scope.city_wide:
        raise forbidden("Query.screenPersons (a verifier token without a jurisdiction)")
    names = [f"ScreeningBatch.{n}" for n in ("at", "testWindowHours", "checked", "results")]
    names += [f"ScreeningResult.{n}" for n in selected if n != "__typename"]
    denied = [n for n in names if access.decisions.get(n) is not Decision.ALLOW]
    if denied:
        raise forbidden(denied[0])
    if selected & _AUDITED.keys() and not access.audit_ready:
        raise GraphQLError(
            "screening results are personal data and the audit trail cannot be written "
            "now; try again later",
            extensions={"code": AUDIT_UNAVAILABLE},
        )


def screening_moment(at: dt.datetime | None, window_hours: int) -> dt.datetime:
    """The screened moment as stored (naive city time): ``at``, or now when null.

    Raises:
        GraphQLError: ``BAD_USER_INPUT`` when ``at`` lies more than ``window_hours`` from
            now: stepping ``at`` through the past would rebuild a person's test and
            vaccination history one screening at a time.
    """
    now = city_now()
    if at is None:
        return now
    moment = city_time(at)
    if abs(moment - now) > dt.timedelta(hours=window_hours):
        raise bad_user_input(
            f"`at` must lie within {window_hours} hours of now ({now:%Y-%m-%dT%H:%M} city "
            "time): screening is for an event about to start or under way, not for a "
            "person's history",
            argument="at",
        )
    return moment


async def screen_persons(
    info: Info,
    id_numbers: Annotated[
        list[str],
        strawberry.argument(description="Resident ID numbers; send them as a list variable."),
    ],
    at: Annotated[
        dt.datetime | None,
        strawberry.argument(
            description="The moment to screen for (the exam's start); null: now. It must "
            "lie within `CITYBRAIN_SCREENING_AT_WINDOW_HOURS` (default 24) hours of now, "
            "before or after; further is BAD_USER_INPUT: screening answers for an event, "
            "it does not look through a person's history."
        ),
    ] = None,
) -> ScreeningBatch | None:
    """Screen up to ``CITYBRAIN_SCREENING_MAX_IDS`` ID numbers (数据核验)."""
    ctx: RequestContext = info.context
    settings = ctx.settings
    selected = _result_fields(info)
    _check_caller(ctx, selected)
    if len(id_numbers) > settings.screening_max_ids:
        raise bad_user_input(
            f"`idNumbers` holds {len(id_numbers)} numbers; at most "
            f"{settings.screening_max_ids} per request: split the list",
            argument="idNumbers",
        )
    moment = screening_moment(at, settings.screening_at_window_hours)
    window = settings.screening_test_window_hours
    wanted = {figure for name, figure in _AUDITED.items() if figure and name in selected}
    items = (
        await screen(ctx, id_numbers, at=moment, window_hours=window, wanted=wanted)
        if selected
        else []
    )
    audited = [name for name in _AUDITED if name in selected]
    access = ctx.access
    results = []
    for item in items:
        if access is not None and audited and item.outcome != "INVALID_ID_NUMBER":
            for name in audited:
                access.note("ScreeningResult", item.id_number, name, Decision.ALLOW)
        results.append(
            ScreeningResult(
                index=item.index,
                id_number=item.id_number,
                outcome=ScreeningOutcome(item.outcome),
                problem=item.problem,
                code_color=None if item.code_color is None else HealthCodeColor(item.code_color),
                negative_test_within_window=item.negative_test_within_window,
                vaccinated=item.vaccinated,
            )
        )
    return ScreeningBatch(
        at=moment, test_window_hours=window, checked=len(id_numbers), results=results
    )
