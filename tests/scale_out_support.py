"""Real processes for the scale-out tests: `inboxgraph serve` (one process or N workers)
and a counting Ayrshare upstream they share."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from inboxgraph.sandbox.ayrshare import SANDBOX_TOKEN, AyrshareState, create_app
from tests.ports import free_port
from tests.served import stop_process_group, wait_until_up
from tests.support import UPDATE_MANY

HOST = "127.0.0.1"
#: A conversation the counting upstream answers with 429 and `Retry-After: 60`.
THROTTLED = "throttled"
RETRY_AFTER_SECONDS = 60
#: Every seeded conversation is named `conversation_name(i)`.
CONVERSATIONS = 400
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0


def conversation_name(index: int) -> str:
    return f"scale{index:04d}"


class CountingAyrshare:
    """Ayrshare's emulator holding `CONVERSATIONS` Instagram conversations for each of
    `profiles`, behind a counter of the updates (PUTs) that reached it, per profile."""

    def __init__(self, profiles: tuple[str, ...]) -> None:
        self.state = AyrshareState()
        self.state.profiles = self.state.profiles | set(profiles)
        for profile in profiles:
            for index in range(CONVERSATIONS):
                name = conversation_name(index)
                self.state.conversations[(profile, "instagram", name)] = {
                    "platform": "instagram",
                    "id": name,
                    "status": "active",
                }
        self._emulator: ASGIApp = create_app(self.state)
        self._lock = threading.Lock()
        self._updates: Counter[str] = Counter()

    def updates(self, profile: str) -> int:
        """Updates for `profile` that reached this upstream."""
        with self._lock:
            return self._updates[profile]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT":
            headers = dict(scope["headers"])
            with self._lock:
                self._updates[headers.get(b"profile-key", b"").decode()] += 1
            if scope["path"].endswith(f"/{THROTTLED}"):
                await _answer_429(send)
                return
        await self._emulator(scope, receive, send)


async def _answer_429(send: Send) -> None:
    body = b'{"action": "request", "status": "error", "message": "Too many requests"}'
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@contextmanager
def counting_ayrshare(*profiles: str) -> Iterator[tuple[CountingAyrshare, str]]:
    """The counting upstream served over HTTP in a thread of this process, and its origin."""
    upstream = CountingAyrshare(profiles)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            upstream, host=HOST, port=port, log_config=None, access_log=False, lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the upstream did not start"
        time.sleep(0.01)
    try:
        yield upstream, f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT_SECONDS)


def serve_env(upstream_origin: str, **extra: str) -> dict[str, str]:
    """The environment of an `inboxgraph serve` whose Ayrshare is the counting upstream."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "INBOXGRAPH_AYRSHARE_TOKEN": SANDBOX_TOKEN,
        "INBOXGRAPH_AYRSHARE_BASE_URL": upstream_origin,
        # Each upstream call is logged at DEBUG: the tests read who sent what.
        "INBOXGRAPH_LOG_LEVEL": "debug",
        **extra,
    }


@dataclass
class Served:
    """One `inboxgraph serve` process (with its workers, if any)."""

    process: subprocess.Popen[bytes]
    origin: str
    stderr: Path

    def log(self) -> str:
        return self.stderr.read_text()


def inboxgraph_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("inboxgraph")), *args]


@contextmanager
def serving(
    env: dict[str, str], logs: Path, *, count: int = 1, args: tuple[str, ...] = ()
) -> Iterator[list[Served]]:
    """`count` `inboxgraph serve` processes started together, stopped after."""
    started: list[Served] = []
    try:
        for n in range(count):
            port = free_port()
            stderr = logs / f"serve-{n}.stderr"
            with stderr.open("wb") as err:
                process = subprocess.Popen(
                    inboxgraph_command("serve", "--host", HOST, "--port", str(port), *args),
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    env=env,
                    # Its workers stay in its process group, so none outlives the test.
                    start_new_session=True,
                )
            started.append(Served(process, f"http://{HOST}:{port}", stderr))
        for served in started:
            wait_until_up(
                f"{served.origin}/healthz", served.process, STARTUP_TIMEOUT_SECONDS, served.log
            )
        yield started
    finally:
        for served in started:
            stop_process_group(served.process, STOP_TIMEOUT_SECONDS)


def ayrshare_updates(
    profile: str, first: int, count: int, status: str = "ARCHIVED"
) -> list[dict[str, Any]]:
    """Updates of `count` distinct conversations of `profile`, from the `first`."""
    return [
        {
            "ayrshare": {
                "platform": "INSTAGRAM",
                "conversationId": conversation_name(index),
                "status": status,
                "profileKey": profile,
            }
        }
        for index in range(first, first + count)
    ]


async def update_many_at(origin: str, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One `updateConversations` request on a connection of its own."""
    async with httpx.AsyncClient(base_url=origin, timeout=30.0) as client:
        response = await client.post(
            "/graphql", json={"query": UPDATE_MANY, "variables": {"inputs": inputs}}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    results: list[dict[str, Any]] = body["data"]["updateConversations"]
    return results


async def send_concurrently(
    origins: list[str], profile: str, total: int, per_request: int = 50
) -> list[dict[str, Any]]:
    """`total` updates for `profile`, as concurrent requests of `per_request` that take
    turns among `origins`; every result, in order."""
    batches = await asyncio.gather(
        *(
            update_many_at(
                origins[n % len(origins)],
                ayrshare_updates(profile, first, min(per_request, total - first)),
            )
            for n, first in enumerate(range(0, total, per_request))
        )
    )
    return [result for batch in batches for result in batch]


def outcome_counts(results: list[dict[str, Any]]) -> Counter[str]:
    """How many results were each `__typename`, failures by their code."""
    return Counter(
        r["code"] if r["__typename"] == "UpdateFailed" else r["__typename"] for r in results
    )
