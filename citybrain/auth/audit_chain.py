"""The hash chain: canonical form of a record, its hash, and the walk that checks a chain.

A record's hash is ``sha256(prev_hash + canonical_json(record) + str(seq))`` in hex, where
``canonical_json`` is the record's ten attributes as a JSON object with sorted keys, no
spaces, UTF-8 (not ``\\u`` escapes), ``at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC and
``fields`` as ``[[name, decision], ...]``. The first record's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

from citybrain.auth.audit_records import AuditRecord, VerifyReport

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "GENESIS_HASH",
    "ChainWalker",
    "canonical_json",
    "chain_hash",
    "record_document",
    "record_row",
    "stored_record",
]

GENESIS_HASH = "0" * 64


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and raw UTF-8: one text per value."""
    return _ENCODER.encode(value)


def _utc_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def record_document(record: AuditRecord) -> dict[str, Any]:
    """The attributes of ``record`` as the JSON object that its hash covers."""
    return {
        "at": _utc_text(record.at),
        "subject": record.subject,
        "roles": list(record.roles),
        "purpose": record.purpose,
        "entity_type": record.entity_type,
        "entity_key": record.entity_key,
        "fields": [[name, decision] for name, decision in record.fields],
        "request_id": record.request_id,
        "operation_hash": record.operation_hash,
        "client_address": record.client_address,
    }


def _hash(prev_hash: str, document: dict[str, Any], seq: int) -> str:
    text = prev_hash + canonical_json(document) + str(seq)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, record: AuditRecord, seq: int) -> str:
    """The hash of ``record`` at position ``seq``, after a record whose hash is ``prev_hash``."""
    return _hash(prev_hash, record_document(record), seq)


def record_row(record: AuditRecord, seq: int, prev_hash: str) -> dict[str, Any]:
    """The ``audit_records`` row of ``record`` at ``seq``, with its link and hash."""
    document = record_document(record)
    return {
        **document,
        "seq": seq,
        "at": record.at,
        "roles": canonical_json(document["roles"]),
        "fields": canonical_json(document["fields"]),
        "prev_hash": prev_hash,
        "hash": _hash(prev_hash, document, seq),
    }


def _stored_at(value: Any) -> dt.datetime:
    """A stored ``at``: a datetime (PostgreSQL) or SQLite's text; naive values are UTC."""
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def stored_record(row: Mapping[Any, Any]) -> AuditRecord:
    """The record a stored row holds.

    Raises:
        ValueError: a value is unreadable, or its JSON columns are not in canonical form.
        TypeError: a value has the wrong type (SQLite stores what it is given).
    """
    roles, fields = json.loads(row["roles"]), json.loads(row["fields"])
    if canonical_json(roles) != row["roles"] or canonical_json(fields) != row["fields"]:
        raise ValueError("roles or fields are not canonical JSON")
    return AuditRecord(
        at=_stored_at(row["at"]),
        subject=row["subject"],
        roles=tuple(roles),
        purpose=row["purpose"],
        entity_type=row["entity_type"],
        entity_key=row["entity_key"],
        fields=tuple((name, decision) for name, decision in fields),
        request_id=row["request_id"],
        operation_hash=row["operation_hash"],
        client_address=row["client_address"],
    )


class ChainWalker:
    """Checks stored rows, fed in ``seq`` order, against the chain; stops at the first break.

    Args:
        checkpoint_seq: the last pruned record, or ``None`` when nothing was pruned.
        checkpoint_hash: that record's hash (what the first remaining record links to).

    Example:
        >>> walker = ChainWalker(None, None)
        >>> walker.finish((0, GENESIS_HASH)).ok
        True
    """

    def __init__(self, checkpoint_seq: int | None, checkpoint_hash: str | None) -> None:
        self.checkpoint_seq = checkpoint_seq
        self.expected = (checkpoint_seq or 0) + 1
        self.prev_hash = checkpoint_hash or GENESIS_HASH
        self.checked = 0
        self.broken: tuple[int, str] | None = None

    def feed(self, row: Mapping[Any, Any]) -> bool:
        """Check one row; ``False`` once the chain is broken (feed no more rows)."""
        if self.broken is not None:
            return False
        seq = row["seq"]
        if not isinstance(seq, int):
            return self._break(self.expected, "a record's seq is not a whole number (edited)")
        if seq < self.expected:
            where = f"the prune checkpoint (seq {self.checkpoint_seq})"
            return self._break(seq, f"it lies before {where if self.checkpoint_seq else 'seq 1'}")
        if seq > self.expected:
            return self._break(self.expected, f"{_span(self.expected, seq - 1)} missing (deleted)")
        if row["prev_hash"] != self.prev_hash:
            return self._break(
                seq,
                "its prev_hash is not the hash of the record before it: records were "
                "deleted, replaced or reordered",
            )
        try:
            record = stored_record(row)
        except (TypeError, ValueError, KeyError):
            return self._break(seq, "its stored values are unreadable (edited)")
        if chain_hash(self.prev_hash, record, seq) != row["hash"]:
            return self._break(seq, "its content does not match its hash (edited)")
        self.prev_hash = row["hash"]
        self.expected += 1
        self.checked += 1
        return True

    def finish(self, head: tuple[int, str] | None) -> VerifyReport:
        """The report, once every row was fed; ``head`` is ``(last_seq, last_hash)``."""
        if self.broken is None and head is None:
            self._break(self.expected, "the chain head (audit_head) is missing")
        elif self.broken is None and head is not None:
            last_seq, last_hash = head
            walked = self.expected - 1
            if last_seq > walked:
                self._break(
                    self.expected,
                    f"{_span(self.expected, last_seq)} missing at the end: the head says "
                    f"the chain ends at {last_seq} (truncated)",
                )
            elif last_seq < walked:
                self._break(
                    last_seq + 1,
                    f"it lies after the head (seq {last_seq}): not appended through the store",
                )
            elif last_hash != self.prev_hash:
                self._break(max(walked, 1), "the head's hash is not this record's hash")
        head_seq, head_hash = head if head is not None else (0, "")
        seq, reason = self.broken if self.broken is not None else (None, "intact")
        return VerifyReport(
            ok=self.broken is None,
            checked=self.checked,
            first_broken_seq=seq,
            reason=reason,
            checkpoint_seq=self.checkpoint_seq,
            head_seq=head_seq,
            head_hash=head_hash,
        )

    def _break(self, seq: int, reason: str) -> bool:
        self.broken = (seq, reason)
        return False


def _span(first: int, last: int) -> str:
    return f"record {first} is" if first == last else f"records {first}-{last} are"
