"""The upstream of benchmarks/http.py: Puffle's `PATCH /api/conversations/{id}`, answered
with what inboxgraph's Puffle emulator answers, at as little cost as possible.

At start the emulator (`inboxgraph.sandbox.puffle`) is asked once, in process, for its
answer to the benchmark's update; the server then replays that status and body to every
request that is exactly that update (method, path, bearer token and JSON body checked),
over HTTP/1.1 keep-alive, from one asyncio protocol without a framework. Anything else
is refused with 400 and counted, so a contender that sent another call cannot pass.
`GET /calls` answers the counts: `{"answered": n, "refused": m}`.

Every contender calls this same process, so its cost is the same for all, and small
(a few tens of microseconds a call) next to theirs. benchmarks/http.py starts it with
`python -P` (this folder holds a file named like the standard library's `http`).

    python -P benchmarks/puffle_upstream.py --port 8200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from typing import Any

from starlette.testclient import TestClient

from inboxgraph.sandbox import puffle

CONVERSATION_ID = "f11e8a2c-1234-4567-89ab-cdef01234567"
PATH = f"/api/conversations/{CONVERSATION_ID}"
BODY = {"status": "archived", "unread_count": 0}
TOKEN = puffle.SANDBOX_TOKEN


def emulator_answer() -> tuple[int, bytes]:
    """The Puffle emulator's status and body for the benchmark's update."""
    with TestClient(puffle.create_app()) as client:
        answer = client.patch(PATH, json=BODY, headers={"Authorization": f"Bearer {TOKEN}"})
    if answer.status_code != 200:
        raise SystemExit(f"the Puffle emulator answered {answer.status_code}: {answer.text}")
    return answer.status_code, answer.content


def http_answer(status: int, reason: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Upstream:
    """The replayed answer and the counts of calls answered and refused."""

    def __init__(self, status: int, body: bytes) -> None:
        self.answer = http_answer(status, "OK", body)
        self.answered = 0
        self.refused = 0

    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        if method == "GET" and target == "/calls":
            counts = {"answered": self.answered, "refused": self.refused}
            return http_answer(200, "OK", json.dumps(counts).encode())
        problem = self._problem(method, target, headers, body)
        if problem is not None:
            self.refused += 1
            return http_answer(400, "Bad Request", json.dumps({"error": problem}).encode())
        self.answered += 1
        return self.answer

    def _problem(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> str | None:
        if (method, target) != ("PATCH", PATH):
            return f"not the benchmark's call: {method} {target}"
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return "missing or wrong bearer token"
        try:
            sent: Any = json.loads(body)
        except ValueError:
            return "the body is not JSON"
        if sent != BODY:
            return f"not the benchmark's update: {sent!r}"
        return None


class Connection(asyncio.Protocol):
    """One client connection: requests parsed as they arrive, answered in order."""

    def __init__(self, upstream: Upstream) -> None:
        self._upstream = upstream
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            lines = self._buffer[:end].decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", ""):
                self._transport.write(http_answer(400, "Bad Request", b'{"error":"chunked"}'))
                self._transport.close()
                return
            size = end + 4 + int(headers.get("content-length", "0"))
            if len(self._buffer) < size:
                return
            body = bytes(self._buffer[end + 4 : size])
            del self._buffer[:size]
            self._transport.write(self._upstream.respond(method, target, headers, body))
            if headers.get("connection", "").lower() == "close":
                self._transport.close()
                return


async def serve(host: str, port: int) -> None:
    status, body = emulator_answer()
    upstream = Upstream(status, body)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(upstream), host, port, backlog=1024)
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    loop.add_signal_handler(signal.SIGINT, stopped.set)
    async with server:
        await stopped.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
