"""What a WebSocket connection may run: subscriptions only, and only while its token is valid.

Queries and mutations go over HTTP, where the gateway credential, the safelist, persisted
operations and the rate limit are enforced (``citybrain/http/``); a WebSocket connection
would pass by all of them. And a connection outlives the token it was opened with: every
operation on it is refused once that token has expired (the app also closes the connection
then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from citybrain.auth.middleware import UNAUTHENTICATED

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["WEBSOCKET_SUBSCRIPTIONS_ONLY", "ConnectionRules", "token_expired"]

WEBSOCKET_SUBSCRIPTIONS_ONLY = "SUBSCRIPTIONS_ONLY"


def token_expired() -> GraphQLError:
    """The error of an operation whose connection's token has expired."""
    return GraphQLError(
        "your token has expired: connect again with a new one",
        extensions={"code": UNAUTHENTICATED},
    )


class ConnectionRules(SchemaExtension):
    """Refuse queries and mutations over WebSocket, and anything after the token expired."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(getattr(context, "request", None), WebSocket):
            if self.execution_context.operation_type is not OperationType.SUBSCRIPTION:
                raise GraphQLError(
                    "only subscriptions run over WebSocket: send queries and mutations "
                    "over HTTP (POST /graphql)",
                    extensions={"code": WEBSOCKET_SUBSCRIPTIONS_ONLY},
                )
            principal = getattr(context, "principal", None)
            if principal is not None and principal.expired():
                raise token_expired()
        yield
