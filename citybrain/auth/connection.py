"""Who is on a WebSocket connection: its ``connection_init`` payload may carry the token.

Browsers cannot set headers on a WebSocket handshake, so graphql-transport-ws clients send
``{"Authorization": "Bearer <token>", "X-Purpose": "<purpose>"}`` as the payload of
``connection_init``. Without one, the handshake's own headers decide (as for HTTP).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citybrain.auth.middleware import PurposeNotGranted
from citybrain.auth.tokens import InvalidToken

if TYPE_CHECKING:
    from citybrain.auth.principal import Principal
    from citybrain.auth.tokens import TokenVerifier

__all__ = ["connection_principal"]


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
