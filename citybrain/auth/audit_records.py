"""What the audit records, and what its store answers: records, reports, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "DECISIONS",
    "MINIMUM_RETENTION_DAYS",
    "AuditChainBroken",
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "AuditRecord",
    "AuditUnavailable",
    "Decision",
    "PruneReport",
    "VerifyReport",
    "check_retention",
    "operation_hash",
]

Decision = Literal["allow", "mask", "deny"]
DECISIONS: frozenset[str] = frozenset(get_args(Decision))

#: Six calendar months at their longest: the retention floor in the production profile.
MINIMUM_RETENTION_DAYS = 184

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def check_retention(older_than_days: int, *, production: bool) -> None:
    """Refuse a prune below one day, or below :data:`MINIMUM_RETENTION_DAYS` in production.

    Raises:
        ValueError: saying which minimum applies.
    """
    if older_than_days < 1:
        raise ValueError(f"older_than_days must be at least 1, not {older_than_days}")
    if production and older_than_days < MINIMUM_RETENTION_DAYS:
        raise ValueError(
            f"production keeps audit records at least {MINIMUM_RETENTION_DAYS} days: "
            f"prune with older_than_days >= {MINIMUM_RETENTION_DAYS}, not {older_than_days}"
        )


def operation_hash(query: str) -> str:
    """The ``operation_hash`` of a GraphQL document: SHA-256 of its text, in hex."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One entity whose personal or sensitive fields a request was served or denied.

    The entity key is the only personal value in a record: field values never are.

    Args:
        at: when the request was served; timezone-aware, stored in UTC.
        subject: the principal's subject (token ``sub``).
        roles: the principal's roles.
        purpose: the purpose declared for the request (``X-Purpose``), if any.
        entity_type: GraphQL type name, e.g. ``"Person"``.
        entity_key: the entity's key, e.g. the resident's ID number.
        fields: ``(field name, decision)`` per personal or sensitive field, decision being
            ``"allow"``, ``"mask"`` or ``"deny"``.
        request_id: the request's id (the same for every record of one request).
        operation_hash: :func:`operation_hash` of the query text.
        client_address: the client's network address.

    Raises:
        ValueError: a naive ``at``, an unknown decision, a malformed operation hash, or a
            NUL character in any text (PostgreSQL cannot store it).
    """

    at: dt.datetime
    subject: str
    roles: tuple[str, ...]
    purpose: str | None
    entity_type: str
    entity_key: str
    fields: tuple[tuple[str, Decision], ...]
    request_id: str
    operation_hash: str
    client_address: str

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("AuditRecord.at must be timezone-aware: use datetime.now(UTC)")
        object.__setattr__(self, "at", self.at.astimezone(dt.UTC))
        object.__setattr__(self, "roles", tuple(self.roles))
        object.__setattr__(self, "fields", tuple((name, d) for name, d in self.fields))
        for name, decision in self.fields:
            if decision not in DECISIONS:
                raise ValueError(
                    f"field {name!r} has decision {decision!r}: use one of {sorted(DECISIONS)}"
                )
        if not _SHA256_HEX.fullmatch(self.operation_hash):
            raise ValueError("operation_hash must be 64 lowercase hex digits: use operation_hash()")
        texts = [self.subject, self.entity_type, self.entity_key, self.request_id]
        texts += [self.client_address, self.purpose or "", *self.roles]
        texts += [name for name, _ in self.fields]
        if any("\x00" in text for text in texts):
            raise ValueError("audit record text must not contain NUL characters")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A stored record with its place in the chain.

    Args:
        seq: position in the chain (1, 2, ...; never reused, not renumbered by a prune).
        record: the record as appended.
        hash: the record's chain hash (hex SHA-256).
    """

    seq: int
    record: AuditRecord
    hash: str


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which records an auditor asks for; every given condition must hold.

    Args:
        subject: records of this principal.
        entity_type: records of this GraphQL type.
        entity_key: records of this entity (usually with ``entity_type``).
        since: records at or after this time (timezone-aware).
        until: records strictly before this time (timezone-aware).
    """

    subject: str | None = None
    entity_type: str | None = None
    entity_key: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of records, newest first.

    Args:
        entries: the records of the page.
        has_next_page: whether older matching records follow.
        end_cursor: pass as ``after`` for the next page (``None`` on an empty page).
    """

    entries: tuple[AuditEntry, ...]
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of walking the chain.

    Args:
        ok: whether every record from the checkpoint to the head is intact.
        checked: records whose hash and link were checked before a break (or in all).
        first_broken_seq: the first record that is missing, edited or out of place.
        reason: what is wrong with it (``"intact"`` when ``ok``).
        checkpoint_seq: the last pruned record, where the walk started (``None``: none).
        head_seq: the last record the store says it holds.
        head_hash: that record's hash: keep it elsewhere to detect a rewritten chain.
    """

    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str
    checkpoint_seq: int | None = None
    head_seq: int = 0
    head_hash: str = ""


@dataclass(frozen=True, slots=True)
class PruneReport:
    """The outcome of a prune.

    Args:
        pruned: records deleted.
        cutoff: records before this time were eligible.
        checkpoint_seq: the last pruned record (the new checkpoint), or the previous one.
        checkpoint_hash: that record's hash, which the next record must link to.
    """

    pruned: int
    cutoff: dt.datetime
    checkpoint_seq: int | None
    checkpoint_hash: str | None


class AuditUnavailable(RuntimeError):
    """The audit store could not be reached, read or written.

    The message names the operation but no URL, SQL or value; the store error is chained
    as ``__cause__`` (its SQL parameters are hidden).
    """


class AuditChainBroken(RuntimeError):
    """A prune refused to delete records whose chain is broken (it would erase evidence).

    Args:
        report: the verification of the records the prune would have deleted.
    """

    def __init__(self, report: VerifyReport) -> None:
        super().__init__(
            f"refusing to prune: audit record {report.first_broken_seq} is broken "
            f"({report.reason}); run `citybrain audit verify` and investigate first"
        )
        self.report = report
