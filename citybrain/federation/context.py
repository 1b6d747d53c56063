"""What every resolver of one request can reach: settings and that request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citybrain.auth.access import Access
    from citybrain.auth.principal import Principal
    from citybrain.federation.loaders import Loaders
    from citybrain.settings import Settings
    from citybrain.workflow.updates import LocalUpdates

__all__ = ["RequestContext"]


def _anonymous() -> Principal:
    # Imported late: the auth package may import the federation layer.
    from citybrain.auth.principal import ANONYMOUS

    return ANONYMOUS


@dataclass(slots=True)
class RequestContext:
    """The per-request context handed to strawberry as ``info.context``."""

    settings: Settings
    loaders: Loaders
    request: Any = None
    response: Any = None
    principal: Principal = field(default_factory=_anonymous)
    """Who is asking (from the bearer token); anonymous without one."""
    access: Access | None = None
    """What the caller may see; None only where policies are switched off (benchmarks)."""
    audit_store: Any = None
    request_id: str = ""
    operation_hash: str = ""
    updates: LocalUpdates | None = None
    """Where workflow transitions are published and subscriptions listen (None: nowhere)."""
    connection_params: Any = None
    """A WebSocket connection's ``connection_init`` payload (its token, for browsers)."""
    document: Any = None
    """The parsed document, when the HTTP layer parsed it already (within the limits)."""
    cost: int = 0
    """The operation's cost, as the cost limit computed it before execution."""
