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

from inboxgraph.api import schema
from inboxgraph.config import Settings, load_settings
from inboxgraph.middleware import RequestContextMiddleware
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.upstreams import Upstreams, connect_upstreams


class InboxGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with inboxgraph's per-request context."""

    def __init__(self, upstreams: Upstreams) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self._upstreams = upstreams
        self._modes = {p: s.mode for p, s in upstreams.settings.providers.items()}

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> RequestContext:
        return RequestContext(
            request=request,
            response=response,
            clients=self._upstreams.clients,
            modes=self._modes,
        )


def create_app(settings: Settings | None = None, upstreams: Upstreams | None = None) -> Starlette:
    """The inboxgraph app. Without arguments it reads its settings from the environment."""
    upstreams = upstreams or connect_upstreams(settings or load_settings())
    settings = upstreams.settings

    async def healthz(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "providers": {p.name: s.mode.name for p, s in settings.providers.items()},
            }
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await upstreams.aclose()

    graphql_view = InboxGraphQL(upstreams)
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
            )
        )
    middleware.append(Middleware(RequestContextMiddleware, api_token=settings.api_token))
    return Starlette(
        routes=[
            Route("/graphql", graphql_view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
