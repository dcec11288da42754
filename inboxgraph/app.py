"""The ASGI application: GraphQL at /graphql (GraphiQL on GET from a browser, subscriptions
over a websocket; `/` leads there), /healthz, /readyz and /metrics."""

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
from inboxgraph.middleware import BodySizeLimitMiddleware, RequestIdMiddleware, RequestLogMiddleware
from inboxgraph.observability.metrics import exposition, metrics_registry
from inboxgraph.observability.tracing import start_tracing
from inboxgraph.playground import STATIC_DIR, STATIC_PATH
from inboxgraph.readiness import Readiness
from inboxgraph.shared.idempotency import connect_idempotency
from inboxgraph.upstreams import Upstreams, connect_upstreams


def create_app(settings: Settings | None = None, upstreams: Upstreams | None = None) -> Starlette:
    """The inboxgraph app. Without arguments it reads its settings from the environment."""
    upstreams = upstreams or connect_upstreams(settings or load_settings())
    settings = upstreams.settings
    modes = {p: s.mode for p, s in settings.providers.items()}
    tracing = start_tracing() if settings.tracing else None
    if tracing is not None:
        tracing.instrument_http(upstreams.http)
    readiness = Readiness(settings)

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql", status_code=307)

    async def healthz(request: Request) -> Response:
        return JSONResponse(
            {"status": "ok", "providers": {p.name: mode.name for p, mode in modes.items()}}
        )

    async def readyz(request: Request) -> Response:
        ready, report = await readiness.check()
        return JSONResponse(report, status_code=200 if ready else 503)

    def metrics(request: Request) -> Response:
        # A plain function: Starlette runs it in a thread, off the event loop.
        body, content_type = exposition(metrics_registry(), request.headers.get("accept"))
        return Response(body, headers={"Content-Type": content_type})

    # Jobs and idempotency records share the providers' Redis connection, when there is one.
    jobs = connect_jobs(settings, upstreams.tenants, upstreams.redis)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # uvicorn starts shutting down only once every request in flight is answered.
        yield
        await jobs.aclose()
        await upstreams.aclose()
        await readiness.aclose()
        if tracing is not None:
            tracing.shutdown()

    graphql_view = InboxGraphQL(
        build_schema(settings.limits, tracing=tracing),
        upstreams=upstreams,
        auth=Authenticator(settings),
        request_timeout_seconds=settings.limits.request_timeout_seconds,
        jobs=jobs,
        idempotency=connect_idempotency(settings, upstreams.redis),
        allowed_origins=settings.cors_origins,
    )
    middleware = []
    if tracing is not None:
        # Outermost, so the request's log line carries its trace id.
        middleware.append(Middleware(tracing.traced))
    middleware += [
        Middleware(RequestIdMiddleware),
        Middleware(RequestLogMiddleware, static_path=STATIC_PATH),
    ]
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
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
