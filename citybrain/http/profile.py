"""What the ``development`` and ``production`` profiles switch at the HTTP layer."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from citybrain.auth.roles import Role

if TYPE_CHECKING:
    from citybrain.auth.principal import Principal
    from citybrain.settings import Settings

__all__ = ["FEDERATION_FIELDS", "GATEWAY_HEADER", "HttpProfile"]

GATEWAY_HEADER = "X-Gateway-Secret"
"""The header carrying the gateway's shared secret (``CITYBRAIN_GATEWAY_SECRET``)."""
FEDERATION_FIELDS = frozenset({"_service", "_entities"})

_PRODUCTION_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
_ALWAYS_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True, slots=True)
class HttpProfile:
    """The profile's decisions for one service.

    Args:
        production: the production profile is in force.
        graphiql: GraphiQL is enabled (in production, shown to authenticated analysts only).
        gateway_secret: the federation gateway's shared secret, if one is set.
        rate_limit_per_minute: requests per caller per minute (0: no limit).
        persisted_get_only: GET runs persisted operations only (a hash, no document).
    """

    production: bool
    graphiql: bool
    gateway_secret: str | None
    rate_limit_per_minute: int
    persisted_get_only: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpProfile:
        production = settings.profile == "production"
        rate = settings.rate_limit_per_minute
        secret = settings.gateway_secret
        return cls(
            production=production,
            graphiql=settings.graphiql,
            gateway_secret=secret.get_secret_value() if secret else None,
            rate_limit_per_minute=(600 if production else 0) if rate is None else rate,
            persisted_get_only=production
            if settings.persisted_get_only is None
            else settings.persisted_get_only,
        )

    def shows_graphiql(self, principal: Principal) -> bool:
        """Whether this caller gets the GraphiQL page."""
        if not self.graphiql:
            return False
        return not self.production or Role.ANALYST in principal.roles

    def gateway_allowed(self, header: str | None) -> bool:
        """Whether ``_service`` / ``_entities`` may be asked for, given the gateway header.

        Open in development unless a secret is set; in production only with the secret
        (compared in constant time), so never when none is set.
        """
        if self.gateway_secret is None:
            return not self.production
        if header is None:
            return False
        return hmac.compare_digest(header.encode("utf-8"), self.gateway_secret.encode("utf-8"))

    def response_headers(self) -> dict[str, str]:
        """Headers every GraphQL response carries (HSTS in production)."""
        if self.production:
            return {**_ALWAYS_HEADERS, **_PRODUCTION_HEADERS}
        return dict(_ALWAYS_HEADERS)
