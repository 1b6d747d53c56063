"""The ASGI application: ``/graphql`` (POST, GET for queries, GraphiQL), ``/healthz``."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL

from citybrain.connectors import load_connectors
from citybrain.federation import Loaders, RequestContext
from citybrain.graphiql import graphiql_html, static_files
from citybrain.schema import build_schema
from citybrain.settings import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.requests import Request
    from starlette.websockets import WebSocket

    from citybrain.connectors import Connector

__all__ = ["CityGraphQL", "create_app"]

logger = logging.getLogger("citybrain")


class CityGraphQL(GraphQL[RequestContext, None]):
    """The GraphQL endpoint, with a per-request context and GraphiQL served offline."""

    def __init__(self, settings: Settings, connectors: Mapping[str, Connector]) -> None:
        super().__init__(build_schema(), graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings
        self.connectors = connectors

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        # Runs for GraphiQL page loads too: building loaders does no I/O.
        return RequestContext(
            settings=self.settings,
            loaders=Loaders(self.connectors),
            request=request,
            response=response,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html(endpoint=str(request.url.path)))


def create_app(
    settings: Settings | None = None, connectors: Mapping[str, Connector] | None = None
) -> Starlette:
    """Build the service.

    Args:
        settings: the service settings (read from ``CITYBRAIN_*`` variables when omitted).
        connectors: department -> connector (built from the settings when omitted).
    """
    settings = settings or Settings()
    connectors = connectors if connectors is not None else load_connectors(settings)
    graphql = CityGraphQL(settings, connectors)

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

    routes: list[Any] = [
        Route("/graphql", graphql),
        Route("/healthz", healthz),
        Mount("/static", app=static_files(), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.connectors = connectors
    return app
