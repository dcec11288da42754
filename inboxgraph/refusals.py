"""How inboxgraph refuses an HTTP request before any GraphQL runs: a GraphQL-shaped JSON
error whose `extensions` carry a code and the request id (ASCII-escaped JSON, so any
text a caller sent can be told back)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.responses import Response
from starlette.types import Send

from inboxgraph.request_scope import current_request_id

JSON = "application/json"


def refusal_body(message: str, code: str) -> bytes:
    error = {
        "message": message,
        "extensions": {"code": code, "requestId": current_request_id.get()},
    }
    return json.dumps({"errors": [error]}).encode()


def refusal(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        refusal_body(message, code),
        status_code=status,
        media_type=JSON,
        headers=dict(headers or {}),
    )


async def send_refusal(send: Send, status: int, message: str, code: str) -> None:
    """The same refusal, for ASGI middleware that answers before the app does."""
    body = refusal_body(message, code)
    headers = [(b"content-type", JSON.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
