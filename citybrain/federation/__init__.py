"""Per-request loaders and context: how the graph reaches the departments."""

from __future__ import annotations

from citybrain.federation.context import RequestContext
from citybrain.federation.loaders import KeyLoader, Loaders

__all__ = ["KeyLoader", "Loaders", "RequestContext"]
