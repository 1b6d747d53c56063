"""The security headers of every response the app sends (docs/security.md)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders"]


class SecurityHeaders:
    """ASGI middleware adding ``headers`` (and ``X-Request-Id``) to every HTTP response.

    A header the response already carries is kept: the dashboard's own
    ``Content-Security-Policy``, ``/graphql``'s request id.

    Args:
        app: the application.
        headers: name -> value, e.g. :meth:`citybrain.http.HttpProfile.response_headers`.
    """

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in self.headers if k not in present)
                if b"x-request-id" not in present:
                    headers.append((b"x-request-id", uuid.uuid4().hex.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
