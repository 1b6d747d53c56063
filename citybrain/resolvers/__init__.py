"""Root and cross-department field resolvers: rows in, rows out; types are the schema's."""

from __future__ import annotations

from citybrain.resolvers.entities import fetch_entity, fetch_list, follow, visible
from citybrain.resolvers.prefetch import (
    EMPTY,
    Bundle,
    PageArgs,
    Prefetched,
    load_relation,
    page_args,
    prefetch,
)
from citybrain.resolvers.relations import RELATIONS, Relation

__all__ = [
    "EMPTY",
    "RELATIONS",
    "Bundle",
    "PageArgs",
    "Prefetched",
    "Relation",
    "fetch_entity",
    "fetch_list",
    "follow",
    "load_relation",
    "page_args",
    "prefetch",
    "visible",
]
