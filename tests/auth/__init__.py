"""Tests of authentication, principals, field policies and the audit trail."""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any

import jwt

if TYPE_CHECKING:
    from citybrain.settings import Settings

# Long enough for HS256 (32 bytes): PyJWT warns, and the suite errors, on shorter keys.
OTHER_SECRET = "another-signing-key-of-at-least-32-bytes"  # noqa: S105 - a test key


def claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Valid claims for ``settings`` (an analyst for an hour); ``None`` drops a claim."""
    now = int(time.time())
    found: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": "test-analyst",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "roles": ["analyst"],
        "purposes": [],
    }
    found.update(overrides)
    return {name: value for name, value in found.items() if value is not None}


def hs256(settings: Settings, secret: str | None = None, **overrides: Any) -> str:
    """A token signed with the settings' development key (or ``secret``)."""
    key = secret or settings.signing_key.get_secret_value()
    return jwt.encode(claims(settings, **overrides), key, algorithm="HS256")


def unsigned(settings: Settings, **overrides: Any) -> str:
    """An ``alg=none`` token, crafted by hand: header, payload and an empty signature."""

    def segment(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims(settings, **overrides))}."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
