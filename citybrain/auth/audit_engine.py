"""Connections to the audit store, and the lock that keeps one chain across processes.

SQLite: the driver's own transaction handling is switched off and ``BEGIN IMMEDIATE`` takes
the database's write lock before the chain head is read. The file is opened without being
created (a missing file is an outage, never a fresh empty chain), and a pooled connection
whose file was deleted or replaced is discarded before use. PostgreSQL: a transaction-level
advisory lock, in READ COMMITTED so that the head read after the lock is the latest one.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, make_url, select
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import create_async_engine

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["ADVISORY_LOCK_KEY", "LOCK_WAIT_SECONDS", "audit_engine", "sqlite_file", "transaction"]

#: The PostgreSQL advisory lock of the audit chain (``b"cbAudit!"`` as a big-endian bigint).
ADVISORY_LOCK_KEY = int.from_bytes(b"cbAudit!", "big")
#: How long an append waits for the lock (another append, or a prune) before failing.
LOCK_WAIT_SECONDS = 5
_BEGIN = "audit_begin"  # execution option: the statement that opens a SQLite transaction


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL (``None`` for other databases, memory and URI forms)."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def audit_engine(url: str | URL, *, creating: bool = False, echo: bool = False) -> AsyncEngine:
    """An engine on the audit store; only a ``creating`` one may create a SQLite file.

    SQL parameters are hidden from error messages: they hold entity keys.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(
            parsed,
            echo=echo,
            hide_parameters=True,
            pool_pre_ping=True,
            isolation_level="READ COMMITTED",
            connect_args={
                "timeout": LOCK_WAIT_SECONDS,
                "server_settings": {"lock_timeout": f"{LOCK_WAIT_SECONDS}s"},
            },
        )
    path = sqlite_file(parsed)
    if path is not None and not creating:
        parsed = parsed.set(database=f"file:{path}", query={"mode": "rw", "uri": "true"})
    engine = create_async_engine(
        parsed, echo=echo, hide_parameters=True, connect_args={"timeout": LOCK_WAIT_SECONDS}
    )
    _take_over_sqlite_transactions(engine, path, must_exist=not creating)
    return engine


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _take_over_sqlite_transactions(
    engine: AsyncEngine, path: Path | None, *, must_exist: bool
) -> None:
    @event.listens_for(engine.sync_engine, "do_connect")
    def _do_connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> None:
        # Fail before aiosqlite starts a thread for a file it cannot open (it would leave
        # the thread to finish after the event loop, e.g. at the end of a CLI command).
        if must_exist and path is not None and not path.exists():
            raise sqlite3.OperationalError("the audit database file does not exist")

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        if path is not None:
            record.info["audit_file"] = _file_id(path)

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if path is not None and record.info.get("audit_file") != _file_id(path):
            raise DisconnectionError("the audit store's file was deleted or replaced")

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        statement = conn.get_execution_options().get(_BEGIN, "BEGIN")
        if statement:
            conn.exec_driver_sql(statement)


@asynccontextmanager
async def transaction(
    engine: AsyncEngine, *, lock: bool = False, snapshot: bool = False, autocommit: bool = False
) -> AsyncIterator[AsyncConnection]:
    """A transaction on the audit store, committed when the block ends without error.

    Args:
        engine: from :func:`audit_engine`.
        lock: hold the chain lock (appends, prunes): one holder at a time, across processes.
        snapshot: read one consistent snapshot across several statements (verification).
        autocommit: no transaction at all (SQLite pragmas that refuse to run inside one).
    """
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            begin = None if autocommit else "BEGIN IMMEDIATE" if lock else "BEGIN"
            await conn.execution_options(**{_BEGIN: begin})
        elif autocommit:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        elif snapshot:
            await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            if lock and not sqlite:
                await conn.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            yield conn
