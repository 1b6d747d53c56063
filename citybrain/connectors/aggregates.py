"""SQL building blocks of aggregate queries that SQLite and PostgreSQL spell differently.

Statistics run in the department's own database (``GROUP BY``), never as Python loops over
rows. Three things differ between the two engines and are written here once:

- :class:`hours_between`: hours from one timestamp to another (``julianday`` arithmetic on
  SQLite, ``EXTRACT(EPOCH FROM ...)`` on PostgreSQL);
- :class:`day_of`: the calendar day of a timestamp (``date(...)`` on SQLite, a cast on
  PostgreSQL), see :func:`as_date` for reading it back;
- :func:`within_region`: a hierarchical region code as an index range, as the list filters
  push it down.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, DateTime, Float, and_, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from citybrain.connectors.sql import prefix_range

if TYPE_CHECKING:
    from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["as_date", "at", "day_of", "hours_between", "within_region"]


class hours_between(FunctionElement[float]):
    """Hours from the first timestamp expression to the second (fractional, may be negative).

    Example:
        >>> hours_between(events.c.reported_at, events.c.closed_at)  # doctest: +SKIP
    """

    type = Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 24.0)"
    )


@compiles(hours_between, "postgresql")
def _hours_postgresql(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 3600.0)"
    )


class day_of(FunctionElement[Any]):
    """The calendar day of a timestamp expression (read it with :func:`as_date`)."""

    type = Date()
    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(day_of, "postgresql")
def _day_postgresql(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


def as_date(value: Any) -> dt.date:
    """A :class:`day_of` value as a date (SQLite answers text, PostgreSQL a date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def at(moment: dt.datetime) -> ColumnElement[dt.datetime]:
    """A timestamp parameter, typed so that both engines compare it with stored timestamps."""
    return literal(moment, DateTime())


def within_region(column: ColumnElement[Any], region: str | None) -> ColumnElement[bool]:
    """Rows whose region code ``column`` lies within ``region`` (None: the whole city).

    A range (``>= prefix AND < next prefix``), not ``LIKE``, so both engines use the index.
    """
    if region is None:
        return and_(True)
    return prefix_range(column, region)
