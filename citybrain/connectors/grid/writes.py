"""Writes to the grid department: one workflow transition per transaction.

Reads never come here: the read methods of :class:`~citybrain.connectors.grid.GridConnector`
stay read-only (layers in front of them cache and retry reads). A write is never retried.

One transition is one transaction that holds the department's write lock (SQLite
``BEGIN IMMEDIATE``; a PostgreSQL transaction-level advisory lock), so that the checks, the new
ids (``max(id) + 1``: the seeded tables have no sequences) and the idempotency record see
every earlier transition:

1. with an idempotency key, a request already done by the same caller is answered from its
   record (and a key reused for another request is refused);
2. the event row and its whistles are read and handed to ``decide`` (the workflow's rules),
   which refuses the transition by raising, or says what changes;
3. the event row is updated only if its version is still the one read
   (``UPDATE … WHERE version = :read``), the step is appended, whistles written;
4. the idempotency record is stored, ``before_commit`` runs (the audit), then the commit.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, event, func, insert, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from citybrain.connectors.grid.tables import (
    event_steps,
    grid_events,
    whistles,
    workflow_requests,
)
from citybrain.connectors.grid.transitions import (
    Change,
    IdempotencyKeyReused,
    StaleVersion,
    Transition,
    TransitionOutcome,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from citybrain.connectors.base import Row

__all__ = [
    "Change",
    "EventWrites",
    "IdempotencyKeyReused",
    "StaleVersion",
    "Transition",
    "TransitionOutcome",
]

logger = logging.getLogger(__name__)

#: PostgreSQL advisory lock held by every workflow write (``b"cbGridWf"`` as a bigint).
WRITE_LOCK_KEY = int.from_bytes(b"cbGridWf", "big")
#: Seconds a write waits for the lock before failing.
LOCK_WAIT_SECONDS = 10


class EventWrites:
    """The write side of the grid connector (mixed into ``GridConnector``).

    Example:
        >>> outcome = await grid.transition(request, decide, before_commit=audit)  # doctest: +SKIP
    """

    url: URL
    engine: AsyncEngine
    _write_engine: AsyncEngine | None = None
    _tables_ready: bool = False
    _tables_lock: asyncio.Lock | None = None

    async def transition(
        self,
        request: Transition,
        decide: Callable[[Row | None, Sequence[Row]], Change],
        *,
        before_commit: Callable[[TransitionOutcome], Awaitable[None]] | None = None,
    ) -> TransitionOutcome:
        """Apply one transition in one transaction, or change nothing.

        Args:
            request: the transition asked for.
            decide: given the event row (None for a report, or when missing) and its
                whistles, return the :class:`Change` or raise to refuse.
            before_commit: awaited inside the transaction once everything is written;
                raising aborts the transition (the audit: no transition without its record).

        Raises:
            StaleVersion: another transition changed the event between read and update.
            IdempotencyKeyReused: the key was used by this caller for another request.
            Exception: whatever ``decide`` or ``before_commit`` raised (nothing changed).
        """
        await self.ensure_workflow_tables()
        async with self._write() as conn:
            if request.idempotency_key is not None:
                done = await self._replay(conn, request)
                if done is not None:
                    return done
            row: Row | None = None
            found: list[Row] = []
            if request.event_id is not None:
                row = await _one(
                    conn, select(grid_events).where(grid_events.c.id == request.event_id)
                )
                if row is not None:
                    found = await _all(
                        conn,
                        select(whistles)
                        .where(whistles.c.event_id == request.event_id)
                        .order_by(whistles.c.whistled_at, whistles.c.id),
                    )
            change = decide(row, found)
            outcome = await self._apply(conn, request, row, found, change)
            if request.idempotency_key is not None:
                await conn.execute(
                    insert(workflow_requests).values(
                        subject=request.subject,
                        idempotency_key=request.idempotency_key,
                        fingerprint=request.fingerprint,
                        action=request.action,
                        event_id=outcome.event_id,
                        step_id=outcome.step_id,
                        version=outcome.version,
                        at=request.at,
                    )
                )
            if before_commit is not None:
                await before_commit(outcome)
        return outcome

    async def ensure_workflow_tables(self) -> None:
        """Create the tables the workflow adds (a database seeded before they existed)."""
        if self._tables_ready:
            return
        if self._tables_lock is None:
            self._tables_lock = asyncio.Lock()
        async with self._tables_lock:
            if self._tables_ready:
                return
            try:
                async with self.engine.begin() as conn:
                    await conn.run_sync(workflow_requests.create, checkfirst=True)
            except SQLAlchemyError:
                # Another process may have created it at the same moment.
                async with self.engine.connect() as conn:
                    if not await conn.run_sync(_has_workflow_tables):
                        raise
            self._tables_ready = True

    async def close_writes(self) -> None:
        """Release the write connections."""
        if self._write_engine is not None:
            await self._write_engine.dispose()
            self._write_engine = None

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self.engine.dialect.name == "sqlite":
            engine = self._sqlite_write_engine()
            async with engine.connect() as conn, conn.begin():
                yield conn
            return
        async with self.engine.connect() as conn, conn.begin():
            await conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'")
            await conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
            yield conn

    def _sqlite_write_engine(self) -> AsyncEngine:
        if self._write_engine is None:
            engine = create_async_engine(self.url, connect_args={"timeout": LOCK_WAIT_SECONDS})

            @event.listens_for(engine.sync_engine, "connect")
            def _connect(dbapi_connection: Any, record: Any) -> None:
                dbapi_connection.isolation_level = None  # BEGIN is ours, below

            @event.listens_for(engine.sync_engine, "begin")
            def _begin(conn: Connection) -> None:
                # The write lock first: reads then see every earlier transition.
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            self._write_engine = engine
        return self._write_engine

    async def _replay(self, conn: AsyncConnection, request: Transition) -> TransitionOutcome | None:
        done = await _one(
            conn,
            select(workflow_requests).where(
                and_(
                    workflow_requests.c.subject == request.subject,
                    workflow_requests.c.idempotency_key == request.idempotency_key,
                )
            ),
        )
        if done is None:
            return None
        if done["fingerprint"] != request.fingerprint:
            raise IdempotencyKeyReused(
                "this idempotency key was already used for a different request: send a new "
                "key for a new request, and the same key only to retry the same one"
            )
        step = await _one(conn, select(event_steps).where(event_steps.c.id == done["step_id"]))
        row = await _one(conn, select(grid_events).where(grid_events.c.id == done["event_id"]))
        return TransitionOutcome(
            event_id=done["event_id"],
            step_id=done["step_id"],
            version=done["version"],
            action=done["action"],
            status=str(row["status"]) if row else "",
            grid_code=str(row["grid_code"]) if row else "",
            at=step["at"] if step else done["at"],
            replayed=True,
        )

    async def _apply(
        self,
        conn: AsyncConnection,
        request: Transition,
        row: Row | None,
        found: Sequence[Row],
        change: Change,
    ) -> TransitionOutcome:
        at = request.at
        if change.new_event is not None:
            event_id = await _next_id(conn, grid_events.c.id)
            await conn.execute(
                insert(grid_events).values(
                    id=event_id,
                    status=change.status,
                    reported_at=at,
                    closed_at=None,
                    version=1,
                    **change.new_event,
                )
            )
            version, grid_code = 1, str(change.new_event["grid_code"])
        else:
            if row is None:  # decide() refuses a missing event; this is a safety net
                raise LookupError("no event to change")
            event_id, version = int(row["id"]), int(row["version"]) + 1
            grid_code = str(row["grid_code"])
            values: dict[str, Any] = {"status": change.status, "version": version}
            if change.closes:
                values["closed_at"] = at
            result = await conn.execute(
                update(grid_events)
                .where(and_(grid_events.c.id == event_id, grid_events.c.version == row["version"]))
                .values(**values)
            )
            if result.rowcount != 1:
                raise StaleVersion(event_id)
        step_id = await _next_id(conn, event_steps.c.id)
        await conn.execute(
            insert(event_steps).values(id=step_id, event_id=event_id, at=at, **change.step)
        )
        await self._whistle(conn, event_id, grid_code, found, change, at)
        return TransitionOutcome(
            event_id=event_id,
            step_id=step_id,
            version=version,
            action=change.step["action"],
            status=change.status,
            grid_code=grid_code,
            at=at,
            department=change.department,
        )

    @staticmethod
    async def _whistle(
        conn: AsyncConnection,
        event_id: int,
        grid_code: str,
        found: Sequence[Row],
        change: Change,
        at: dt.datetime,
    ) -> None:
        if change.whistle == "open":
            await conn.execute(
                insert(whistles).values(
                    id=await _next_id(conn, whistles.c.id),
                    event_id=event_id,
                    street_code=grid_code[:9],
                    department=change.department,
                    whistled_at=at,
                )
            )
        elif change.whistle == "respond":
            ids = [
                w["id"]
                for w in found
                if w["department"] == change.department and w["responded_at"] is None
            ]
            await conn.execute(
                update(whistles).where(whistles.c.id.in_(ids)).values(responded_at=at)
            )
        elif change.whistle == "score" and change.scores is not None:
            ids = [w["id"] for w in found if w["speed_score"] is None]
            speed, handling = change.scores
            await conn.execute(
                update(whistles)
                .where(whistles.c.id.in_(ids))
                .values(speed_score=speed, handling_score=handling)
            )


def _has_workflow_tables(conn: Connection) -> bool:
    return bool(inspect(conn).has_table(workflow_requests.name))


async def _next_id(conn: AsyncConnection, column: Any) -> int:
    # The seeded tables number their rows themselves (no sequence): under the write lock,
    # max + 1 is never taken twice.
    current = await conn.scalar(select(func.max(column)))
    return int(current or 0) + 1


async def _one(conn: AsyncConnection, stmt: Any) -> Row | None:
    rows = await _all(conn, stmt)
    return rows[0] if rows else None


async def _all(conn: AsyncConnection, stmt: Any) -> list[Row]:
    result = await conn.execute(stmt)
    keys = tuple(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result]
