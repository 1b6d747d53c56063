"""Data verification for mass events (数据核验): what screening needs, per ID number.

A batch of up to ``CITYBRAIN_SCREENING_MAX_IDS`` ID numbers is checked against the health
department in a constant number of statements: the valid, distinct numbers go through
the request's loaders (health codes by key; the latest nucleic-acid test within the window
and any vaccination dose, grouped per person), each loader splitting the batch into
chunks of 5,000 keys, and the three loads run concurrently. Only what screening asks is
derived from the rows: the code colour, whether the latest test in the window was
negative, whether the person has had a dose. Nothing else leaves this module.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citybrain.connectors import Filter
from citybrain.id_numbers import InvalidIdNumber, validate_id_number

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from citybrain.federation import RequestContext

__all__ = ["FOUND", "INVALID", "UNKNOWN", "ScreeningItem", "screen"]

FOUND = "SCREENED"
UNKNOWN = "UNKNOWN"
INVALID = "INVALID_ID_NUMBER"
_SHOWN = 32  # an invalid entry is echoed back at most this long


@dataclass(frozen=True, slots=True)
class ScreeningItem:
    """The screening result of one submitted ID number.

    Args:
        index: position of the ID number in the submitted list.
        id_number: the number as submitted (normalised: upper-case ``X``) when valid.
        outcome: ``SCREENED``, ``UNKNOWN`` (valid, but the health system has no record)
            or ``INVALID_ID_NUMBER`` (fails GB 11643; ``problem`` says which rule).
        problem: why the number is invalid.
        code_color: the health-code colour.
        negative_test_within_window: whether the latest test sampled within the window
            before the screened moment was negative (False with no test in the window).
        vaccinated: whether a dose was given on or before the screened day.
    """

    index: int
    id_number: str
    outcome: str
    problem: str | None = None
    code_color: str | None = None
    negative_test_within_window: bool | None = None
    vaccinated: bool | None = None


def _valid(id_numbers: Sequence[str]) -> list[tuple[str, str | None]]:
    """(number, problem) per submitted number; the number normalised when valid."""
    checked: list[tuple[str, str | None]] = []
    for value in id_numbers:
        try:
            checked.append((validate_id_number(value), None))
        except InvalidIdNumber as exc:
            shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
            checked.append((shown, str(exc)))
    return checked


async def screen(
    ctx: RequestContext,
    id_numbers: Sequence[str],
    *,
    at: dt.datetime,
    window_hours: int,
    wanted: Collection[str],
) -> list[ScreeningItem]:
    """Screen ``id_numbers`` at moment ``at``; load only the figures in ``wanted``.

    Args:
        ctx: the request context (its loaders batch every department call).
        id_numbers: the submitted numbers, in order (duplicates and invalid ones allowed).
        at: the screened moment (naive city time): the exam's or event's start.
        window_hours: a test counts when sampled in ``(at - window, at]``.
        wanted: which of ``code_color``, ``negative_test_within_window`` and
            ``vaccinated`` the caller selected (the others are not loaded).
    """
    checked = _valid(id_numbers)
    keys = list(dict.fromkeys(n for n, problem in checked if problem is None))
    loaders = ctx.loaders
    since = at - dt.timedelta(hours=window_hours)
    tests_in_window = (
        Filter("sampled_at", "ge", since),
        Filter("sampled_at", "lt", at + dt.timedelta(microseconds=1)),
    )
    doses_by_then = (Filter("vaccinated_on", "lt", at.date() + dt.timedelta(days=1)),)

    async def nothing() -> list[Any]:
        return [None] * len(keys)

    codes, tests, doses = await asyncio.gather(
        loaders.one("health", "health_code", "id_number").load_many(keys),
        loaders.many(
            "health", "nucleic_acid_test", "id_number", 1, None, tests_in_window
        ).load_many(keys)
        if "negative_test_within_window" in wanted and keys
        else nothing(),
        loaders.many("health", "vaccination", "id_number", 1, None, doses_by_then).load_many(keys)
        if "vaccinated" in wanted and keys
        else nothing(),
    )
    found = {
        key: (code, test, dose)
        for key, code, test, dose in zip(keys, codes, tests, doses, strict=True)
    }
    items = []
    for index, (number, problem) in enumerate(checked):
        if problem is not None:
            items.append(
                ScreeningItem(index=index, id_number=number, outcome=INVALID, problem=problem)
            )
            continue
        code, test, dose = found[number]
        if code is None:
            items.append(ScreeningItem(index=index, id_number=number, outcome=UNKNOWN))
            continue
        latest = test.rows[0] if test is not None and test.rows else None
        items.append(
            ScreeningItem(
                index=index,
                id_number=number,
                outcome=FOUND,
                code_color=code["color"],
                negative_test_within_window=None
                if test is None
                else latest is not None and latest["result"] == "NEGATIVE",
                vaccinated=None if dose is None else bool(dose.rows),
            )
        )
    return items
