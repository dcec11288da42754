"""The ASGI application: GraphQL at /graphql (GraphiQL on GET from a browser), /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from inboxgraph.config import Settings, load_settings
from inboxgraph.middleware import RequestContextMiddleware
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.schema.root import schema
from inboxgraph.services import Services, build_services


class InboxGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with inboxgraph's per-request context."""

    def __init__(self, services: Services) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.services = services

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> RequestContext:
        return RequestContext(request=request, response=response, services=self.services)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    """The inboxgraph app. Without arguments it reads its settings from the environment."""
    services = services or build_services(settings or load_settings())

    async def healthz(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "providers": {p.name: s.mode for p, s in services.settings.providers.items()},
            }
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await services.aclose()

    graphql_view = InboxGraphQL(services)
    middleware = []
    if services.settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(services.settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
            )
        )
    middleware.append(Middleware(RequestContextMiddleware, api_token=services.settings.api_token))
    app = Starlette(
        routes=[
            Route("/graphql", graphql_view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.services = services
    return app
