"""Persisted operations: automatic persisted queries (APQ) and the production safelist.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``
instead of the document. With automatic persisted queries the first miss answers
``PERSISTED_QUERY_NOT_FOUND``; the client sends the document with its hash once, the
service checks the hash and keeps the document in the store (Redis when configured), and
from then on the hash alone will do.

The safelist is a manifest of registered operations (``citybrain operations register``):
with ``CITYBRAIN_SAFELIST=enforce`` only they run (by hash or by exact text); ``log`` runs
others but logs their hash.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from citybrain.http.manifest import load_manifest
from citybrain.http.problems import (
    BAD_REQUEST,
    OPERATION_NOT_IN_SAFELIST,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
    HTTPProblem,
)

if TYPE_CHECKING:
    from citybrain.http.params import GraphQLParams
    from citybrain.http.store import KeyValueStore
    from citybrain.settings import Settings

__all__ = ["PersistedOperations", "operation_digest"]

logger = logging.getLogger("citybrain.http")

_APQ_TTL_SECONDS = 7 * 24 * 3600
_HEX = frozenset("0123456789abcdef")


def operation_digest(query: str) -> str:
    """The SHA-256 hash (hex) of a document's exact text, as persisted-query clients send."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedOperations:
    """Turns a request's persisted hash into its document, and enforces the safelist.

    Args:
        store: where automatic persisted queries are kept.
        manifest: hash -> document of the registered operations.
        automatic: whether clients may register documents by sending them (APQ).
        safelist: ``off``, ``enforce`` (only registered operations run) or ``log``.
    """

    def __init__(
        self,
        store: KeyValueStore,
        manifest: dict[str, str],
        *,
        automatic: bool,
        safelist: str,
    ) -> None:
        self.store = store
        self.manifest = manifest
        self.automatic = automatic and safelist != "enforce"
        self.safelist = safelist

    @classmethod
    def from_settings(cls, settings: Settings, store: KeyValueStore) -> PersistedOperations:
        """From the settings: the manifest file is read now (a missing one is empty)."""
        return cls(
            store,
            load_manifest(settings.operations_manifest()),
            automatic=settings.persisted_queries,
            safelist=settings.safelist,
        )

    async def resolve(self, params: GraphQLParams, caller: str = "") -> str:
        """The document to run: the request's own or the one its hash stands for.

        Raises:
            HTTPProblem: unknown hash, hash mismatch, or an operation off the safelist.
        """
        persisted = params.extensions.get("persistedQuery")
        if persisted is None:
            assert params.query is not None  # noqa: S101 - read_params guarantees one
            return self._allowed(params.query, operation_digest(params.query))
        digest = self._digest(persisted)
        if params.query is not None:
            if operation_digest(params.query) != digest:
                raise HTTPProblem(
                    400,
                    BAD_REQUEST,
                    "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`",
                )
            query = self._allowed(params.query, digest)
            if self.automatic and digest not in self.manifest:
                await self.store.set(
                    _apq_key(caller, digest), query.encode("utf-8"), _APQ_TTL_SECONDS
                )
            return query
        registered = self.manifest.get(digest)
        if registered is not None:
            return registered
        if self.safelist == "enforce":
            raise self._refused(digest)
        if not self.automatic:
            raise HTTPProblem(
                400,
                PERSISTED_QUERY_NOT_SUPPORTED,
                "this service does not keep persisted queries: send the document as `query`",
                request_error=True,
            )
        stored = await self.store.get(_apq_key(caller, digest))
        if stored is None:
            raise HTTPProblem(
                400,
                PERSISTED_QUERY_NOT_FOUND,
                "PersistedQueryNotFound: send the document with its hash once",
                request_error=True,
            )
        return self._allowed(stored.decode("utf-8"), digest)

    def _allowed(self, query: str, digest: str) -> str:
        if self.safelist == "off" or digest in self.manifest:
            return query
        if self.safelist == "log":
            logger.warning("operation %s is not on the safelist (logged, not refused)", digest)
            return query
        raise self._refused(digest)

    @staticmethod
    def _refused(digest: str) -> HTTPProblem:
        logger.info("refused operation %s: not on the safelist", digest)
        return HTTPProblem(
            403,
            OPERATION_NOT_IN_SAFELIST,
            f"operation {digest} is not registered: only registered operations run here "
            "(`citybrain operations register FILE…`)",
            request_error=True,
        )

    @staticmethod
    def _digest(persisted: object) -> str:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise HTTPProblem(
                400,
                BAD_REQUEST,
                '`extensions.persistedQuery` must be {"version": 1, "sha256Hash": "<hex>"}',
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
            raise HTTPProblem(
                400,
                BAD_REQUEST,
                "`extensions.persistedQuery.sha256Hash` must be 64 lowercase hex digits",
            )
        return digest


def _apq_key(caller: str, digest: str) -> str:
    """Where one caller's automatic persisted query is kept.

    Per caller: a document can hold the ID number its sender looked up, so one caller
    must not learn, by sending a hash, that another sent that exact document.
    """
    return f"apq:{hashlib.sha256(caller.encode('utf-8')).hexdigest()[:32]}:{digest}"
