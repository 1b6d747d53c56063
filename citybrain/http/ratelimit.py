"""A rate limit per principal: so many requests a minute, then 429 with ``Retry-After``."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from citybrain.auth.principal import ANONYMOUS
from citybrain.http.problems import RATE_LIMITED, HTTPProblem

if TYPE_CHECKING:
    from citybrain.auth.principal import Principal
    from citybrain.http.store import KeyValueStore

__all__ = ["RateLimiter", "caller_key"]

_WINDOW_SECONDS = 60


def caller_key(principal: Principal, client_address: str) -> str:
    """Who a caller is, for per-caller state: the token's subject, else the client address."""
    anonymous = principal is ANONYMOUS or not principal.subject
    return f"addr:{client_address}" if anonymous else f"sub:{principal.subject}"


class RateLimiter:
    """Counts each caller's requests in fixed one-minute windows.

    A caller with a token is counted by its subject; an anonymous caller by its address.
    The key is a hash, so no subject or address is stored in the clear.

    Args:
        store: where the counters live (Redis is shared by every worker).
        per_minute: requests allowed per caller per minute; 0 switches the limit off.
    """

    def __init__(self, store: KeyValueStore, per_minute: int) -> None:
        self.store = store
        self.per_minute = per_minute

    async def check(self, principal: Principal, client_address: str) -> None:
        """Count one request of this caller.

        Raises:
            HTTPProblem: 429 with ``Retry-After`` when the caller is over its limit.
        """
        if self.per_minute <= 0:
            return
        who = caller_key(principal, client_address)
        key = "rate:" + hashlib.sha256(who.encode("utf-8")).hexdigest()[:32]
        count, retry_after = await self.store.increment(key, _WINDOW_SECONDS)
        if count > self.per_minute:
            raise HTTPProblem(
                429,
                RATE_LIMITED,
                f"more than {self.per_minute} requests a minute: try again in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )
