"""Real processes for the bulk job tests: `inboxgraph serve` and `inboxgraph worker`
subprocesses, an upstream HTTP server answering Puffle and vcita updates as slowly (or
as badly) as a test asks, and a graphql-transport-ws client."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from inboxgraph.config.faults import FaultPlan
from inboxgraph.sandbox.faults import FaultCounts, FaultInjector, with_faults
from tests.jobs.support import answer
from tests.ports import free_port
from tests.served import wait_until_up

HOST = "127.0.0.1"
START_TIMEOUT = 20.0


class Upstream:
    """Puffle and vcita, over real HTTP on a loopback port: each request counted as it
    arrives, then answered after `delay` seconds (a shorter delay set meanwhile applies to
    requests already waiting).

    With `faults`, the sandbox's faults middleware stands in front (seeded with `seed`):
    `sent` then counts, per path, every request sent, `refused` those answered 429, and
    `arrived` only those that got past the faults (an update applied)."""

    def __init__(self, faults: FaultPlan | None = None, *, seed: int = 0) -> None:
        self.arrived: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.delay = 0.0
        self._lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        app = Starlette(routes=[Route("/{path:path}", self._answer, methods=["PATCH", "PUT"])])
        self.faults = with_faults(app, faults, seed=seed, name="upstream")
        self._server = uvicorn.Server(
            # Quiet: answers to a killed worker fail to send, as they should.
            uvicorn.Config(
                self._counting,
                interface="asgi3",
                host=HOST,
                port=self.port,
                log_level="critical",
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    async def _counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.faults(scope, receive, send)
            return
        path = scope["path"]
        with self._lock:
            self.sent[path] += 1

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 429:
                with self._lock:
                    self.refused[path] += 1
            await send(message)

        await self.faults(scope, receive, sending)

    def fault_counts(self) -> FaultCounts:
        """What the faults middleware has done."""
        assert isinstance(self.faults, FaultInjector)
        return self.faults.counts

    def stop_faults(self) -> None:
        """From now on, no fault strikes."""
        assert isinstance(self.faults, FaultInjector)
        self.faults.plan = FaultPlan()

    async def _answer(self, request: Request) -> Response:
        with self._lock:
            self.arrived[request.url.path] += 1
        started = time.monotonic()
        while time.monotonic() - started < self.delay:
            await asyncio.sleep(0.02)
        status, body = answer(request.method, request.url.path, json.loads(await request.body()))
        return JSONResponse(body, status_code=status)

    def count(self, path_part: str = "") -> int:
        with self._lock:
            return sum(n for path, n in self.arrived.items() if path_part in path)

    def __enter__(self) -> Upstream:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            assert time.monotonic() < deadline, "the upstream server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def env(self) -> dict[str, str]:
        """Puffle and vcita live, reached here."""
        return {
            "INBOXGRAPH_PUFFLE_TOKEN": "puffle-token",
            "INBOXGRAPH_PUFFLE_BASE_URL": f"{self.url}/puffle",
            "INBOXGRAPH_VCITA_TOKEN": "vcita-token",
            "INBOXGRAPH_VCITA_BASE_URL": f"{self.url}/vcita",
        }


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/graphql"

    def start(self) -> Process:
        argv = [sys.executable, "-m", "inboxgraph.cli", *self.argv]
        if self.argv[0] == "serve":
            argv += ["--host", HOST, "--port", str(self.port)]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                argv,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **self.env},
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        if self.argv[0] == "serve":
            assert self.process is not None
            healthz = f"http://{HOST}:{self.port}/healthz"
            wait_until_up(healthz, self.process, START_TIMEOUT, self.tail)
        return self

    def wait_for_log(self, text: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while text not in self.log.read_text(errors="replace"):
            self.assert_running()
            assert time.monotonic() < deadline, f"{self.name} never logged {text!r}:\n{self.tail()}"
            time.sleep(0.05)

    def assert_running(self) -> None:
        assert self.process is not None
        assert self.process.poll() is None, f"{self.name} exited:\n{self.tail()}"

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def processes(log_dir: Path) -> Iterator[Any]:
    """`spawn(name, argv, env)` starts a process; every one is stopped on the way out."""
    started: list[Process] = []

    def spawn(name: str, argv: list[str], env: dict[str, str]) -> Process:
        process = Process(name, argv, env, log_dir / f"{name}.log").start()
        started.append(process)
        return process

    try:
        yield spawn
    finally:
        for process in reversed(started):
            process.stop()


async def post(url: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            url, json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    return response.json()


@asynccontextmanager
async def graphql_ws(
    url: str, *, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised with `payload` (not yet acknowledged)."""
    async with connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
        proxy=None,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        yield socket


async def receive(socket: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout))
    return message


async def start_subscription(
    socket: ClientConnection, query: str, variables: dict[str, Any], id: str = "1"
) -> None:
    """Expect the connection_ack, then subscribe as `id`."""
    assert (await receive(socket))["type"] == "connection_ack"
    payload = {"query": query, "variables": variables}
    await socket.send(json.dumps({"id": id, "type": "subscribe", "payload": payload}))


async def until_end(socket: ClientConnection, id: str = "1") -> list[dict[str, Any]]:
    """Every message of subscription `id`, up to its `complete` or `error`."""
    messages = []
    while True:
        message = await receive(socket)
        assert message.get("id") == id, message
        messages.append(message)
        if message["type"] in {"complete", "error"}:
            return messages


async def subscribe(
    socket: ClientConnection, query: str, variables: dict[str, Any], id: str = "1"
) -> list[dict[str, Any]]:
    """Every message of one subscription, after the connection_ack, up to its end."""
    await start_subscription(socket, query, variables, id)
    return await until_end(socket, id)
