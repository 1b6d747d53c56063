"""Bearer tokens (JWT): verified into a :class:`Principal`, and minted for development.

Development signs with HS256 and ``CITYBRAIN_SIGNING_KEY``. Production points
``CITYBRAIN_JWKS_FILE`` at the identity provider's public keys (RS256 or ES256, chosen by the
token's ``kid``); HS256 is then refused. Always: ``alg=none`` refused, ``exp``, ``iss``,
``aud`` and ``sub`` required, ``exp`` and ``nbf`` checked with :data:`LEEWAY_SECONDS`.

Claims besides the registered ones: ``roles`` (a list of :class:`Role` names),
``department``, ``jurisdiction`` (a region code prefix, or a citizen's own ID number) and
``purposes`` (a list of purposes the caller may declare in ``X-Purpose``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import jwt

from citybrain.auth.keys import JWKS_ALGORITHMS, TokenConfigurationError, load_jwks, signing_secret
from citybrain.auth.principal import InvalidJurisdiction, Principal, check_jurisdiction
from citybrain.auth.roles import Role, UnknownRole, parse_role
from citybrain.settings import DEVELOPMENT_SIGNING_KEY

if TYPE_CHECKING:
    from collections.abc import Iterable

    from citybrain.settings import Settings

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "DEVELOPMENT_ALGORITHM",
    "JWKS_ALGORITHMS",
    "LEEWAY_SECONDS",
    "DevelopmentTokensRefused",
    "InvalidToken",
    "TokenConfigurationError",
    "TokenVerifier",
    "mint_development_token",
    "principal_from_claims",
]

LEEWAY_SECONDS = 30
DEFAULT_TTL_SECONDS = 8 * 3600
DEVELOPMENT_ALGORITHM = "HS256"
_REQUIRED = ["exp", "iss", "aud", "sub"]

# PyJWT's errors, most specific first, and the reason a client is told.
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.DecodeError, "malformed token"),
)


class InvalidToken(Exception):
    """A bearer token was refused; ``reason`` is safe to show the client.

    Args:
        reason: what is wrong, e.g. ``"token expired"`` or ``"unknown signing key"``;
            it never quotes the token or a personal value.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DevelopmentTokensRefused(RuntimeError):
    """Development tokens were asked for where the service would not (or must not) take them."""


def _strings(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidToken(f"claim '{name}' must be a list of names")
    return value


def _optional_string(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is not None and not (isinstance(value, str) and value):
        raise InvalidToken(f"claim '{name}' must be a non-empty string")
    return value


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The :class:`Principal` named by verified claims.

    Raises:
        InvalidToken: a claim is missing, of the wrong type, names an unknown role, or a
            jurisdiction does not fit the roles.
    """
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidToken("claim 'sub' must be a non-empty string")
    names = _strings(claims, "roles")
    if not names:
        raise InvalidToken("token names no roles")
    try:
        roles = frozenset(parse_role(name) for name in names)
    except UnknownRole as exc:
        raise InvalidToken(str(exc)) from None
    jurisdiction = _optional_string(claims, "jurisdiction")
    try:
        check_jurisdiction(roles, jurisdiction)
    except InvalidJurisdiction as exc:
        raise InvalidToken(str(exc)) from None
    return Principal(
        subject=claims["sub"],
        roles=roles,
        department=_optional_string(claims, "department"),
        jurisdiction=jurisdiction,
        purposes=frozenset(_strings(claims, "purposes")),
        expires_at=float(claims["exp"]) if isinstance(claims.get("exp"), int | float) else None,
    )


class TokenVerifier:
    """Verifies bearer tokens under the service's settings (keys are read once, here).

    Args:
        settings: ``jwks_file`` set: RS256/ES256 by ``kid`` from that file, HS256 refused;
            otherwise HS256 with ``signing_key`` (never the development key in production).

    Raises:
        TokenConfigurationError: the JWKS file is unreadable or holds an unusable key, the
            signing key is too short, or production would run on the development key.
    """

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.token_issuer
        self.audience = settings.token_audience
        self._keys: dict[str, jwt.PyJWK] = {}
        self._secret = ""
        if settings.jwks_file is not None:
            self._keys = load_jwks(settings.jwks_file)
            self.algorithms = JWKS_ALGORITHMS
            return
        self._secret = signing_secret(settings)
        if settings.profile == "production" and self._secret == DEVELOPMENT_SIGNING_KEY:
            raise TokenConfigurationError(
                "the production profile refuses the development signing key: set "
                "CITYBRAIN_JWKS_FILE to the identity provider's public keys"
            )
        self.algorithms = frozenset({DEVELOPMENT_ALGORITHM})

    def verify(self, token: str) -> Principal:
        """The principal a bearer token names.

        Raises:
            InvalidToken: the token is malformed, signed with an algorithm or key not
                accepted here, expired or not yet valid, for another issuer or audience,
                or its claims do not name a valid principal.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise InvalidToken("algorithm not allowed")
        key: jwt.PyJWK | str = self._secret
        if self._keys:
            found = self._keys.get(header.get("kid", ""))
            if found is None:
                raise InvalidToken("unknown signing key")
            key = found
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": _REQUIRED},
            )
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"token lacks the '{exc.claim}' claim") from None
        except jwt.PyJWTError as exc:
            reason = next((r for kind, r in _REASONS if isinstance(exc, kind)), "invalid token")
            raise InvalidToken(reason) from None
        return principal_from_claims(claims)


def mint_development_token(
    settings: Settings,
    *,
    role: Role | str,
    jurisdiction: str | None = None,
    purposes: Iterable[str] = (),
    subject: str | None = None,
    department: str | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    """A development token (HS256, ``settings.signing_key``) that the service accepts.

    Args:
        settings: the service's settings (issuer, audience, signing key).
        role: the caller's role.
        jurisdiction: a region code prefix; for a citizen, their own ID number.
        purposes: purposes the caller may declare in ``X-Purpose``.
        subject: the token's ``sub`` (``dev-<role>`` when omitted).
        department: the caller's department, if any.
        ttl_seconds: how long the token is valid.

    Raises:
        DevelopmentTokensRefused: the production profile, or a JWKS file is configured
            (the service then takes only the identity provider's tokens).
        ValueError: an unknown role, a jurisdiction that does not fit the role, a
            non-positive lifetime, or a signing key that is too short.
    """
    if settings.profile == "production":
        raise DevelopmentTokensRefused(
            "development tokens are refused under the production profile "
            "(CITYBRAIN_PROFILE=production): get tokens from the city's identity provider"
        )
    if settings.jwks_file is not None:
        raise DevelopmentTokensRefused(
            "CITYBRAIN_JWKS_FILE is set, so the service accepts only the identity provider's "
            "tokens: unset it to use development tokens"
        )
    chosen = role if isinstance(role, Role) else parse_role(role)
    check_jurisdiction(frozenset({chosen}), jurisdiction)
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds}")
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": subject or f"dev-{chosen.value}",
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "roles": [chosen.value],
        "purposes": sorted(set(purposes)),
    }
    if department is not None:
        claims["department"] = department
    if jurisdiction is not None:
        claims["jurisdiction"] = jurisdiction
    return jwt.encode(claims, signing_secret(settings), algorithm=DEVELOPMENT_ALGORITHM)
