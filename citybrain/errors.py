"""GraphQL errors with a stable ``extensions.code`` that clients can switch on."""

from __future__ import annotations

import time

from graphql import GraphQLError

from citybrain.connectors.faults import DepartmentFault, DepartmentTimeout
from citybrain.observability.requests import current_observation

__all__ = [
    "BAD_USER_INPUT",
    "DEPARTMENT_TIMEOUT",
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
DEPARTMENT_TIMEOUT = "DEPARTMENT_TIMEOUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


def department_unavailable(department: str, cause: BaseException | None = None) -> GraphQLError:
    """A department could not answer; only its own fields are null. No host, SQL or trace.

    The code is ``DEPARTMENT_TIMEOUT`` when ``cause`` is a timeout, else
    ``DEPARTMENT_UNAVAILABLE``; the department is also listed in the response's
    ``extensions.degraded`` with the reason and since when it has been failing.

    Args:
        department: the department whose fields are null.
        cause: what the connector raised (never shown to the client).
    """
    reason = cause.reason if isinstance(cause, DepartmentFault) else "error"
    since = cause.since if isinstance(cause, DepartmentFault) and cause.since else time.time()
    observation = current_observation()
    if observation is not None:
        observation.failed(department, reason, since)
    if isinstance(cause, DepartmentTimeout):
        return GraphQLError(
            f"the {department} department did not answer in time; its fields are null",
            extensions={"code": DEPARTMENT_TIMEOUT, "department": department},
        )
    return GraphQLError(
        f"the {department} department could not answer; its fields are null",
        extensions={"code": DEPARTMENT_UNAVAILABLE, "department": department},
    )
