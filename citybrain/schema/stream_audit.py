"""The audit of results sent over a stream (a subscription's updates), one batch per result.

Over HTTP the app writes a request's audit batch before the response leaves
(``CityGraphQL.process_result``). A subscription sends many results over one connection,
none of them through that path: this extension writes the personal fields each result
served or denied *before* the result is sent, and sends an ``AUDIT_UNAVAILABLE`` error in its
place when the store cannot be written.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from citybrain.auth.access import AUDIT_UNAVAILABLE
from citybrain.auth.audit import AuditUnavailable, operation_hash

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from strawberry.types.execution import ExecutionResult

__all__ = ["StreamAudit"]


class StreamAudit(SchemaExtension):
    """Write each streamed result's audit records before the result is sent."""

    async def on_stream_result(self, result: ExecutionResult) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        access = getattr(context, "access", None)
        request = getattr(context, "request", None)
        if access is not None and access.entities and request is not None:
            gate = request.app.state.audit
            client = request.client.host if request.client else ""
            batch = access.take_batch()  # before awaiting: other operations keep noting
            try:
                await gate.write(
                    batch,
                    request_id=uuid.uuid4().hex,
                    operation_hash=operation_hash(self.execution_context.query or ""),
                    client_address=client,
                )
            except AuditUnavailable:
                result.data = None
                result.errors = [
                    GraphQLError(
                        "the audit trail could not be written; nothing was served",
                        extensions={"code": AUDIT_UNAVAILABLE},
                    )
                ]
        yield
