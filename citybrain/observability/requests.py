"""What one request observed on its way through the departments (a context variable).

The layers below the loaders (cache, resilience) know when a department failed, answered
or was served from the cache; they note it on the current request's
:class:`RequestObservation`, which the app turns into the response's ``extensions``
(``degraded`` always, ``lineage`` on request) and into its request log line.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from citybrain.auth.roles import Role

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from citybrain.auth.principal import Principal

__all__ = [
    "ROOT_FIELD",
    "FieldLineage",
    "RequestObservation",
    "current_observation",
    "current_request_id",
    "lineage_wanted",
    "note_operation",
    "observe_request",
    "restrict_lineage",
    "stop_observing",
    "with_root_field",
]

T = TypeVar("T")

ROOT_FIELD: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "citybrain_root_field", default=None
)
"""The response name of the top-level field being resolved (set while lineage is on)."""

_CURRENT: contextvars.ContextVar[RequestObservation | None] = contextvars.ContextVar(
    "citybrain_request", default=None
)


@dataclass(slots=True)
class FieldLineage:
    """Where one top-level field's data came from."""

    departments: set[str] = field(default_factory=set)
    round_trips: int = 0
    cache_hits: int = 0
    oldest_cached: float | None = None
    """Wall-clock seconds when the oldest cached row served was fetched."""

    def as_json(self, now: float) -> dict[str, object]:
        age = None if self.oldest_cached is None else round(max(0.0, now - self.oldest_cached), 3)
        return {
            "departments": sorted(self.departments),
            "roundTrips": self.round_trips,
            "cacheHits": self.cache_hits,
            "oldestCachedAgeSeconds": age,
        }


@dataclass(slots=True)
class RequestObservation:
    """One request: its id, when it began, degraded departments and (opt-in) lineage."""

    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)
    degraded: dict[str, tuple[str, float]] = field(default_factory=dict)
    """department -> (reason, wall-clock seconds since when it has been failing)."""
    lineage: dict[str, FieldLineage] | None = None
    """Per top-level field, when the client asked for lineage."""
    department_calls: int = 0
    operation: str | None = None
    """The operation name the client gave (set when the operation runs)."""
    outcome: str | None = None
    """``ok``, ``partial`` or ``error`` once the operation ran (None: it never did)."""
    error_codes: list[str] = field(default_factory=list)
    """``extensions.code`` of each error of the response."""

    def failed(self, department: str, reason: str, since: float) -> None:
        """A department call failed in this request."""
        self.degraded.setdefault(department, (reason, since))

    def _field(self) -> FieldLineage | None:
        if self.lineage is None:
            return None
        name = ROOT_FIELD.get() or "(request)"
        found = self.lineage.get(name)
        if found is None:
            found = self.lineage[name] = FieldLineage()
        return found

    def round_trip(self, department: str) -> None:
        """A call reached the department's own system."""
        self.department_calls += 1
        lineage = self._field()
        if lineage is not None:
            lineage.departments.add(department)
            lineage.round_trips += 1

    def cache_hit(self, department: str, stored_at: float, count: int = 1) -> None:
        """``count`` values came from the cache, stored at ``stored_at`` (wall clock)."""
        lineage = self._field()
        if lineage is not None:
            lineage.departments.add(department)
            lineage.cache_hits += count
            if lineage.oldest_cached is None or stored_at < lineage.oldest_cached:
                lineage.oldest_cached = stored_at

    def lineage_json(self) -> dict[str, object]:
        """``extensions.lineage``: per top-level field."""
        now = time.time()
        return {name: item.as_json(now) for name, item in sorted((self.lineage or {}).items())}

    def degraded_json(self) -> list[dict[str, str]]:
        """``extensions.degraded``: each department that failed, why and since when (UTC)."""
        return [
            {
                "department": department,
                "reason": reason,
                "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since)),
            }
            for department, (reason, since) in sorted(self.degraded.items())
        ]


def note_operation(name: str | None) -> None:
    """Record the operation name of the current request (for metrics and the log line)."""
    observation = _CURRENT.get()
    if observation is not None:
        observation.operation = name


def restrict_lineage(principal: Principal) -> None:
    """Drop the current request's lineage unless its caller may see every row it counts.

    Lineage counts cache hits and round trips of every lookup, visible or not: for a caller
    bound to a jurisdiction (or a citizen, or anonymous) it would tell whether a row they
    cannot read exists, and when someone else last read it. Only authenticated callers
    with a city-wide reach get it.
    """
    observation = _CURRENT.get()
    if observation is None or observation.lineage is None:
        return
    if Role.ANONYMOUS in principal.roles or principal.is_citizen or principal.jurisdiction:
        observation.lineage = None


def lineage_wanted() -> bool:
    """Whether the current request asked for lineage."""
    observation = _CURRENT.get()
    return observation is not None and observation.lineage is not None


async def with_root_field(name: str, awaitable: Awaitable[T]) -> T:
    """Await a top-level field's value with :data:`ROOT_FIELD` naming it (for lineage)."""
    token = ROOT_FIELD.set(name)
    try:
        return await awaitable
    finally:
        ROOT_FIELD.reset(token)


def current_observation() -> RequestObservation | None:
    """The observation of the request being served, if any."""
    return _CURRENT.get()


def current_request_id() -> str:
    """The id of the request being served (a fresh one outside a request)."""
    observation = _CURRENT.get()
    return observation.request_id if observation is not None else uuid.uuid4().hex


def observe_request(
    observation: RequestObservation,
) -> contextvars.Token[RequestObservation | None]:
    """Make ``observation`` the current one; reset with ``_CURRENT.reset(token)``."""
    return _CURRENT.set(observation)


def stop_observing(token: contextvars.Token[RequestObservation | None]) -> None:
    """Undo :func:`observe_request`."""
    _CURRENT.reset(token)
