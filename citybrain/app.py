"""The ASGI application: ``/graphql`` (POST, GET for queries, GraphiQL), ``/healthz``,
``/readyz``, ``/metrics``, ``/dashboard``."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from citybrain.auth.access import AUDIT_UNAVAILABLE, Access
from citybrain.auth.audit import AuditStore, AuditUnavailable, operation_hash
from citybrain.auth.audit_gate import AuditGate
from citybrain.auth.connection import close_at_expiry, connection_principal
from citybrain.auth.middleware import BearerAuthentication, PurposeNotGranted, graphiql_headers
from citybrain.auth.policy import FieldPolicy, PolicyError, load_policy
from citybrain.auth.principal import ANONYMOUS
from citybrain.auth.tokens import InvalidToken, TokenVerifier
from citybrain.connectors import load_connectors
from citybrain.dashboard import dashboard_endpoint
from citybrain.federation import Loaders, RequestContext
from citybrain.graphiql import graphiql_html, static_files
from citybrain.http import http_middleware, safe_endpoint
from citybrain.limits import Limits
from citybrain.observability.endpoints import metrics_endpoint, readyz_endpoint
from citybrain.observability.http import ObservedEndpoint, finish_request
from citybrain.observability.requests import current_request_id, restrict_lineage
from citybrain.observability.tracing import enable_tracing
from citybrain.schema import build_schema, field_catalogue, maskable_fields
from citybrain.settings import Settings
from citybrain.workflow import updates_from_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.requests import Request
    from starlette.websockets import WebSocket
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.types import ExecutionResult

    from citybrain.connectors import Connector
    from citybrain.workflow import LocalUpdates

__all__ = ["CityGraphQL", "create_app"]

logger = logging.getLogger("citybrain")


class CityGraphQL(GraphQL[RequestContext, None]):
    """The GraphQL endpoint, with a per-request context and GraphiQL served offline."""

    def __init__(
        self,
        settings: Settings,
        connectors: Mapping[str, Connector],
        policy: FieldPolicy,
        audit: AuditGate,
        verifier: TokenVerifier | None = None,
        updates: LocalUpdates | None = None,
    ) -> None:
        limits = Limits.from_settings(settings)
        super().__init__(
            build_schema(limits=limits),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.connectors = connectors
        self.policy = policy
        self.audit = audit
        self.verifier = verifier or TokenVerifier(settings)
        self.updates = updates
        # GraphQL over HTTP, limits, persisted operations, rate limit: citybrain/http/.
        self.endpoint = safe_endpoint(self, settings, limits)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if request.scope["type"] == "http":
            return await self.endpoint.handle(request)
        return await super().run(request, context, root_value)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        # Runs for GraphiQL page loads too: building loaders does no I/O.
        principal = getattr(request.state, "principal", ANONYMOUS)
        restrict_lineage(principal)
        context = RequestContext(
            settings=self.settings,
            loaders=Loaders(self.connectors),
            request=request,
            response=response,
            principal=principal,
            access=Access.for_principal(
                principal, self.policy, audit_ready=await self.audit.ready()
            ),
            audit_store=self.audit.store,
            request_id=current_request_id(),
            updates=self.updates,
        )
        request.state.citybrain_context = context
        return context

    async def on_ws_connect(self, context: RequestContext) -> None:
        # A browser sends its token in connection_init: the caller is known only now.
        try:
            principal = connection_principal(
                context.connection_params, self.verifier, context.principal
            )
        except (InvalidToken, PurposeNotGranted):
            logger.info("refused a WebSocket connection's token or purpose")
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        if principal is not context.principal:
            context.principal = principal
            context.access = Access.for_principal(
                principal, self.policy, audit_ready=await self.audit.ready()
            )
        close_at_expiry(context.request, principal)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        return finish_request(await self._process_result(request, result))

    async def _process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        context: RequestContext | None = getattr(request.state, "citybrain_context", None)
        if context is None or context.access is None:
            return response
        access = context.access
        if access.audit_ready:
            client = request.client.host if request.client else ""
            try:
                await self.audit.write(
                    access,
                    request_id=context.request_id,
                    operation_hash=context.operation_hash or operation_hash(""),
                    client_address=client,
                )
            except AuditUnavailable:
                # Never serve personal data that was not audited.
                return {
                    "data": None,
                    "errors": [
                        {
                            "message": "the audit trail could not be written; nothing was served",
                            "extensions": {
                                "code": AUDIT_UNAVAILABLE,
                                "requestId": context.request_id,
                            },
                        }
                    ],
                }
        if access.masked_paths:
            extensions = dict(response.get("extensions") or {})
            extensions["masked"] = access.masked()
            response["extensions"] = extensions
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        client = request.client.host if request.client else None
        headers = graphiql_headers(self.settings, client)  # development: a demo citizen token
        return HTMLResponse(graphiql_html(str(request.url.path), default_headers=headers))


def create_app(
    settings: Settings | None = None, connectors: Mapping[str, Connector] | None = None
) -> Starlette:
    """Build the service.

    Args:
        settings: the service settings (read from ``CITYBRAIN_*`` variables when omitted).
        connectors: department -> connector (built from the settings when omitted).
    """
    settings = settings or Settings()
    # aiosqlite logs every statement with its parameters (ID numbers) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    verifier = TokenVerifier(settings)  # reads the keys: fails fast on a bad key file
    policy = load_policy(field_catalogue(), maskable_fields(), settings.policy_file)
    unruled = policy.unruled()
    if unruled and settings.profile == "production":
        raise PolicyError(
            f"{len(unruled)} personal or sensitive fields have no policy rule (first: "
            f"{unruled[0][0]} on {unruled[0][1]}); `citybrain policy check` lists them all"
        )
    connectors = connectors if connectors is not None else load_connectors(settings)
    enable_tracing(settings.otel_enabled)
    audit = AuditGate(AuditStore.from_settings(settings))
    updates = updates_from_settings(settings)
    graphql = CityGraphQL(settings, connectors, policy, audit, verifier, updates)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        defaults = settings.uses_development_defaults()
        if defaults:
            logger.warning("running on development defaults: %s", ", ".join(defaults))
        # Long-lived start-up objects need not be scanned by every collection.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            for connector in connectors.values():
                await connector.close()
            await audit.store.close()
            await updates.close()
            await graphql.endpoint.close()  # its store's connections

    routes: list[Any] = [
        Route(
            "/graphql",
            ObservedEndpoint(
                BearerAuthentication(graphql, verifier), lineage_header=settings.lineage_header
            ),
        ),
        WebSocketRoute("/graphql", BearerAuthentication(graphql, verifier)),
        Route("/healthz", healthz),
        Route("/readyz", readyz_endpoint(connectors, audit)),
        Route("/metrics", metrics_endpoint),
        Route("/dashboard", dashboard_endpoint(settings)),
        Mount("/static", app=static_files(), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=http_middleware(settings))
    app.state.settings = settings
    app.state.connectors = connectors
    app.state.audit = audit
    app.state.updates = updates
    app.state.endpoint = graphql.endpoint
    return app
