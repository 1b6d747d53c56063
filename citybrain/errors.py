"""GraphQL errors with a stable ``extensions.code`` that clients can switch on."""

from __future__ import annotations

from graphql import GraphQLError

__all__ = [
    "BAD_USER_INPUT",
    "DEPARTMENT_UNAVAILABLE",
    "INTERNAL_SERVER_ERROR",
    "NOT_FOUND",
    "bad_user_input",
    "department_unavailable",
    "not_found",
]

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"


def bad_user_input(message: str, **details: object) -> GraphQLError:
    """An argument the client must fix; ``message`` says what is wrong and what to send."""
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, **details})


def not_found(message: str) -> GraphQLError:
    """No entity with that key (or none the caller may see: the answer is the same)."""
    return GraphQLError(message, extensions={"code": NOT_FOUND})


DEPARTMENT_UNAVAILABLE = "DEPARTMENT_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


def department_unavailable(department: str) -> GraphQLError:
    """A department could not answer; only its own fields are null. No host, SQL or trace."""
    return GraphQLError(
        f"the {department} department could not answer; its fields are null",
        extensions={"code": DEPARTMENT_UNAVAILABLE, "department": department},
    )
