"""Who sees what: authentication (bearer tokens), principals and roles.

A request's bearer token is verified by :class:`TokenVerifier` (wired in front of
``/graphql`` by :class:`BearerAuthentication`) into a :class:`Principal`; no token is
:data:`ANONYMOUS`. ``citybrain token`` mints development tokens.
"""

from __future__ import annotations

from citybrain.auth.keys import TokenConfigurationError
from citybrain.auth.middleware import (
    PURPOSE_HEADER,
    UNAUTHENTICATED,
    BearerAuthentication,
    PurposeNotGranted,
    authenticate,
)
from citybrain.auth.principal import (
    ANONYMOUS,
    InvalidJurisdiction,
    Principal,
    check_jurisdiction,
)
from citybrain.auth.roles import ROLE_DESCRIPTIONS, Role, UnknownRole, parse_role
from citybrain.auth.tokens import (
    DevelopmentTokensRefused,
    InvalidToken,
    TokenVerifier,
    mint_development_token,
)

__all__ = [
    "ANONYMOUS",
    "PURPOSE_HEADER",
    "ROLE_DESCRIPTIONS",
    "UNAUTHENTICATED",
    "BearerAuthentication",
    "DevelopmentTokensRefused",
    "InvalidJurisdiction",
    "InvalidToken",
    "Principal",
    "PurposeNotGranted",
    "Role",
    "TokenConfigurationError",
    "TokenVerifier",
    "UnknownRole",
    "authenticate",
    "check_jurisdiction",
    "mint_development_token",
    "parse_role",
]
