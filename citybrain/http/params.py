"""The parameters of a GraphQL-over-HTTP request, read and checked before anything runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from citybrain.http.media import is_json_body
from citybrain.http.problems import (
    BAD_REQUEST,
    BATCHING_NOT_SUPPORTED,
    PAYLOAD_TOO_LARGE,
    HTTPProblem,
)

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["GraphQLParams", "read_body", "read_params"]

_KNOWN = ("query", "variables", "operationName", "extensions")


@dataclass(slots=True)
class GraphQLParams:
    """One GraphQL request: ``query`` may be None when a persisted hash stands for it."""

    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


def _bad(message: str) -> HTTPProblem:
    return HTTPProblem(400, BAD_REQUEST, message)


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with 413 past ``max_bytes`` (before reading it all).

    Raises:
        HTTPProblem: 413 when the body is larger than ``max_bytes``.
    """
    too_large = HTTPProblem(
        413,
        PAYLOAD_TOO_LARGE,
        f"the request body is larger than {max_bytes} bytes; send a smaller query, fewer "
        "variables, or a persisted operation's hash",
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _object(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad(f"`{name}` must be a JSON object (or null), not {type(value).__name__}")
    return value


def _params(payload: dict[str, Any]) -> GraphQLParams:
    query = payload.get("query")
    if query is not None and not isinstance(query, str):
        raise _bad(f"`query` must be a string, not {type(query).__name__}")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _bad(
            f"`operationName` must be a string (or null), not {type(operation_name).__name__}"
        )
    variables = _object(payload.get("variables"), "variables")
    extensions = _object(payload.get("extensions"), "extensions") or {}
    if query is None and "persistedQuery" not in extensions:
        raise _bad(
            "the request has no `query`: send the GraphQL document as `query` "
            "(or a persisted operation's hash in `extensions.persistedQuery`)"
        )
    return GraphQLParams(query, variables, operation_name or None, extensions)


def _json_parameter(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise _bad(f"`{name}` must be URL-encoded JSON") from None


async def read_params(request: Request, max_body_bytes: int) -> GraphQLParams:
    """The GraphQL parameters of a GET (query string) or POST (JSON body) request.

    Raises:
        HTTPProblem: 413 (body too large), 415 (not a JSON body), 400 (malformed JSON, a
            parameter of the wrong type, no query, or a batch).
    """
    if request.method == "GET":
        params = request.query_params
        payload = {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json_parameter(params.get("variables"), "variables"),
            "extensions": _json_parameter(params.get("extensions"), "extensions"),
        }
        return _params(payload)
    is_json_body(request.headers.get("content-type"))
    body = await read_body(request, max_body_bytes)
    if not body.strip():
        raise _bad('the request body is empty: send {"query": "…"} as JSON')
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad("the request body is not valid JSON in UTF-8") from None
    if isinstance(payload, list):
        raise HTTPProblem(
            400,
            BATCHING_NOT_SUPPORTED,
            f"batches (JSON arrays) are not accepted (got {len(payload)} operations): send "
            "one operation per request",
        )
    if not isinstance(payload, dict):
        raise _bad("the request body must be a JSON object with a `query`")
    if not any(name in payload for name in _KNOWN):
        raise _bad("the request body has none of query, variables, operationName, extensions")
    return _params(payload)
