"""What a workflow transition asks of the grid department, and what it did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from citybrain.connectors.base import Row

__all__ = ["Change", "IdempotencyKeyReused", "StaleVersion", "Transition", "TransitionOutcome"]


class StaleVersion(Exception):
    """The event changed between the read and the update (another transition won)."""

    def __init__(self, event_id: int) -> None:
        super().__init__(f"event {event_id} was changed by another transition meanwhile")
        self.event_id = event_id


class IdempotencyKeyReused(Exception):
    """An idempotency key the caller already used for a different request."""


@dataclass(frozen=True, slots=True)
class Change:
    """What one allowed transition writes (returned by the workflow's ``decide``).

    Args:
        status: the event's status afterwards.
        step: ``action``, ``actor_role``, ``actor_name``, ``note`` of the timeline step.
        new_event: for a report, the new event's columns (without id, status, version).
        whistle: ``"open"`` (a new whistle to ``department``), ``"respond"`` (the open
            whistle of ``department`` is answered), ``"score"`` (unscored whistles get
            ``speed_score`` / ``handling_score``) or None.
        department: the department of a whistle operation.
        scores: ``(speed, handling)`` for ``"score"``.
        closes: the event is closed by this step (``closed_at`` is set).
    """

    status: str
    step: dict[str, str]
    new_event: Row | None = None
    whistle: str | None = None
    department: str | None = None
    scores: tuple[int, int] | None = None
    closes: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    """One requested transition, as the connector needs it.

    Args:
        event_id: the event (None for a report, which creates one).
        subject: who asks (the token's subject), scoping idempotency keys.
        idempotency_key: the client's key for this request, if any.
        fingerprint: a hash of the request, to tell a retry from a reused key.
        action: e.g. ``"ACCEPT"``.
        at: the time of the step (naive city time, as the seeded rows: see
            :mod:`citybrain.city_clock`).
    """

    event_id: int | None
    subject: str
    idempotency_key: str | None
    fingerprint: str
    action: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class TransitionOutcome:
    """What a transition did (or, when ``replayed``, what the first request did)."""

    event_id: int
    step_id: int
    version: int
    action: str
    status: str
    grid_code: str
    at: dt.datetime
    replayed: bool = False
    department: str | None = None
