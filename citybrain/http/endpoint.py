"""GraphQL over HTTP, as the specification asks: the request's way from bytes to answer.

1. method (GET or POST, else 405), ``Accept`` (406 when neither JSON type is accepted);
2. a browser's GET without a query gets GraphiQL (when the profile shows it);
3. the caller's rate limit (429 with ``Retry-After``), before any body is read;
4. the parameters: JSON body in UTF-8 (415 otherwise), at most ``max_body_bytes`` (413),
   well-typed ``query``/``variables``/``operationName``/``extensions`` (400), no batches;
5. the persisted hash or safelist (:mod:`citybrain.http.persisted`);
6. the document, parsed within its limits, and the operation it names: several
   operations without ``operationName`` are an error, never "the first one";
7. GET runs queries only (405 with ``Allow: POST`` otherwise), ``_service``/``_entities``
   need the gateway credential in production;
8. execution, then the status: with ``application/graphql-response+json`` a request
   error (parse, validation, variables, limits) is a 4xx with no ``data``; with
   ``application/json`` it is a 200.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Protocol

from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from starlette.responses import Response
from strawberry.types.graphql import OperationType as StrawberryOperationType

from citybrain.auth.principal import ANONYMOUS
from citybrain.errors import INTERNAL_SERVER_ERROR
from citybrain.http.media import JSON, negotiate, wants_html
from citybrain.http.params import read_params
from citybrain.http.problems import (
    BAD_REQUEST,
    METHOD_NOT_ALLOWED,
    OPERATION_RESOLUTION_FAILURE,
    HTTPProblem,
)
from citybrain.http.profile import FEDERATION_FIELDS, GATEWAY_HEADER
from citybrain.http.ratelimit import caller_key
from citybrain.limits import DocumentRefused, parse_document
from citybrain.limits.rules import root_field_names
from citybrain.observability.requests import current_request_id, note_operation

if TYPE_CHECKING:
    from graphql import DocumentNode
    from starlette.requests import Request
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.schema import BaseSchema
    from strawberry.types import ExecutionResult

    from citybrain.http.persisted import PersistedOperations
    from citybrain.http.profile import HttpProfile
    from citybrain.http.ratelimit import RateLimiter
    from citybrain.limits import Limits

__all__ = ["GraphQLOverHTTP", "GraphQLView"]

logger = logging.getLogger("citybrain.http")

_STATUS_BY_CODE = {INTERNAL_SERVER_ERROR: 500, "AUDIT_UNAVAILABLE": 503, "FORBIDDEN": 403}
_TYPES = {
    OperationType.QUERY: StrawberryOperationType.QUERY,
    OperationType.MUTATION: StrawberryOperationType.MUTATION,
}


class GraphQLView(Protocol):
    """What the endpoint needs of the GraphQL view (``citybrain.app.CityGraphQL``)."""

    schema: BaseSchema

    async def get_context(self, request: Any, response: Any) -> Any: ...

    async def get_sub_response(self, request: Any) -> Response: ...

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse: ...

    async def render_graphql_ide(self, request: Request) -> Response: ...


def _encode(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _errors(body: GraphQLHTTPResponse) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = body.get("errors") or []  # type: ignore[assignment]
    return errors


def _request_error(body: GraphQLHTTPResponse) -> bool:
    """No data, and errors that belong to no field: the request as a whole was refused."""
    errors = _errors(body)
    return body.get("data") is None and bool(errors) and all(not e.get("path") for e in errors)


class GraphQLOverHTTP:
    """The ``/graphql`` HTTP endpoint in front of a strawberry view.

    Args:
        view: runs operations (context, execution, audit).
        limits: document and cost limits.
        profile: what the profile allows (GraphiQL, GET, gateway fields, headers).
        persisted: persisted operations and the safelist.
        rate_limiter: the per-caller rate limit.
        max_body_bytes: the largest request body read.
    """

    def __init__(
        self,
        view: GraphQLView,
        *,
        limits: Limits,
        profile: HttpProfile,
        persisted: PersistedOperations,
        rate_limiter: RateLimiter,
        max_body_bytes: int,
    ) -> None:
        self.view = view
        self.limits = limits
        self.profile = profile
        self.persisted = persisted
        self.rate_limiter = rate_limiter
        self.max_body_bytes = max_body_bytes

    async def close(self) -> None:
        """Release the store's connections."""
        await self.persisted.store.close()

    async def handle(self, request: Request) -> Response:
        """Answer one HTTP request to ``/graphql``."""
        media = JSON
        try:
            if request.method not in ("GET", "POST"):
                raise HTTPProblem(
                    405,
                    METHOD_NOT_ALLOWED,
                    "the graph answers GET (queries) and POST",
                    headers={"Allow": "GET, POST"},
                )
            accept = request.headers.get("accept")
            principal = getattr(request.state, "principal", ANONYMOUS)
            if request.method == "GET" and wants_html(accept) and not request.query_params:
                if self.profile.shows_graphiql(principal):
                    return await self.view.render_graphql_ide(request)
                raise HTTPProblem(
                    403 if self.profile.graphiql else 404,
                    "FORBIDDEN" if self.profile.graphiql else "NOT_FOUND",
                    "GraphiQL is shown to authenticated analysts only"
                    if self.profile.graphiql
                    else "GraphiQL is not enabled on this service",
                )
            media = negotiate(accept)
            return await self._graphql(request, media, principal)
        except HTTPProblem as problem:
            return self._respond(problem.body(), problem.status_for(media), media, problem.headers)

    async def _graphql(self, request: Request, media: str, principal: Any) -> Response:
        client = request.client.host if request.client else ""
        await self.rate_limiter.check(principal, client)  # before reading any body
        params = await read_params(request, self.max_body_bytes)
        note_operation(params.operation_name)  # for its log line, even if it is refused
        is_get = request.method == "GET"
        if is_get and self.profile.persisted_get_only and params.query is not None:
            raise HTTPProblem(
                405,
                METHOD_NOT_ALLOWED,
                "GET runs persisted operations only here (send the hash in `extensions`); "
                "POST the document instead",
                headers={"Allow": "POST"},
            )
        query = await self.persisted.resolve(params, caller_key(principal, client))
        try:
            document = parse_document(
                query,
                max_chars=self.limits.max_document_chars,
                max_tokens=self.limits.max_tokens,
            )
        except DocumentRefused as error:
            return self._respond({"errors": [error.formatted]}, self._status(400, media), media)
        operation = self._operation(document, params.operation_name)
        if operation.operation is OperationType.SUBSCRIPTION:
            raise HTTPProblem(
                400,
                BAD_REQUEST,
                "subscriptions are served over WebSocket (graphql-transport-ws), not HTTP",
                request_error=True,
            )
        if is_get and operation.operation is not OperationType.QUERY:
            raise HTTPProblem(
                405,
                METHOD_NOT_ALLOWED,
                f"a {operation.operation.value} cannot be sent with GET: POST it",
                headers={"Allow": "POST"},
            )
        self._check_gateway_fields(request, document, operation)
        sub_response = await self.view.get_sub_response(request)
        context = await self.view.get_context(request, sub_response)
        context.document = document
        try:
            result = await self.view.schema.execute(
                query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=(_TYPES[operation.operation],),
                operation_extensions=params.extensions,
            )
            body = await self.view.process_result(request, result)
        except Exception as exc:
            # Type only: a message may quote SQL parameters or personal data.
            logger.error("unexpected %s while answering a request", type(exc).__name__)
            return self._internal_error(context.request_id, media)
        return self._answer(body, media, context.request_id, sub_response)

    def _operation(
        self, document: DocumentNode, operation_name: str | None
    ) -> OperationDefinitionNode:
        operation = get_operation_ast(document, operation_name)
        if operation is not None:
            return operation
        count = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
        if operation_name is None and count > 1:
            message = (
                f"the document holds {count} operations: name the one to run in `operationName`"
            )
        elif operation_name is None:
            message = "the document holds no operation to run"
        else:
            shown = operation_name[:80]
            message = f"the document holds no operation named {shown!r}"
        raise HTTPProblem(400, OPERATION_RESOLUTION_FAILURE, message, request_error=True)

    def _check_gateway_fields(
        self, request: Request, document: DocumentNode, operation: OperationDefinitionNode
    ) -> None:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        roots = {f.name.value for f in root_field_names(operation.selection_set, fragments)}
        if roots & FEDERATION_FIELDS and not self.profile.gateway_allowed(
            request.headers.get(GATEWAY_HEADER)
        ):
            raise HTTPProblem(
                403,
                "FORBIDDEN",
                "`_service` and `_entities` are for the federation gateway: send its "
                f"credential in {GATEWAY_HEADER}",
                request_error=False,
            )

    @staticmethod
    def _status(status: int, media: str) -> int:
        return 200 if media == JSON else status

    def _answer(
        self, body: GraphQLHTTPResponse, media: str, request_id: str, sub_response: Response
    ) -> Response:
        status = 200
        for error in _errors(body):
            extensions = error.setdefault("extensions", {})
            if not extensions.get("code") and not error.get("path"):
                # An error no one meant to send (raised outside the masking extension's
                # reach): its message may hold anything.
                logger.error("unexpected request error masked (request %s)", request_id)
                error.clear()
                error["message"] = "internal error: the operators have been told"
                extensions = error["extensions"] = {"code": INTERNAL_SERVER_ERROR}
            if extensions.get("code") == INTERNAL_SERVER_ERROR:
                extensions["requestId"] = request_id
        if _request_error(body):
            body.pop("data", None)
            codes = [(e.get("extensions") or {}).get("code") for e in _errors(body)]
            status = next((_STATUS_BY_CODE[c] for c in codes if c in _STATUS_BY_CODE), 400)
            if media == JSON and status < 500:
                status = 200
        response = self._respond(body, status, media, {"X-Request-Id": request_id})
        response.headers.raw.extend(
            (k, v) for k, v in sub_response.headers.raw if k != b"content-type"
        )
        if sub_response.status_code and status == 200:
            response.status_code = sub_response.status_code
        return response

    def _internal_error(self, request_id: str, media: str) -> Response:
        body = {
            "errors": [
                {
                    "message": "internal error: the operators have been told",
                    "extensions": {"code": INTERNAL_SERVER_ERROR, "requestId": request_id},
                }
            ]
        }
        return self._respond(body, 500, media, {"X-Request-Id": request_id})

    def _respond(
        self, body: object, status: int, media: str, headers: dict[str, str] | None = None
    ) -> Response:
        all_headers = {**self.profile.response_headers(), **(headers or {})}
        if "X-Request-Id" not in all_headers:
            all_headers["X-Request-Id"] = current_request_id()  # as in its log line
        return Response(
            _encode(body),
            status_code=status,
            media_type=f"{media}; charset=utf-8",
            headers=all_headers,
        )
