"""Authentication of GraphQL requests: a bearer token (or none) becomes the request's principal.

:class:`BearerAuthentication` wraps the ``/graphql`` endpoint (a pure ASGI middleware)::

    Route("/graphql", BearerAuthentication(graphql, TokenVerifier(settings)))

- no ``Authorization`` header: :data:`ANONYMOUS` (public data only);
- ``Authorization: Bearer <token>`` with a valid token: the token's principal;
- anything else (another scheme, no token, a refused token): HTTP 401 with
  ``WWW-Authenticate: Bearer error="invalid_token"`` and a GraphQL error body whose
  ``extensions.code`` is ``UNAUTHENTICATED``; never a silent fall-back to anonymous;
- ``X-Purpose: <purpose>``: the purpose of this request, which the token must grant, else
  HTTP 403 with ``extensions.code`` ``FORBIDDEN``.

The principal is stored in the ASGI scope's ``state`` (``request.state.principal``).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse
from starlette.websockets import WebSocketClose

from citybrain.auth.principal import ANONYMOUS
from citybrain.auth.roles import Role
from citybrain.auth.tokens import InvalidToken, mint_development_token
from citybrain.settings import DEVELOPMENT_SIGNING_KEY

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from citybrain.auth.principal import Principal
    from citybrain.auth.tokens import TokenVerifier
    from citybrain.settings import Settings

__all__ = [
    "PURPOSE_HEADER",
    "UNAUTHENTICATED",
    "BearerAuthentication",
    "PurposeNotGranted",
    "authenticate",
    "graphiql_headers",
    "may_embed_tokens",
]

UNAUTHENTICATED = "UNAUTHENTICATED"
PURPOSE_HEADER = "X-Purpose"

logger = logging.getLogger("citybrain.auth")

# RFC 6750 b64token; a JWT is three base64url segments joined by dots.
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_MALFORMED = "the Authorization header must be 'Bearer <token>'"
_SHOWN_PURPOSE = 64


class PurposeNotGranted(Exception):
    """The request declares a purpose (``X-Purpose``) that its token does not grant."""


def _header_values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


def authenticate(scope: Scope, verifier: TokenVerifier) -> Principal:
    """The principal of an HTTP or WebSocket request, from its headers.

    Raises:
        InvalidToken: a malformed ``Authorization`` header or a refused token.
        PurposeNotGranted: ``X-Purpose`` names a purpose the token does not grant.
    """
    authorization = _header_values(scope, b"authorization")
    if not authorization:
        principal = ANONYMOUS
    else:
        if len(authorization) > 1:
            raise InvalidToken("send one Authorization header")
        scheme, _, token = authorization[0].strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
            raise InvalidToken(_MALFORMED)
        principal = verifier.verify(token)
    purposes = [p.strip() for p in _header_values(scope, b"x-purpose") if p.strip()]
    if not purposes:
        return principal
    purpose = purposes[0]
    if len(purposes) > 1 or purpose not in principal.purposes:
        shown = purpose if len(purpose) <= _SHOWN_PURPOSE else purpose[:_SHOWN_PURPOSE] + "…"
        granted = ", ".join(sorted(principal.purposes)) or "none"
        raise PurposeNotGranted(
            f"purpose {shown!r} is not granted by your token (granted: {granted}); "
            f"send one {PURPOSE_HEADER} header naming a granted purpose, or none"
        )
    return principal.with_purpose(purpose)


EMBEDDED_TOKEN_SECONDS = 3600
"""Lifetime of a development token a page carries (GraphiQL, the dashboard)."""


def may_embed_tokens(settings: Settings, client_host: str | None) -> bool:
    """Whether a page may carry a development token for this client.

    Only on a development set-up in the full sense (development profile, no JWKS file, the
    development signing key) and only for a browser on this machine: a page served to
    anyone else would hand out a working token.
    """
    if settings.profile != "development" or settings.jwks_file is not None:
        return False
    if settings.signing_key.get_secret_value() != DEVELOPMENT_SIGNING_KEY:
        return False
    try:
        return client_host is not None and ipaddress.ip_address(client_host).is_loopback
    except ValueError:
        return False


def graphiql_headers(settings: Settings, client_host: str | None = "127.0.0.1") -> str | None:
    """GraphiQL's default headers in development: a citizen token for the demo resident.

    That resident may see all their own records, so the README's first query works as
    pasted. None unless :func:`may_embed_tokens` (production, a JWKS file, a real signing
    key, or a browser elsewhere).
    """
    if not may_embed_tokens(settings, client_host):
        return None
    from citybrain.seed import DEMO_ID_NUMBER  # the seed package is heavy: only here

    token = mint_development_token(
        settings,
        role=Role.CITIZEN,
        jurisdiction=DEMO_ID_NUMBER,
        ttl_seconds=EMBEDDED_TOKEN_SECONDS,
    )
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)


def _error_body(message: str, code: str, **extensions: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def _quoted(text: str) -> str:
    """``text`` fit for a quoted-string of a ``WWW-Authenticate`` header."""
    return "".join(c for c in text if c.isascii() and c.isprintable() and c not in '"\\')


class BearerAuthentication:
    """ASGI middleware putting the caller's principal into ``scope["state"]["principal"]``.

    Args:
        app: the endpoint it guards (the GraphQL app).
        verifier: checks bearer tokens.
    """

    def __init__(self, app: ASGIApp, verifier: TokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            principal = authenticate(scope, self.verifier)
        except InvalidToken as exc:
            logger.info("refused a bearer token on %s: %s", scope["path"], exc.reason)
            if scope["type"] == "websocket":
                await WebSocketClose(code=4401, reason="unauthenticated")(scope, receive, send)
                return
            response = JSONResponse(
                _error_body(f"invalid bearer token: {exc.reason}", UNAUTHENTICATED),
                status_code=401,
                headers={
                    "WWW-Authenticate": (
                        f'Bearer realm="citybrain", error="invalid_token", '
                        f'error_description="{_quoted(exc.reason)}"'
                    )
                },
            )
            await response(scope, receive, send)
            return
        except PurposeNotGranted as exc:
            logger.info("refused an undeclared purpose on %s", scope["path"])
            if scope["type"] == "websocket":
                await WebSocketClose(code=4403, reason="forbidden")(scope, receive, send)
                return
            await JSONResponse(_error_body(str(exc), "FORBIDDEN"), status_code=403)(
                scope, receive, send
            )
            return
        state = {**scope.get("state", {}), "principal": principal}
        await self.app({**scope, "state": state}, receive, send)
