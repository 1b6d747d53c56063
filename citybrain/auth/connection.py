"""Who is on a WebSocket connection: its ``connection_init`` payload may carry the token.

Browsers cannot set headers on a WebSocket handshake, so graphql-transport-ws clients send
``{"Authorization": "Bearer <token>", "X-Purpose": "<purpose>"}`` as the payload of
``connection_init``. Without one, the handshake's own headers decide (as for HTTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from citybrain.auth.middleware import PurposeNotGranted
from citybrain.auth.tokens import InvalidToken

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

    from citybrain.auth.principal import Principal
    from citybrain.auth.tokens import TokenVerifier

__all__ = ["TOKEN_EXPIRED_CLOSE_CODE", "close_at_expiry", "connection_principal"]

TOKEN_EXPIRED_CLOSE_CODE = 4401
"""The close code of a connection whose token expired (graphql-transport-ws uses 44xx)."""

_closing: set[asyncio.Task[None]] = set()


def _param(params: dict[str, Any], name: str) -> Any:
    for key, value in params.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def connection_principal(params: Any, verifier: TokenVerifier, handshake: Principal) -> Principal:
    """The principal of a connection: the payload's token, else the handshake's.

    Raises:
        InvalidToken: the payload's ``Authorization`` is malformed or its token refused.
        PurposeNotGranted: the payload's ``X-Purpose`` is not granted by the token.
    """
    if not isinstance(params, dict):
        return handshake
    principal = handshake
    authorization = _param(params, "Authorization")
    if authorization is not None:
        if not isinstance(authorization, str):
            raise InvalidToken("the Authorization parameter must be 'Bearer <token>'")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("the Authorization parameter must be 'Bearer <token>'")
        principal = verifier.verify(token.strip())
    purpose = _param(params, "X-Purpose")
    if purpose is None:
        return principal
    if not isinstance(purpose, str) or purpose not in principal.purposes:
        raise PurposeNotGranted("the purpose asked for is not granted by your token")
    return principal.with_purpose(purpose)


def close_at_expiry(websocket: WebSocket, principal: Principal) -> None:
    """Close ``websocket`` (code 4401) when the token of ``principal`` expires.

    A connection outlives its handshake: without this, a subscription would keep
    receiving personal data for as long as the client stays connected.
    """
    if principal.expires_at is None:
        return
    loop = asyncio.get_running_loop()

    async def close() -> None:
        with contextlib.suppress(Exception):  # already closed by the client: nothing to do
            await websocket.close(code=TOKEN_EXPIRED_CLOSE_CODE, reason="token expired")

    def start() -> None:
        task = loop.create_task(close())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    loop.call_later(max(0.0, principal.expires_at - time.time()), start)
