"""What inboxgraph reads from incoming headers: a request id, and (optionally) a bearer token.

- `x-request-id`: kept when it is a sane token (<= 128 visible ASCII characters),
  otherwise a new one is made; it is echoed on the response and tagged on every log
  line written while the request runs. A gateway that forwards it ties the logs of
  all subgraphs together.
- `Authorization`: ignored, unless `INBOXGRAPH_API_TOKEN` is set; then GraphQL
  operations must carry `Authorization: Bearer <that token>` (the GraphiQL page itself
  stays reachable). Provider credentials never come from a caller's headers.
"""

from __future__ import annotations

import hmac
import json
import re
import uuid

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inboxgraph.request_ids import current_request_id
from inboxgraph.secrets import Secret

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


class RequestContextMiddleware:
    """Request ids for every HTTP request; the optional bearer check for GraphQL operations."""

    def __init__(self, app: ASGIApp, api_token: Secret | None = None) -> None:
        self._app = app
        self._api_token = api_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            if self._requires_token(scope, headers) and not self._authorized(headers):
                await _unauthorized(send_with_id)
                return
            await self._app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)

    def _requires_token(self, scope: Scope, headers: Headers) -> bool:
        if self._api_token is None or scope["path"] != "/graphql":
            return False
        if scope["method"] == "OPTIONS":
            return False
        # GET without a query is the GraphiQL page, which carries no data.
        return not (scope["method"] == "GET" and b"query=" not in scope.get("query_string", b""))

    def _authorized(self, headers: Headers) -> bool:
        assert self._api_token is not None
        scheme, _, presented = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), self._api_token.reveal().encode()
        )


async def _unauthorized(send: Send) -> None:
    body = json.dumps(
        {
            "errors": [
                {
                    "message": "this inboxgraph requires Authorization: Bearer <api token>",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="inboxgraph"'),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
