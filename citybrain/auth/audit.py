"""The tamper-evident audit: who was served or denied which resident's personal fields.

Every entity whose personal or sensitive fields a request served (masked or not) or denied
gets one :class:`AuditRecord`; a request's records go to the :class:`AuditStore` in one
:meth:`AuditStore.append`. Each record is chained to the previous one by its hash, and
``citybrain audit verify`` names the first record that was edited, deleted, reordered or
cut off. See ``docs/audit.md``.

Example:
    >>> store = AuditStore.from_settings(settings)  # doctest: +SKIP
    >>> await store.create()  # doctest: +SKIP
    >>> await store.append([AuditRecord(at=datetime.now(UTC), ...)])  # doctest: +SKIP
"""

from __future__ import annotations

from citybrain.auth.audit_chain import GENESIS_HASH, chain_hash
from citybrain.auth.audit_records import (
    DECISIONS,
    MINIMUM_RETENTION_DAYS,
    AuditChainBroken,
    AuditEntry,
    AuditFilter,
    AuditPage,
    AuditRecord,
    AuditUnavailable,
    Decision,
    PruneReport,
    VerifyReport,
    operation_hash,
)
from citybrain.auth.audit_store import AuditStore

__all__ = [
    "DECISIONS",
    "GENESIS_HASH",
    "MINIMUM_RETENTION_DAYS",
    "AuditChainBroken",
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "AuditRecord",
    "AuditStore",
    "AuditUnavailable",
    "Decision",
    "PruneReport",
    "VerifyReport",
    "chain_hash",
    "operation_hash",
]
