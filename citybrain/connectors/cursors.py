"""Opaque keyset cursors: the ordering values of a row, encoded for clients."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["InvalidCursor", "decode_cursor", "encode_cursor"]


class InvalidCursor(ValueError):
    """A cursor that this service did not issue for this list."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    """Encode the ordering values of one row as an opaque, URL-safe cursor."""
    raw = json.dumps([_plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    """Decode a cursor back into typed ordering values, or raise :class:`InvalidCursor`.

    Args:
        cursor: what :func:`encode_cursor` produced.
        types: the Python type of each ordering column (``date`` and ``datetime`` are parsed).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("the cursor is not one this service issued") from None
    if not isinstance(values, list) or len(values) != len(types):
        raise InvalidCursor("the cursor does not belong to this list")
    typed: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        try:
            if kind is dt.datetime:
                typed.append(dt.datetime.fromisoformat(value))
            elif kind is dt.date:
                typed.append(dt.date.fromisoformat(value))
            elif not isinstance(value, kind):
                raise InvalidCursor("the cursor does not belong to this list")
            else:
                typed.append(value)
        except (TypeError, ValueError):
            raise InvalidCursor("the cursor does not belong to this list") from None
    return typed
