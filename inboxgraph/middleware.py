"""ASGI middleware every HTTP request passes: a request id, one log line and its
metrics, and a bounded body.

- `x-request-id`: kept when it is a sane token (<= 128 visible ASCII characters),
  otherwise a new one is made; it is echoed on the response and tagged on every log
  line written while the request runs. A gateway that forwards it ties the logs of
  all subgraphs together.
- One JSON log line per request at INFO (at DEBUG for the probes and the metrics
  scrape): method, path (never the query string), status, duration, request id, and
  the GraphQL operation and tenant when known. Never a header, never a body.
- The request body is counted while it streams in: a declared `Content-Length` over
  the limit is refused at once, and a body that grows past it is cut off, with 413,
  before it is buffered.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inboxgraph.observability import metrics
from inboxgraph.observability.logs import RequestNotes, current_request_notes
from inboxgraph.refusals import send_refusal
from inboxgraph.request_scope import current_request_id

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")
#: Paths polled by machines: their lines are logged at DEBUG, not INFO.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

request_logger = logging.getLogger("inboxgraph.requests")


class RequestIdMiddleware:
    """Gives every HTTP request an id, echoed in `x-request-id` and tagged on its logs."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self._app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)


class RequestLogMiddleware:
    """Writes one log line per HTTP request, and counts it in the metrics."""

    def __init__(self, app: ASGIApp, static_path: str) -> None:
        self._app = app
        self._static_path = static_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        notes = RequestNotes()
        token = current_request_notes.set(notes)
        status = 500  # unless an answer starts

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_noting_status)
        finally:
            current_request_notes.reset(token)
            seconds = time.perf_counter() - started
            path: str = scope["path"]
            metrics.http_request(path, status, seconds, self._static_path)
            level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
            if request_logger.isEnabledFor(level):
                _log_request(level, scope["method"], path, status, seconds, notes)


def _log_request(
    level: int, method: str, path: str, status: int, seconds: float, notes: RequestNotes
) -> None:
    fields: dict[str, object] = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
    }
    if notes.operation is not None:
        fields["operation"] = notes.operation
    if notes.tenant is not None:
        fields["tenant"] = notes.tenant
    request_logger.log(
        level, "%s %s %d in %.1f ms", method, path, status, seconds * 1000, extra={"fields": fields}
    )


class BodySizeLimitMiddleware:
    """Refuses, with 413, a request body larger than `max_bytes`, without buffering it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self._app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:  # an answer already under way cannot be replaced
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await send_refusal(
            send,
            413,
            f"the request body is larger than {self._max_bytes} bytes (INBOXGRAPH_MAX_BODY_BYTES)",
            "MAX_BODY_BYTES_EXCEEDED",
        )


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was read."""
