"""GraphQL over HTTP, safe to expose: the specification's media types and status codes,
persisted operations and the safelist, the rate limit, CORS and the gateway credential.

``citybrain.app`` wires it with :func:`safe_endpoint` (the ``/graphql`` endpoint) and
:func:`http_middleware` (CORS). The limits themselves live in :mod:`citybrain.limits`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from citybrain.http.endpoint import GraphQLOverHTTP, GraphQLView
from citybrain.http.headers import SecurityHeaders
from citybrain.http.manifest import ManifestError, load_manifest, register_operations
from citybrain.http.media import GRAPHQL_RESPONSE_JSON, JSON, negotiate
from citybrain.http.params import GraphQLParams, read_params
from citybrain.http.persisted import PersistedOperations, operation_digest
from citybrain.http.problems import (
    BAD_REQUEST,
    BATCHING_NOT_SUPPORTED,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    OPERATION_NOT_IN_SAFELIST,
    OPERATION_RESOLUTION_FAILURE,
    PAYLOAD_TOO_LARGE,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
    RATE_LIMITED,
    UNSUPPORTED_MEDIA_TYPE,
    HTTPProblem,
)
from citybrain.http.profile import FEDERATION_FIELDS, GATEWAY_HEADER, HttpProfile
from citybrain.http.ratelimit import RateLimiter
from citybrain.http.store import InProcessStore, KeyValueStore, RedisStore, store_for

if TYPE_CHECKING:
    from citybrain.limits import Limits
    from citybrain.settings import Settings

__all__ = [
    "BAD_REQUEST",
    "BATCHING_NOT_SUPPORTED",
    "FEDERATION_FIELDS",
    "GATEWAY_HEADER",
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "OPERATION_NOT_IN_SAFELIST",
    "OPERATION_RESOLUTION_FAILURE",
    "PAYLOAD_TOO_LARGE",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_NOT_SUPPORTED",
    "RATE_LIMITED",
    "UNSUPPORTED_MEDIA_TYPE",
    "GraphQLOverHTTP",
    "GraphQLParams",
    "GraphQLView",
    "HTTPProblem",
    "HttpProfile",
    "InProcessStore",
    "KeyValueStore",
    "ManifestError",
    "PersistedOperations",
    "RateLimiter",
    "RedisStore",
    "SecurityHeaders",
    "http_middleware",
    "load_manifest",
    "negotiate",
    "operation_digest",
    "read_params",
    "register_operations",
    "safe_endpoint",
    "store_for",
]


def safe_endpoint(view: GraphQLView, settings: Settings, limits: Limits) -> GraphQLOverHTTP:
    """The ``/graphql`` HTTP endpoint for ``view``, configured from the settings."""
    store = store_for(settings.redis_url)
    profile = HttpProfile.from_settings(settings)
    return GraphQLOverHTTP(
        view,
        limits=limits,
        profile=profile,
        persisted=PersistedOperations.from_settings(settings, store),
        rate_limiter=RateLimiter(store, profile.rate_limit_per_minute),
        max_body_bytes=settings.max_body_bytes,
    )


def http_middleware(settings: Settings) -> list[Middleware]:
    """The app's HTTP middleware: the security headers of every response, and CORS for the
    origins named in the settings (none: off)."""
    headers = Middleware(
        SecurityHeaders, headers=HttpProfile.from_settings(settings).response_headers()
    )
    if not settings.cors_origins:
        return [headers]
    return [
        headers,
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Purpose", GATEWAY_HEADER],
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        ),
    ]
