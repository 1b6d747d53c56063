"""Signing keys: the HS256 secret of development, the identity provider's JWKS in production."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import jwt

if TYPE_CHECKING:
    from pathlib import Path

    from citybrain.settings import Settings

__all__ = [
    "JWKS_ALGORITHMS",
    "MIN_SECRET_BYTES",
    "TokenConfigurationError",
    "load_jwks",
    "signing_secret",
]

JWKS_ALGORITHMS = frozenset({"RS256", "ES256"})
"""The algorithms a JWKS key may be for; symmetric keys never come from a key file."""
MIN_SECRET_BYTES = 32
"""The shortest HS256 key PyJWT accepts without warning (RFC 7518: the hash size)."""


class TokenConfigurationError(ValueError):
    """The token settings cannot work (key file, signing key); the message says the fix."""


def load_jwks(path: Path) -> dict[str, jwt.PyJWK]:
    """The public keys of a JWKS file (RFC 7517), by ``kid``.

    Raises:
        TokenConfigurationError: the file cannot be read or parsed, a key has no unique
            ``kid``, is private or symmetric, is not for signing, or is for an algorithm
            other than RS256 and ES256.
    """
    where = f"CITYBRAIN_JWKS_FILE {path}"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TokenConfigurationError(f"cannot read {where}: {exc.strerror}") from None
    except ValueError:
        raise TokenConfigurationError(f'{where} is not JSON: expected {{"keys": [...]}}') from None
    entries = raw.get("keys") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TokenConfigurationError(f'{where} holds no keys: expected {{"keys": [...]}}')
    keys: dict[str, jwt.PyJWK] = {}
    for index, entry in enumerate(entries):
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not isinstance(kid, str) or not kid or kid in keys:
            raise TokenConfigurationError(f"{where}: key {index} needs a unique 'kid'")
        if "d" in entry or entry.get("kty") == "oct":
            raise TokenConfigurationError(
                f"{where}: key {kid!r} is private or symmetric; publish only public keys"
            )
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError as exc:
            raise TokenConfigurationError(f"{where}: key {kid!r} is unusable: {exc}") from None
        if key.algorithm_name not in JWKS_ALGORITHMS or entry.get("use", "sig") != "sig":
            raise TokenConfigurationError(
                f"{where}: key {kid!r} is for {key.algorithm_name}; "
                f"use signing keys for {' or '.join(sorted(JWKS_ALGORITHMS))}"
            )
        keys[kid] = key
    return keys


def signing_secret(settings: Settings) -> str:
    """The HS256 key of ``settings``, checked to be long enough.

    Raises:
        TokenConfigurationError: it is shorter than :data:`MIN_SECRET_BYTES`.
    """
    secret = settings.signing_key.get_secret_value()
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise TokenConfigurationError(
            f"CITYBRAIN_SIGNING_KEY is shorter than {MIN_SECRET_BYTES} bytes: set a random one, "
            "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return secret
