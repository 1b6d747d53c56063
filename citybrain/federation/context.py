"""What every resolver of one request can reach: settings and that request's loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citybrain.federation.loaders import Loaders
    from citybrain.settings import Settings

__all__ = ["RequestContext"]


@dataclass(slots=True)
class RequestContext:
    """The per-request context handed to strawberry as ``info.context``."""

    settings: Settings
    loaders: Loaders
    request: Any = None
    response: Any = None
