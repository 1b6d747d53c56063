"""The audit store's tables: the records, the chain head and the prune checkpoints."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

__all__ = ["audit_checkpoints", "audit_head", "audit_records", "metadata"]

metadata = MetaData()

#: One row per audited entity per request; ``seq`` is assigned under the store's lock.
audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("subject", Text, nullable=False),
    Column("roles", Text, nullable=False),  # canonical JSON array
    Column("purpose", Text),
    Column("entity_type", Text, nullable=False),
    Column("entity_key", Text, nullable=False),
    Column("fields", Text, nullable=False),  # canonical JSON array of [field, decision]
    Column("request_id", Text, nullable=False),
    Column("operation_hash", Text, nullable=False),
    Column("client_address", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Index("ix_audit_records_subject", "subject", "seq"),
    Index("ix_audit_records_entity", "entity_type", "entity_key", "seq"),
    Index("ix_audit_records_at", "at"),
)

#: Exactly one row: the last appended record, updated in the same transaction as the append.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", Text, nullable=False),
    CheckConstraint("id = 1", name="ck_audit_head_single_row"),
)

#: One row per prune: the last record it deleted; the newest row is where verify starts.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", Text, nullable=False),
    Column("record_at", DateTime(timezone=True), nullable=False),
    Column("pruned_at", DateTime(timezone=True), nullable=False),
    Column("pruned", BigInteger, nullable=False),
)
