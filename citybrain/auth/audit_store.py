"""The append-only, hash-chained audit store (its own database: SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, make_url, select, update

from citybrain.auth.audit_chain import GENESIS_HASH, ChainWalker, record_row, stored_record
from citybrain.auth.audit_engine import audit_engine, sqlite_file, transaction
from citybrain.auth.audit_records import (
    AuditChainBroken,
    AuditEntry,
    AuditFilter,
    AuditPage,
    PruneReport,
    VerifyReport,
    check_retention,
)
from citybrain.auth.audit_sql import (
    conditions,
    no_head,
    read_checkpoint,
    read_head,
    unavailable,
    walk,
)
from citybrain.auth.audit_tables import audit_checkpoints, audit_head, audit_records, metadata
from citybrain.connectors.cursors import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from citybrain.auth.audit_records import AuditRecord
    from citybrain.settings import Settings

__all__ = ["AuditStore"]

logger = logging.getLogger(__name__)


class AuditStore:
    """Append-only audit records, each chained to the previous one by its hash.

    Appends from several processes keep one chain: each append reads the head and writes
    under one lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL advisory lock). See
    ``docs/audit.md``.

    Args:
        url: async SQLAlchemy URL (``sqlite+aiosqlite:///…`` or ``postgresql+asyncpg://…``).
        production: refuse prunes shorter than ``MINIMUM_RETENTION_DAYS`` (184).
        echo: log SQL (parameters stay hidden).

    Example:
        >>> store = AuditStore.from_settings(Settings())  # doctest: +SKIP
        >>> await store.create()  # doctest: +SKIP
        >>> await store.append(records_of_this_request)  # doctest: +SKIP
    """

    def __init__(self, url: str, *, production: bool = False, echo: bool = False) -> None:
        self.url = make_url(url)
        self.production = production
        self._echo = echo
        self.engine = audit_engine(self.url, echo=echo)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditStore:
        """The store that ``settings`` name, with its production rules when in production."""
        return cls(
            settings.audit_store_url(),
            production=settings.profile == "production",
            echo=settings.sql_echo,
        )

    async def create(self) -> bool:
        """Create the tables and the chain head if missing (idempotent, safe in parallel).

        Returns:
            Whether a new, empty chain was started.

        Raises:
            AuditUnavailable: the store cannot be created, or it holds records but no head.
        """
        path = sqlite_file(self.url)
        engine = audit_engine(self.url, creating=True, echo=self._echo) if path else self.engine
        try:
            with unavailable("be created"):
                if path is not None:
                    path.absolute().parent.mkdir(parents=True, exist_ok=True)
                    async with transaction(engine, autocommit=True) as conn:
                        await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                async with transaction(engine, lock=True) as conn:
                    await conn.run_sync(metadata.create_all)
                    if await read_head(conn) is not None:
                        return False
                    if await conn.scalar(select(func.count()).select_from(audit_records)):
                        raise no_head()
                    await conn.execute(
                        insert(audit_head).values(id=1, last_seq=0, last_hash=GENESIS_HASH)
                    )
        finally:
            if engine is not self.engine:
                await engine.dispose()
        logger.info("audit store: started a new, empty chain")
        return True

    async def append(self, records: Sequence[AuditRecord]) -> None:
        """Append the records of one request, in order, in one transaction.

        Raises:
            AuditUnavailable: nothing was written (the store is down, locked too long or
                damaged); the caller must fail closed.
        """
        if not records:
            return
        with unavailable("append audit records"):
            async with transaction(self.engine, lock=True) as conn:
                head = await read_head(conn)
                if head is None:
                    raise no_head()
                seq, prev_hash = head
                rows = []
                for record in records:
                    seq += 1
                    rows.append(record_row(record, seq, prev_hash))
                    prev_hash = rows[-1]["hash"]
                await conn.execute(insert(audit_records), rows)
                moved = await conn.execute(
                    update(audit_head)
                    .where(audit_head.c.id == 1, audit_head.c.last_seq == head[0])
                    .values(last_seq=seq, last_hash=prev_hash)
                )
                if moved.rowcount != 1:
                    raise RuntimeError("the chain head moved during an append")

    async def verify(self) -> VerifyReport:
        """Walk the chain from the last prune checkpoint to the head.

        Raises:
            AuditUnavailable: the store cannot be read.
        """
        with unavailable("be read"):
            async with transaction(self.engine, snapshot=True) as conn:
                walker = ChainWalker(*(await read_checkpoint(conn) or (None, None)))
                await walk(conn, walker)
                return walker.finish(await read_head(conn))

    async def prune(self, older_than_days: int, *, now: dt.datetime | None = None) -> PruneReport:
        """Delete the oldest records, leaving a checkpoint so that the chain still verifies.

        Only a run of records from the start of the chain goes, each older than the cutoff
        and each verified first: a broken record is never deleted.

        Args:
            older_than_days: keep records younger than this many days.
            now: the current time (timezone-aware); by default, now.

        Raises:
            ValueError: ``older_than_days`` is below 1, or below the retention minimum in
                production, or ``now`` is naive.
            AuditChainBroken: a record the prune would delete is broken (nothing deleted).
            AuditUnavailable: the store cannot be read or written.
        """
        check_retention(older_than_days, production=self.production)
        now = dt.datetime.now(dt.UTC) if now is None else now
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware: use datetime.now(UTC)")
        cutoff = (now - dt.timedelta(days=older_than_days)).astimezone(dt.UTC)
        with unavailable("be pruned"):
            async with transaction(self.engine, lock=True) as conn:
                head, checkpoint = await read_head(conn), await read_checkpoint(conn)
                if head is None:
                    raise no_head()
                young = await conn.scalar(
                    select(func.min(audit_records.c.seq)).where(audit_records.c.at >= cutoff)
                )
                last = head[0] if young is None else young - 1
                if last <= (checkpoint[0] if checkpoint else 0):
                    return PruneReport(0, cutoff, *(checkpoint or (None, None)))
                walker = ChainWalker(*(checkpoint or (None, None)))
                await walk(conn, walker, upto=last)
                report = walker.finish((last, walker.prev_hash))
                if not report.ok:
                    raise AuditChainBroken(report)
                last_at = await conn.scalar(
                    select(audit_records.c.at).where(audit_records.c.seq == last)
                )
                deleted = await conn.execute(
                    delete(audit_records).where(audit_records.c.seq <= last)
                )
                await conn.execute(
                    insert(audit_checkpoints).values(
                        seq=last,
                        hash=walker.prev_hash,
                        record_at=last_at,
                        pruned_at=now.astimezone(dt.UTC),
                        pruned=deleted.rowcount,
                    )
                )
                return PruneReport(deleted.rowcount, cutoff, last, walker.prev_hash)

    async def check_health(self) -> None:
        """Take the chain lock and write (a no-op) to the head.

        Raises:
            AuditUnavailable: the store cannot be locked, read or written.
        """
        with unavailable("be written"):
            async with transaction(self.engine, lock=True) as conn:
                if await read_head(conn) is None:
                    raise no_head()
                last_seq = audit_head.c.last_seq
                await conn.execute(update(audit_head).values(last_seq=last_seq))

    async def query(
        self, where: AuditFilter | None = None, *, first: int = 20, after: str | None = None
    ) -> AuditPage:
        """Records that match ``where``, newest first, one page at a time.

        Args:
            where: conditions (all must hold); ``None`` for every record.
            first: page size (at least 1).
            after: ``end_cursor`` of the previous page.

        Raises:
            ValueError: ``first`` is below 1 or a time in ``where`` is naive.
            InvalidCursor: ``after`` is not a cursor of this list.
            AuditUnavailable: the store cannot be read.
        """
        if first < 1:
            raise ValueError(f"first must be at least 1, not {first}")
        seq = audit_records.c.seq
        matching = conditions(where or AuditFilter())
        if after is not None:
            matching.append(seq < decode_cursor(after, [int])[0])
        stmt = select(audit_records).where(*matching).order_by(seq.desc()).limit(first + 1)
        with unavailable("be read"):
            async with transaction(self.engine) as conn:
                rows = (await conn.execute(stmt)).mappings().all()
            entries = tuple(AuditEntry(r["seq"], stored_record(r), r["hash"]) for r in rows[:first])
        end = encode_cursor([entries[-1].seq]) if entries else None
        return AuditPage(entries=entries, has_next_page=len(rows) > first, end_cursor=end)

    async def close(self) -> None:
        """Close the store's connections."""
        await self.engine.dispose()
