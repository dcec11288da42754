"""The ASGI application: GraphQL at /graphql (GraphiQL on GET from a browser, subscriptions
over a websocket; `/` leads there), /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from inboxgraph.api.schema import build_schema
from inboxgraph.auth import Authenticator
from inboxgraph.config import Settings, load_settings
from inboxgraph.graphql_view import InboxGraphQL
from inboxgraph.jobs.service import connect_jobs
from inboxgraph.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from inboxgraph.playground import STATIC_DIR, STATIC_PATH
from inboxgraph.shared.idempotency import connect_idempotency
from inboxgraph.shared.redis import redis_client
from inboxgraph.upstreams import Upstreams, connect_upstreams


def create_app(settings: Settings | None = None, upstreams: Upstreams | None = None) -> Starlette:
    """The inboxgraph app. Without arguments it reads its settings from the environment."""
    upstreams = upstreams or connect_upstreams(settings or load_settings())
    settings = upstreams.settings
    modes = {p: s.mode for p, s in settings.providers.items()}

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql", status_code=307)

    async def healthz(request: Request) -> Response:
        return JSONResponse(
            {"status": "ok", "providers": {p.name: mode.name for p, mode in modes.items()}}
        )

    redis = None if settings.redis_url is None else redis_client(settings.redis_url)
    jobs = connect_jobs(settings, upstreams.tenants, redis)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await jobs.aclose()
        await upstreams.aclose()
        if redis is not None:
            await redis.aclose()

    graphql_view = InboxGraphQL(
        build_schema(settings.limits),
        upstreams=upstreams,
        auth=Authenticator(settings),
        request_timeout_seconds=settings.limits.request_timeout_seconds,
        jobs=jobs,
        idempotency=connect_idempotency(settings, redis),
        allowed_origins=settings.cors_origins,
    )
    middleware = [Middleware(RequestIdMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
            )
        )
    middleware.append(Middleware(BodySizeLimitMiddleware, max_bytes=settings.limits.max_body_bytes))
    return Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/graphql", graphql_view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_view),
            # GraphiQL's own files, so the page at /graphql needs no other origin.
            Mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="playground"),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
