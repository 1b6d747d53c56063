"""Why a department call failed, as the resilience layer saw it (no host, SQL or trace)."""

from __future__ import annotations

from typing import Literal

__all__ = ["DepartmentFault", "DepartmentTimeout", "DepartmentUnavailable", "FaultReason"]

FaultReason = Literal["timeout", "error", "breaker_open", "overloaded"]


class DepartmentFault(Exception):
    """A department call failed; ``reason`` says how. The message names only the department.

    Args:
        department: the department that failed.
        reason: ``timeout``, ``error`` (the source raised), ``breaker_open`` (failing fast)
            or ``overloaded`` (its bulkhead queue was full).
    """

    def __init__(self, department: str, reason: FaultReason) -> None:
        super().__init__(f"the {department} department did not answer ({reason})")
        self.department = department
        self.reason: FaultReason = reason
        self.since: float | None = None
        """Wall-clock seconds since when the department has been failing (set by the layer)."""


class DepartmentTimeout(DepartmentFault):
    """The department did not answer within its timeout; the call was cancelled."""

    def __init__(self, department: str) -> None:
        super().__init__(department, "timeout")


class DepartmentUnavailable(DepartmentFault):
    """The department failed, its breaker is open, or its bulkhead is full."""
