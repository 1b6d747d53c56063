"""Opaque keyset cursors: the ordering values of a row, encrypted for clients.

A cursor holds the ordering values of a row, which can be personal (a resident's ID
number orders the residents of a grid). Cursors are therefore encrypted and authenticated
(AES-SIV, deterministic: the same row always has the same cursor) with a key derived from
the service's signing key, so a client can neither read nor forge one; every worker
process of one service derives the same key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["InvalidCursor", "decode_cursor", "encode_cursor", "use_cursor_secret"]

_cipher = AESSIV(os.urandom(64))


def use_cursor_secret(secret: str) -> None:
    """Derive the cursor key from ``secret`` (the signing key), the same in every process."""
    global _cipher
    _cipher = AESSIV(hashlib.sha512(b"citybrain-cursor\x00" + secret.encode("utf-8")).digest())


class InvalidCursor(ValueError):
    """A cursor that this service did not issue for this list."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    """Encode the ordering values of one row as an opaque, URL-safe cursor."""
    raw = json.dumps([_plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    sealed = _cipher.encrypt(raw.encode(), None)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    """Decode a cursor back into typed ordering values, or raise :class:`InvalidCursor`.

    Args:
        cursor: what :func:`encode_cursor` produced.
        types: the Python type of each ordering column (``date`` and ``datetime`` are parsed).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(_cipher.decrypt(base64.urlsafe_b64decode(padded.encode()), None))
    except (InvalidTag, ValueError, UnicodeDecodeError):
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
