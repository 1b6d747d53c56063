"""Bulk loading into one department's database through SQLAlchemy Core (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.schema import CreateIndex, CreateTable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy import MetaData, Table
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from citybrain.seed.batches import Batch, Row

__all__ = ["DepartmentLoader"]

# Rows per executemany: big enough to amortise the round trip, small enough for memory.
CHUNK_ROWS = 20_000
# While loading, SQLite keeps no rollback journal and does not wait for the disk: a failed
# load is simply run again. WAL afterwards lets the service read while it writes.
_LOAD_PRAGMAS = ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144")
_SERVE_PRAGMAS = ("PRAGMA analysis_limit=1000", "ANALYZE", "PRAGMA journal_mode=WAL")


class DepartmentLoader:
    """Replaces one department's tables and fills them, indexes last.

    Example:
        >>> async with DepartmentLoader(url, metadata) as loader:  # doctest: +SKIP
        ...     await loader.load(batches, advance=print)
    """

    def __init__(self, url: str, metadata: MetaData) -> None:
        self.url = make_url(url)
        self.metadata = metadata
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.row_counts: dict[str, int] = {table.name: 0 for table in metadata.sorted_tables}
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self._pending: dict[Table, list[Row]] = {}

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for a SQLite URL naming one."""
        database = self.url.database
        if not self.sqlite or not database or database == ":memory:":
            return None
        return Path(database.removeprefix("file:"))

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("use DepartmentLoader in `async with`")
        return self._conn

    async def __aenter__(self) -> DepartmentLoader:
        path = self.sqlite_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_async_engine(self.url)
        self._conn = await self._engine.connect()
        if self.sqlite:
            for pragma in _LOAD_PRAGMAS:
                await self.conn.exec_driver_sql(pragma)
        await self.conn.run_sync(self.metadata.drop_all)
        await self.conn.commit()
        if self.sqlite:  # give the dropped tables' pages back: the file shrinks to its schema
            await self.conn.exec_driver_sql("VACUUM")
        for table in self.metadata.sorted_tables:
            await self.conn.execute(CreateTable(table))
        await self.conn.commit()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                await self.conn.commit()
        finally:
            await self.conn.close()
            if self._engine is not None:
                await self._engine.dispose()
            self._conn = self._engine = None

    async def _insert(self, table: Table, rows: list[Row]) -> None:
        await self.conn.execute(table.insert(), rows)
        self.row_counts[table.name] += len(rows)

    async def load(self, batches: Iterable[Batch], advance: Callable[[int], None]) -> None:
        """Insert every batch's rows, ``CHUNK_ROWS`` per statement and table."""
        pending = self._pending
        for batch in batches:
            for table, rows in batch.rows.items():
                buffered = pending.setdefault(table, [])
                buffered.extend(rows)
                if len(buffered) >= CHUNK_ROWS:
                    await self._insert(table, buffered)
                    pending[table] = []
            advance(batch.done)
        for table, rows in pending.items():
            if rows:
                await self._insert(table, rows)
        pending.clear()
        await self.conn.commit()

    def index_count(self) -> int:
        return sum(len(table.indexes) for table in self.metadata.sorted_tables)

    async def finish(self, advance: Callable[[int], None]) -> None:
        """Build the indexes, gather planner statistics and make the database servable."""
        for table in self.metadata.sorted_tables:
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                await self.conn.execute(CreateIndex(index))
                advance(1)
        await self.conn.commit()
        if self.sqlite:
            for pragma in _SERVE_PRAGMAS:
                await self.conn.exec_driver_sql(pragma)
        else:
            await self.conn.exec_driver_sql("ANALYZE")
        await self.conn.commit()
