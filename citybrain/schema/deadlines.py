"""Deadlines of grid events (办结时限): reported at + the sub-category's hours; overdue flags."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from citybrain.city_clock import city_now
from citybrain.resolvers import Prefetched

if TYPE_CHECKING:
    from collections.abc import Callable

    from citybrain.connectors import Row

__all__ = ["deadline_of", "overdue_of", "with_category"]


def deadline_of(event: Row, category: Row, now: dt.datetime | None = None) -> dt.datetime:
    """When ``event`` must be closed by: reported at + its category's ``deadline_hours``."""
    reported: dt.datetime = event["reported_at"]
    return reported + dt.timedelta(hours=int(category["deadline_hours"]))


def overdue_of(event: Row, category: Row, now: dt.datetime | None = None) -> bool:
    """Closed after the deadline, or still open past it.

    Times are naive city time, as stored; ``now`` defaults to :func:`city_now`.
    """
    closed: dt.datetime | None = event["closed_at"]
    moment = closed or now or city_now()
    return moment > deadline_of(event, category)


def with_category(entity: Any, info: Any, compute: Callable[[Row, Row], Any]) -> Any:
    """``compute(event row, category row)`` once the event's category is loaded (or None)."""
    found = entity._prefetched(info, ())

    def apply(loaded: Prefetched) -> Any:
        if loaded.error is not None:
            raise loaded.error
        category = loaded.values.get(entity._row["category_code"])
        return None if category is None else compute(entity._row, category)

    if isinstance(found, Prefetched):
        return apply(found)

    async def later() -> Any:
        return apply(await found)

    return later()
