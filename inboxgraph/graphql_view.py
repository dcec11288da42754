"""The GraphQL endpoint: Strawberry's ASGI view, with inboxgraph's context, authentication
decided on the request as the GraphQL layer parses it, and JSON errors carrying the
request id for every refusal."""

from __future__ import annotations

import time
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult

from inboxgraph.auth import Authenticator, Caller
from inboxgraph.config import DEFAULT_TENANT
from inboxgraph.observability.logs import note_tenant
from inboxgraph.playground import CONTENT_SECURITY_POLICY, playground_page
from inboxgraph.refusals import refusal
from inboxgraph.request_scope import current_deadline
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.upstreams import Upstreams

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

#: `extensions.code` of a refusal by HTTP status, before any GraphQL runs.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
}


class InboxGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with inboxgraph's per-request context and refusals."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        upstreams: Upstreams,
        auth: Authenticator,
        request_timeout_seconds: float,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self._upstreams = upstreams
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
        # Only the playground page is served without a caller, and it executes nothing.
        caller: Caller = getattr(request.state, "caller", None) or Caller(DEFAULT_TENANT)
        return RequestContext(
            request=request,
            response=response,
            tenant=caller.tenant,
            clients=self._upstreams.tenants[caller.tenant],
            modes=self._modes[caller.tenant],
        )


def _wants_graphql_response_json(request: Request) -> bool:
    """Whether the caller accepts the GraphQL-over-HTTP media type (and so its statuses)."""
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")
