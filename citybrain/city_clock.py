"""The city's clock: every stored time of the departments is naive Beijing time (UTC+8).

The departments' systems record local time without an offset (``2026-10-31 17:13:00`` is
17:13 in Tianjin), and so does the graph: the seed, the workflow's writes, deadlines and
overdue flags, statistics periods and screening all read and write naive city time. Use
:func:`city_now` wherever "now" is compared with or stored beside such a time, and
:func:`city_time` to bring a client's time (which may carry an offset) onto that basis.

The audit trail is the exception: its records are timezone-aware and kept in UTC.

Example:
    >>> import datetime as dt
    >>> city_time(dt.datetime(2026, 11, 29, 9, 13, tzinfo=dt.UTC))
    datetime.datetime(2026, 11, 29, 17, 13)
"""

from __future__ import annotations

import datetime as dt

__all__ = ["CITY_TIME", "city_now", "city_time"]

CITY_TIME = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""The city's time zone: China Standard Time, UTC+8 all year (no daylight saving)."""


def city_now() -> dt.datetime:
    """Now on the city's clock, naive, as the departments store times."""
    return dt.datetime.now(CITY_TIME).replace(tzinfo=None)


def city_time(value: dt.datetime) -> dt.datetime:
    """``value`` as stored: naive city time (a time with an offset is converted; a naive
    time is taken to be city time already)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(CITY_TIME).replace(tzinfo=None)
