"""The SQL connector: any department with a SQLAlchemy-reachable database (SQLite, PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from sqlalchemy import Select, and_, false, func, make_url, select, tuple_
from sqlalchemy.ext.asyncio import create_async_engine

from citybrain.connectors.base import Connector, Filter, Page, Row
from citybrain.connectors.cursors import decode_cursor

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import ColumnElement, MetaData, Table
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine

    from citybrain.settings import Settings

__all__ = ["SqlConnector", "SqlEntity", "prefix_range"]

# Keys per IN (...) list: far below SQLite's and PostgreSQL's bind-parameter limits.
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class SqlEntity:
    """An entity served from one table.

    Args:
        table: the SQLAlchemy Core table.
        order: columns that order the rows uniquely (keyset pagination walks them).
        descending: newest first, for time-ordered entities.

    Example:
        >>> SqlEntity(vaccinations, order=("vaccinated_on", "id"))  # doctest: +SKIP
    """

    table: Table
    order: tuple[str, ...]
    descending: bool = False


class SqlConnector(Connector):
    """A connector over one department database, through SQLAlchemy Core.

    Every call opens its own connection from the pool, so sibling resolvers can run
    concurrently. Subclasses name the department and its entities.

    Example:
        >>> class HealthConnector(SqlConnector):  # doctest: +SKIP
        ...     department = "health"
        ...     metadata = health_tables.metadata
        ...     sql_entities = {"health_code": SqlEntity(health_codes, order=("id_number",))}
    """

    metadata: ClassVar[MetaData]
    sql_entities: ClassVar[Mapping[str, SqlEntity]]

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.configured_url = url
        self.url = _serving_url(url)
        self.engine: AsyncEngine = create_async_engine(self.url, echo=echo)

    @classmethod
    def from_settings(cls, settings: Settings) -> SqlConnector:
        return cls(settings.department_url(cls.department), echo=settings.sql_echo)

    def entity_names(self) -> Sequence[str]:
        return list(self.sql_entities)

    def describe(self) -> Mapping[str, Any]:
        return {
            **super().describe(),
            # As configured (the SQLite file's path), password hidden; not the serving URL.
            "database": make_url(self.configured_url).render_as_string(hide_password=True),
        }

    async def fetch_by_keys(self, entity: str, key: str, values: Sequence[Any]) -> list[Row | None]:
        table = self._entity(entity).table
        column = table.c[key]
        found: dict[Any, Row] = {}
        for start in range(0, len(values), _CHUNK):
            chunk = list(values[start : start + _CHUNK])
            for row in await self._rows(select(table).where(column.in_(chunk))):
                found[row[key]] = row
        return [found.get(v) for v in values]

    async def fetch_groups(
        self,
        entity: str,
        key: str,
        values: Sequence[Any],
        *,
        first: int,
        after: str | None = None,
        filters: Sequence[Filter] = (),
    ) -> list[Page]:
        spec = self._entity(entity)
        if len(values) == 1:
            # One group (a root field's list): a plain ordered range scan of the index.
            only = [Filter(key, "eq", values[0]), *filters]
            return [await self.fetch_page(entity, only, first=first, after=after)]
        table = spec.table
        rank = (
            func.row_number()
            .over(partition_by=table.c[key], order_by=self._ordering(spec))
            .label("_rank")
        )
        grouped: dict[Any, list[Row]] = {}
        for start in range(0, len(values), _CHUNK):
            chunk = list(values[start : start + _CHUNK])
            inner = select(table, rank).where(
                table.c[key].in_(chunk), *(_condition(table, f) for f in filters)
            )
            if after is not None:
                inner = inner.where(self._after(spec, after))
            ranked = inner.subquery()
            stmt = (
                select(*(ranked.c[c.name] for c in table.c))
                .where(ranked.c["_rank"] <= first + 1)
                .order_by(ranked.c[key], ranked.c["_rank"])
            )
            for row in await self._rows(stmt):
                grouped.setdefault(row[key], []).append(row)
        return [self._page(spec, grouped.get(v, []), first) for v in values]

    async def fetch_page(
        self,
        entity: str,
        filters: Sequence[Filter],
        *,
        first: int,
        after: str | None = None,
    ) -> Page:
        spec = self._entity(entity)
        stmt = select(spec.table).where(*(_condition(spec.table, f) for f in filters))
        if after is not None:
            stmt = stmt.where(self._after(spec, after))
        stmt = stmt.order_by(*self._ordering(spec)).limit(first + 1)
        return self._page(spec, await self._rows(stmt), first)

    async def check_health(self) -> None:
        table = next(iter(self.sql_entities.values())).table
        await self._rows(select(*table.primary_key.columns).limit(1))

    async def close(self) -> None:
        await self.engine.dispose()

    async def _rows(self, stmt: Select[Any]) -> list[Row]:
        async with self.engine.connect() as conn:
            result = await conn.execute(stmt)
            keys = tuple(result.keys())
            return [dict(zip(keys, row, strict=True)) for row in result]

    def _entity(self, entity: str) -> SqlEntity:
        try:
            return self.sql_entities[entity]
        except KeyError:
            raise LookupError(f"{self.department} has no entity {entity!r}") from None

    @staticmethod
    def _ordering(spec: SqlEntity) -> list[ColumnElement[Any]]:
        columns = [spec.table.c[name] for name in spec.order]
        return [c.desc() for c in columns] if spec.descending else list(columns)

    @staticmethod
    def _after(spec: SqlEntity, cursor: str) -> ColumnElement[bool]:
        columns = [spec.table.c[name] for name in spec.order]
        values = decode_cursor(cursor, [c.type.python_type for c in columns])
        if len(columns) == 1:
            single = columns[0] < values[0] if spec.descending else columns[0] > values[0]
            return cast("ColumnElement[bool]", single)
        row = tuple_(*columns)
        return row < tuple_(*values) if spec.descending else row > tuple_(*values)

    @staticmethod
    def _page(spec: SqlEntity, rows: list[Row], first: int) -> Page:
        return Page(rows=rows[:first], has_next_page=len(rows) > first, ordering=spec.order)


def _condition(table: Table, spec: Filter) -> ColumnElement[bool]:
    column = table.c[spec.column]
    values = spec.value if spec.op == "in" else [spec.value]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        # No stored text holds NUL, and PostgreSQL refuses it as a parameter.
        return false()
    if spec.op == "eq":
        return cast("ColumnElement[bool]", column == spec.value)
    if spec.op == "in":
        return column.in_(list(spec.value))
    if spec.op == "ge":
        return cast("ColumnElement[bool]", column >= spec.value)
    if spec.op == "lt":
        return cast("ColumnElement[bool]", column < spec.value)
    if spec.op == "prefix":
        return prefix_range(column, str(spec.value))
    raise ValueError(f"unknown filter operator {spec.op!r}")


def prefix_range(column: ColumnElement[Any], prefix: str) -> ColumnElement[bool]:
    """Values of ``column`` that start with ``prefix``: a range for digit strings."""
    upper = _next_prefix(prefix)
    if upper is None:
        return column.startswith(prefix, autoescape=True)
    # A range, not LIKE, so that both SQLite and PostgreSQL use the index.
    return and_(column >= prefix, column < upper)


def _next_prefix(prefix: str) -> str | None:
    """The smallest digit string above every string that starts with ``prefix``."""
    if not prefix.isascii() or not prefix.isdigit():
        return None
    digits = prefix.rstrip("9")
    if not digits:
        return None
    return digits[:-1] + str(int(digits[-1]) + 1)


def _serving_url(url: str) -> URL:
    """Open SQLite files read-write without creating them: a missing file is an outage."""
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
    ):
        return parsed.set(database=f"file:{database}", query={"mode": "rw", "uri": "true"})
    return parsed
