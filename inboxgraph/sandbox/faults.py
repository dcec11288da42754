"""Faults on demand: an ASGI middleware around an emulator that delays, refuses, holds,
garbles or drops requests as a `FaultPlan` says (see `inboxgraph.config.faults` for the
variables that set one).

Every fault but a malformed body strikes before the emulator sees the request. A dropped
connection sends the start of an answer and then fails: over real HTTP the server closes
the socket mid-answer; in process, `InProcessTransport` turns it into the transport error
httpx raises for a connection closed early.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inboxgraph.config.faults import FaultPlan

logger = logging.getLogger("inboxgraph.sandbox")

#: The longest a held request waits for its caller to give up before it is answered 504.
MAX_HOLD_SECONDS = 300.0
#: What a malformed answer's body becomes: the start of a JSON document, cut short.
MALFORMED_BODY = b'{"conversation": {"id": "'
#: The length a dropped answer announces and never delivers.
DROPPED_CONTENT_LENGTH = 1024


class Fault(Enum):
    RATE_LIMITED = "429"
    ERROR = "error"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
    DROPPED = "drop"


class ConnectionDropped(Exception):
    """Raised by the middleware after starting an answer, so that the connection closes
    before the answer is whole."""


@dataclass
class FaultCounts:
    """What one middleware has done: requests seen, handed to the emulator, and faults."""

    requests: int = 0
    forwarded: int = 0
    rate_limited: int = 0
    errors: int = 0
    timeouts: int = 0
    malformed: int = 0
    dropped: int = 0

    def count(self, fault: Fault) -> None:
        name = {
            Fault.RATE_LIMITED: "rate_limited",
            Fault.ERROR: "errors",
            Fault.TIMEOUT: "timeouts",
            Fault.MALFORMED: "malformed",
            Fault.DROPPED: "dropped",
        }[fault]
        setattr(self, name, getattr(self, name) + 1)


class FaultInjector:
    """Wraps `app` (one emulator) and injects the faults of `plan`, drawing from `rng`."""

    def __init__(self, app: ASGIApp, plan: FaultPlan, *, rng: random.Random, name: str) -> None:
        self.app = app
        self.plan = plan
        self.counts = FaultCounts()
        self._rng = rng
        self._name = name
        self._eligible = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counts.requests += 1
        fault = self._draw(scope["method"])
        if self.plan.latency_seconds:
            await asyncio.sleep(self.plan.latency_seconds)
        if fault is None:
            self.counts.forwarded += 1
            await self.app(scope, receive, send)
            return
        if fault is Fault.MALFORMED:
            self.counts.forwarded += 1
            await self.app(scope, receive, _garbling(send, lambda: self._count(fault, scope)))
            return
        self._count(fault, scope)
        if fault is Fault.RATE_LIMITED:
            headers = {}
            if self.plan.retry_after_seconds is not None:
                headers["retry-after"] = str(self.plan.retry_after_seconds)
            await _answer(send, 429, {"error": "injected 429"}, headers)
        elif fault is Fault.ERROR:
            await _answer(send, self.plan.error_status, {"error": "injected server error"})
        elif fault is Fault.TIMEOUT:
            await _hold(receive)
            await _answer(send, 504, {"error": "injected timeout: held too long"})
        elif fault is Fault.DROPPED:
            # The request is read whole first: a socket closed with part of it unread
            # would be reset, and the caller would see a reset, not an answer cut short.
            await _read_request(receive)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", str(DROPPED_CONTENT_LENGTH).encode())],
                }
            )
            raise ConnectionDropped(f"{self._name} sandbox: injected dropped connection")

    def _count(self, fault: Fault, scope: Scope) -> None:
        self.counts.count(fault)
        logger.info("%s sandbox: injected %s on %s", self._name, fault.value, scope["path"])

    def _draw(self, method: str) -> Fault | None:
        """This request's fault, if any: a 429 burst first, then one draw for the rates."""
        plan = self.plan
        if plan.writes_only and method in {"GET", "HEAD"}:
            return None
        position = self._eligible
        self._eligible += 1
        in_burst = (
            position % plan.burst_every < plan.burst_429
            if plan.burst_every
            else position < plan.burst_429
        )
        if in_burst:
            return Fault.RATE_LIMITED
        draw = self._rng.random()
        for fault, rate in (
            (Fault.ERROR, plan.error_rate),
            (Fault.TIMEOUT, plan.timeout_rate),
            (Fault.DROPPED, plan.drop_rate),
            (Fault.MALFORMED, plan.malformed_rate),
        ):
            if draw < rate:
                return fault
            draw -= rate
        return None


def with_faults(
    app: ASGIApp, plan: FaultPlan | None, *, seed: int | None, name: str
) -> ASGIApp | FaultInjector:
    """`app` behind a `FaultInjector` for `plan` (a generator seeded from `seed` and
    `name`, or from the system without a seed), or `app` itself without a plan."""
    if plan is None:
        return app
    rng = random.Random(f"{seed}:{name}") if seed is not None else random.Random()
    return FaultInjector(app, plan, rng=rng, name=name)


class InProcessTransport(httpx.ASGITransport):
    """An ASGI transport on which a dropped connection is the error httpx raises for a
    peer that closed the connection early, as over real HTTP."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body",
                request=request,
            ) from None


async def _answer(
    send: Send, status: int, body: object, headers: dict[str, str] | None = None
) -> None:
    content = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        *((name.encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": content})


async def _read_request(receive: Receive) -> None:
    """Receive the request's body to its end (or to the caller's disconnecting)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return


async def _hold(receive: Receive) -> None:
    """Wait until the caller disconnects (at most MAX_HOLD_SECONDS)."""
    try:
        async with asyncio.timeout(MAX_HOLD_SECONDS):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        return


def _garbling(send: Send, garbled_one: Callable[[], None]) -> Send:
    """A `send` that replaces a non-empty answer body by MALFORMED_BODY (same status),
    calling `garbled_one` when it does; an answer without a body stays as it is."""
    start: Message | None = None
    body: list[bytes] = []

    async def garbled(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        body.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        content = MALFORMED_BODY if any(body) else b""
        if content:
            garbled_one()
        headers = [
            (name, value) for name, value in start.get("headers", []) if name != b"content-length"
        ]
        headers.append((b"content-length", str(len(content)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return garbled
