"""Requests refused before any GraphQL runs, with their HTTP status and error code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "BAD_REQUEST",
    "BATCHING_NOT_SUPPORTED",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "OPERATION_NOT_IN_SAFELIST",
    "OPERATION_RESOLUTION_FAILURE",
    "PAYLOAD_TOO_LARGE",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_NOT_SUPPORTED",
    "RATE_LIMITED",
    "UNSUPPORTED_MEDIA_TYPE",
    "HTTPProblem",
]

BAD_REQUEST = "BAD_REQUEST"
BATCHING_NOT_SUPPORTED = "BATCHING_NOT_SUPPORTED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
OPERATION_NOT_IN_SAFELIST = "OPERATION_NOT_IN_SAFELIST"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
RATE_LIMITED = "RATE_LIMITED"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"


class HTTPProblem(Exception):
    """A request refused at the HTTP layer: answered with ``status`` and a GraphQL error.

    Args:
        status: the HTTP status code.
        code: the error's ``extensions.code``.
        message: what is wrong and what to send instead.
        headers: extra response headers (``Allow``, ``Retry-After``).
        request_error: a GraphQL request error (a document or persisted operation the
            server cannot run): ``status`` for ``application/graphql-response+json``,
            200 for ``application/json``, as the GraphQL-over-HTTP specification asks.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        *,
        request_error: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_error = request_error
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def status_for(self, media_type: str) -> int:
        """The status to answer with, in ``media_type``."""
        if self.request_error and media_type == "application/json":
            return 200
        return self.status

    def body(self) -> dict[str, object]:
        """The response body: one error, no ``data``."""
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}
