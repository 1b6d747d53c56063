"""A circuit breaker: closed, open (fail fast), half-open (one probe)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["BreakerState", "CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Counts consecutive failures of one department and stops calling it for a while.

    ``closed``: calls go through; ``failures`` consecutive failures open it. ``open``:
    calls fail fast, without reaching the department, until ``reset`` seconds have passed.
    Then ``half_open``: exactly one call (the probe) goes through; its success closes the
    breaker, its failure opens it again for another ``reset`` seconds.

    Args:
        failures: consecutive failures that open the breaker.
        reset: seconds the breaker stays open before one probe is let through.
        clock: monotonic seconds (injectable for tests).

    Example:
        >>> breaker = CircuitBreaker(failures=2, reset=10.0)
        >>> breaker.allow()
        True
    """

    def __init__(
        self, *, failures: int, reset: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures
        self.reset = reset
        self._clock = clock
        self.state: BreakerState = "closed"
        self.consecutive_failures = 0
        self.opened_at = 0.0
        self._probing = False
        self.rejected = 0
        """Calls refused without reaching the department."""

    def allow(self) -> bool:
        """Whether a call may go to the department now (claims the probe when half-open)."""
        if self.state == "closed":
            return True
        if self.state == "open":
            if self._clock() - self.opened_at < self.reset:
                self.rejected += 1
                return False
            self.state = "half_open"
            self._probing = False
        if self._probing:  # half-open: a probe is already out
            self.rejected += 1
            return False
        self._probing = True
        return True

    def record_success(self) -> None:
        """A call succeeded: close the breaker."""
        self.state = "closed"
        self.consecutive_failures = 0
        self._probing = False

    def record_failure(self) -> None:
        """A call failed: open the breaker after the threshold, or when the probe failed."""
        self.consecutive_failures += 1
        if self.state == "half_open" or self.consecutive_failures >= self.threshold:
            self.state = "open"
            self.opened_at = self._clock()
            self._probing = False

    def release(self) -> None:
        """A probe ended without a verdict (cancelled): let another probe through."""
        if self.state == "half_open":
            self._probing = False
