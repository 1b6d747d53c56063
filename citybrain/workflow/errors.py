"""Why a workflow request was refused, with a code clients can switch on."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

__all__ = ["CONFLICT", "INVALID_TRANSITION", "WorkflowRefusal"]

INVALID_TRANSITION = "INVALID_TRANSITION"
CONFLICT = "CONFLICT"


class WorkflowRefusal(Exception):
    """A refused transition: nothing was changed.

    Args:
        code: ``FORBIDDEN``, ``INVALID_TRANSITION``, ``CONFLICT``, ``BAD_USER_INPUT``,
            ``AUDIT_UNAVAILABLE`` or ``DEPARTMENT_UNAVAILABLE``.
        message: what is wrong and what to do.
        details: further ``extensions`` (e.g. the event's current ``status``).
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_graphql(self) -> GraphQLError:
        """The GraphQL error for the response."""
        return GraphQLError(self.message, extensions={"code": self.code, **self.details})
