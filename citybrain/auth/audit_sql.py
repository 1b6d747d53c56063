"""The audit store's statements: chain head, checkpoint, the chain walk, filters, errors."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, select, type_coerce

from citybrain.auth.audit_records import AuditChainBroken, AuditFilter, AuditUnavailable
from citybrain.auth.audit_tables import audit_checkpoints, audit_head, audit_records
from citybrain.connectors.cursors import InvalidCursor

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncConnection

    from citybrain.auth.audit_chain import ChainWalker

__all__ = ["conditions", "no_head", "read_checkpoint", "read_head", "unavailable", "walk"]

_BATCH = 5000  # rows per read while walking the chain
_HINT = "check the audit database (CITYBRAIN_AUDIT_URL or <data_dir>/audit.sqlite3)"
# Every column as stored: ``at`` unconverted, so that an edited value is reported, not raised.
_RAW = [type_coerce(c, Text).label("at") if c.name == "at" else c for c in audit_records.c]


@contextmanager
def unavailable(operation: str) -> Iterator[None]:
    """Turn any store error into :class:`AuditUnavailable` (no URL, SQL or value in it)."""
    try:
        yield
    except (AuditUnavailable, AuditChainBroken, InvalidCursor):
        raise
    except Exception as exc:
        raise AuditUnavailable(
            f"the audit store could not {operation} ({type(exc).__name__}): {_HINT}"
        ) from exc


def no_head() -> AuditUnavailable:
    """The error of a store without its chain head (never created, or tampered with)."""
    return AuditUnavailable(
        "the audit store has no chain head: it was not created by citybrain or was tampered "
        "with; run `citybrain audit verify`"
    )


def conditions(where: AuditFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of an auditor's filter (times are compared in UTC)."""
    c = audit_records.c
    found: list[ColumnElement[bool]] = []
    for column, value in (
        (c.subject, where.subject),
        (c.entity_type, where.entity_type),
        (c.entity_key, where.entity_key),
    ):
        if value is not None:
            found.append(column == value)
    for bound, below in ((where.since, False), (where.until, True)):
        if bound is None:
            continue
        if bound.tzinfo is None:
            raise ValueError("since and until must be timezone-aware: use datetime(…, tzinfo=UTC)")
        utc = bound.astimezone(dt.UTC)
        found.append(c.at < utc if below else c.at >= utc)
    return found


async def read_head(conn: AsyncConnection) -> tuple[int, str] | None:
    """``(last_seq, last_hash)`` of the chain head, or ``None`` when it is missing."""
    stmt = select(audit_head.c.last_seq, audit_head.c.last_hash).where(audit_head.c.id == 1)
    row = (await conn.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def read_checkpoint(conn: AsyncConnection) -> tuple[int, str] | None:
    """``(seq, hash)`` of the newest prune checkpoint, or ``None`` before any prune."""
    cp = audit_checkpoints.c
    row = (await conn.execute(select(cp.seq, cp.hash).order_by(cp.seq.desc()).limit(1))).first()
    return None if row is None else (row[0], row[1])


async def walk(conn: AsyncConnection, walker: ChainWalker, *, upto: int | None = None) -> None:
    """Feed every stored record (up to ``upto``) to ``walker`` in ``seq`` order, in batches."""
    seq = audit_records.c.seq
    after: Any = None
    while True:
        stmt = select(*_RAW).order_by(seq).limit(_BATCH)
        if after is not None:
            stmt = stmt.where(seq > after)
        if upto is not None:
            stmt = stmt.where(seq <= upto)
        rows = (await conn.execute(stmt)).mappings().all()
        for row in rows:
            if not walker.feed(row):
                return
        if len(rows) < _BATCH:
            return
        after = rows[-1]["seq"]
