"""The GraphQL endpoint: Strawberry's ASGI view, with inboxgraph's context, authentication
decided on the request as the GraphQL layer parses it, and JSON errors carrying the
request id for every refusal.

Subscriptions run over a websocket speaking graphql-transport-ws. Its caller authenticates
with `Authorization` in the connection_init payload (GraphiQL sends its headers there) or
on the upgrade request; without a credential the socket is closed with 4401, with a wrong
one with 4403."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from inboxgraph.auth import Authenticator, Caller
from inboxgraph.config import DEFAULT_TENANT
from inboxgraph.jobs.service import Jobs
from inboxgraph.observability.logs import note_tenant
from inboxgraph.playground import CONTENT_SECURITY_POLICY, playground_page
from inboxgraph.refusals import refusal
from inboxgraph.request_scope import current_deadline
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.shared.idempotency import IdempotencyStore
from inboxgraph.upstreams import Upstreams

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

#: `extensions.code` of a refusal by HTTP status, before any GraphQL runs.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
}

#: A websocket that has not sent connection_init by then is closed (4408).
CONNECTION_INIT_WAIT = timedelta(seconds=10)


class _WebSocketAdapter(ASGIWebSocketAdapter):
    """Closing a socket already closed (a refused connection_init) does nothing."""

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state is not WebSocketState.DISCONNECTED:
            await super().close(code, reason)


class InboxGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with inboxgraph's per-request context and refusals."""

    websocket_adapter_class = _WebSocketAdapter

    def __init__(
        self,
        schema: BaseSchema,
        *,
        upstreams: Upstreams,
        auth: Authenticator,
        request_timeout_seconds: float,
        jobs: Jobs,
        idempotency: IdempotencyStore,
        allowed_origins: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_WAIT,
            allowed_origins=allowed_origins,
        )
        self._upstreams = upstreams
        self._jobs = jobs
        self._idempotency = idempotency
        self._modes = {
            name: {p: s.mode for p, s in tenant.providers.items()}
            for name, tenant in upstreams.settings.tenants.items()
        }
        self._auth = auth
        self._request_timeout_seconds = request_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        deadline = current_deadline.set(time.monotonic() + self._request_timeout_seconds)
        try:
            response = await self._answer(request)
        finally:
            current_deadline.reset(deadline)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        # Decided on the request as Strawberry parses it (decoded query parameters),
        # so no spelling of a GraphQL request can pass for the playground page.
        renders_playground = self.should_render_graphql_ide(self.request_adapter_class(request))
        caller = self._auth.caller(request.headers)
        request.state.caller = caller
        if caller is not None:
            note_tenant(caller.tenant)
        if not renders_playground and caller is None:
            return refusal(
                401,
                "this inboxgraph requires Authorization: Bearer <api token>",
                "UNAUTHENTICATED",
                {"WWW-Authenticate": self._auth.challenge(request.headers)},
            )
        try:
            response = await self.run(request)
        except HTTPException as refused:
            code = HTTP_ERROR_CODES.get(refused.status_code, "BAD_REQUEST")
            response = refusal(refused.status_code, refused.reason, code)
        if _wants_graphql_response_json(request) and response.media_type == "application/json":
            # GraphQL over HTTP: a request error (no execution, so no `data`) is a 4xx.
            if getattr(request.state, "request_error", False) and response.status_code == 200:
                response.status_code = 400
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Nothing was executed: a request error, which the GraphQL-over-HTTP
            # media type answers without `data`.
            request.state.request_error = True
            if _wants_graphql_response_json(request):
                processed.pop("data", None)
        return processed

    async def render_graphql_ide(self, request: Request) -> Response:
        # GraphiQL from inboxgraph's own files (no CDN), the example operations as tabs.
        page = playground_page(
            root_path=request.scope.get("root_path", ""), auth_required=self._auth.required
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    def parse_json(self, data: str | bytes) -> Any:
        try:
            value = super().parse_json(data)
        except UnicodeDecodeError:
            raise HTTPException(400, "the request body is not UTF-8 JSON") from None
        if not isinstance(value, dict):
            raise HTTPException(
                400,
                "the request body must be a JSON object with `query` (and optionally "
                "`variables`, `operationName`, `extensions`)",
            )
        return value

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> RequestContext:
        # Only the playground page is served without a caller, and it executes nothing;
        # a websocket runs nothing before `on_ws_connect` has bound its caller.
        caller: Caller = getattr(request.state, "caller", None) or Caller(DEFAULT_TENANT)
        return RequestContext(
            request=request,
            response=response,
            tenant=caller.tenant,
            clients=self._upstreams.tenants[caller.tenant],
            modes=self._modes[caller.tenant],
            jobs=self._jobs,
            idempotency=self._idempotency,
            limits=self._upstreams.settings.limits,
        )

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        websocket = context.request
        assert isinstance(websocket, WebSocket)
        caller = Caller(DEFAULT_TENANT)
        if self._auth.required:
            headers = _ws_credentials(context.connection_params or {}) or websocket.headers
            if "authorization" not in headers:
                await websocket.close(4401, "Unauthorized")
                raise ConnectionRejectionError
            found = self._auth.caller(headers)
            if found is None:
                raise ConnectionRejectionError  # closed with 4403
            caller = found
        context.tenant = caller.tenant
        context.clients = self._upstreams.tenants[caller.tenant]
        context.modes = self._modes[caller.tenant]
        acknowledged: UnsetType = UNSET  # connection_ack without a payload
        return acknowledged


def _wants_graphql_response_json(request: Request) -> bool:
    """Whether the caller accepts the GraphQL-over-HTTP media type (and so its statuses)."""
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


def _ws_credentials(params: Mapping[str, object]) -> Headers | None:
    """The `Authorization` of a connection_init payload, as headers, when it has one."""
    for name, value in params.items():
        if name.lower() == "authorization" and isinstance(value, str):
            return Headers({"authorization": value})
    return None
