"""Auditing at the request level: is the store writable, and one batch per request."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import TYPE_CHECKING

from citybrain.auth.audit_records import AuditRecord, AuditUnavailable
from citybrain.observability.metrics import METRICS

if TYPE_CHECKING:
    from collections.abc import Callable

    from citybrain.auth.access import Access
    from citybrain.auth.audit_store import AuditStore

__all__ = ["AuditGate"]

logger = logging.getLogger("citybrain.audit")


class AuditGate:
    """Decides whether personal fields may be served now, and writes each request's records.

    The store's health is checked at most once per ``ttl`` seconds (not on every request);
    while it is down, personal and sensitive fields fail closed.

    Args:
        store: the audit store.
        ttl: seconds a health answer is reused.
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self, store: AuditStore, *, ttl: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self._ttl = ttl
        self._clock = clock
        self._checked_at = -float("inf")
        self._ready = False
        self._created = False
        self.writes = 0
        self.failures = 0

    async def ready(self) -> bool:
        """Whether the audit store can be written (cached for ``ttl`` seconds)."""
        now = self._clock()
        if now - self._checked_at < self._ttl:
            return self._ready
        try:
            if not self._created:
                await self.store.create()
                self._created = True
            await self.store.check_health()
            self._ready = True
        except AuditUnavailable:
            if self._ready or self._checked_at == -float("inf"):
                logger.error("audit store unavailable: personal fields fail closed")
            self._ready = False
        self._checked_at = now
        return self._ready

    async def write(
        self, access: Access, *, request_id: str, operation_hash: str, client_address: str
    ) -> int:
        """Append one record per entity noted in ``access``, as one batch; return how many.

        Raises:
            AuditUnavailable: the batch could not be written (nothing of it is kept).
        """
        if not access.entities:
            return 0
        principal = access.principal
        at = dt.datetime.now(dt.UTC)
        roles = tuple(sorted(r.value for r in principal.roles))
        records = [
            AuditRecord(
                at=at,
                subject=principal.subject,
                roles=roles,
                purpose=principal.purpose,
                entity_type=entity_type,
                entity_key=key,
                fields=tuple(sorted((name, d.value) for name, d in fields.items())),
                request_id=request_id,
                operation_hash=operation_hash,
                client_address=client_address,
            )
            for (entity_type, key), fields in access.entities.items()
        ]
        try:
            await self.store.append(records)
        except AuditUnavailable:
            METRICS.audit_writes.labels("failed").inc(len(records))
            self.failures += 1
            self._ready = False
            self._checked_at = self._clock()
            raise
        self.writes += len(records)
        METRICS.audit_writes.labels("written").inc(len(records))
        return len(records)
