"""Builds each department's stack of layers: cache → resilience → source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from citybrain.connectors.cache import CachePolicy, CachingConnector
from citybrain.connectors.cache_store import CacheStore, MemoryCacheStore, RedisCacheStore
from citybrain.connectors.resilience import ResiliencePolicy, ResilientConnector

if TYPE_CHECKING:
    from citybrain.connectors.base import Connector
    from citybrain.settings import Settings

__all__ = ["cache_store", "layered"]


def cache_store(settings: Settings) -> CacheStore:
    """Redis when ``CITYBRAIN_REDIS_URL`` is set, else an in-process LRU (no I/O here)."""
    if settings.redis_url:
        return RedisCacheStore(
            settings.redis_url,
            timeout=settings.cache_timeout,
            key_secret=settings.signing_key.get_secret_value().encode("utf-8"),
        )
    return MemoryCacheStore(settings.cache_max_entries)


def layered(source: Connector, settings: Settings, store: CacheStore) -> Connector:
    """``source`` wrapped in its department's resilience and cache layers.

    Args:
        source: the department's own connector.
        settings: per-department policies are read from them.
        store: the cache store shared by every department of the process.

    Example:
        >>> health = layered(HealthConnector.from_settings(s), s, cache_store(s))  # doctest: +SKIP
        >>> await health.fetch_by_keys("health_code", "id_number", ["1201..."])  # doctest: +SKIP
    """
    department = source.department
    guarded = ResilientConnector(source, ResiliencePolicy.for_department(settings, department))
    return CachingConnector(guarded, store, CachePolicy.for_department(settings, department))
